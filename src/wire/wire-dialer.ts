/**
 * A connection to one peer that survives connection loss: it dials when there is something to
 * send, keeps sends made while disconnected in a bounded backlog, and after a loss moves the
 * sends that were never written to the next connection (they are not reported as failed, T-GC-2).
 * Sends already written and not acknowledged reject with `connection_lost` (the peer may have
 * handled them; retrying is the application's call). Failed dials are retried after a jittered
 * exponential backoff drawn from the Reactor's random: the n-th retry waits
 * min(backoffMaxMs, backoffMinMs × 2ⁿ) (n = failed dials in a row) + random × backoffJitterMs (T-GC-3: first one 50–550 ms);
 * each failed dial rejects the oldest waiting send with `cannot_connect` (T-ACK-4).
 */
import type { Reactor, TimerHandle } from "../reactor/reactor.js";
import type { WireConnectionOptions } from "./connection-options.js";
import type { OutboundEntry, SendOptions } from "./outbound-entry.js";
import { WireSendError } from "./send-error.js";
import { WireConnection } from "./wire-connection.js";
import type { WireCloseInfo } from "./wire-connection-types.js";
import type { WireDuplex } from "./wire-duplex.js";
import type { WireMessageHandler } from "./wire-message.js";

/** Options of a {@link WireDialer}. */
export interface WireDialerOptions {
  /** Opens a new byte stream to the peer (e.g. `connectSocket` wrapped in a SocketDuplex). */
  readonly connect: () => Promise<WireDuplex>;
  /** Options of each connection; the node id is drawn once and kept across reconnections. */
  readonly connection?: WireConnectionOptions;
  /** Base of the exponential backoff, in ms. Default 50. */
  readonly backoffMinMs?: number;
  /** Random extra added to each backoff, in ms (uniform in [0, jitter)). Default 500. */
  readonly backoffJitterMs?: number;
  /** Cap of the exponential part of the backoff, in ms. Default 30,000. */
  readonly backoffMaxMs?: number;
  /** Most sends held while no connection exists. Default 1,024; beyond it sends reject with `queue_full`. */
  readonly backlogMessagesMax?: number;
}

interface Held {
  readonly body: unknown;
  readonly options: SendOptions | undefined;
  readonly deadlineMs: number;
  readonly resolve: () => void;
  readonly reject: (error: WireSendError) => void;
}

/** A self-healing connection to one peer. */
export class WireDialer {
  /** Called with each new connection (still handshaking). */
  onConnection: ((connection: WireConnection) => void) | null = null;
  /** Called when a connection closes. */
  onDisconnect: ((info: WireCloseInfo) => void) | null = null;
  readonly #reactor: Reactor;
  readonly #options: Required<Omit<WireDialerOptions, "connection">> & { connection: WireConnectionOptions };
  #connection: WireConnection | null = null;
  #handler: WireMessageHandler | null = null;
  #backlog: Held[] = [];
  #orphans: OutboundEntry[] = [];
  #dialing = false;
  #retry: TimerHandle | null = null;
  #expiry: TimerHandle | null = null;
  #failures = 0;
  #closed = false;

  constructor(reactor: Reactor, options: WireDialerOptions) {
    this.#reactor = reactor;
    const connection = { ...options.connection, nodeId: options.connection?.nodeId ?? reactor.randomByteArray(16) };
    this.#options = {
      backoffMinMs: 50,
      backoffJitterMs: 500,
      backoffMaxMs: 30_000,
      backlogMessagesMax: 1024,
      ...options,
      connection,
    };
  }

  /** The current connection, or null while disconnected. */
  get connection(): WireConnection | null {
    return this.#connection;
  }

  /** Failed dials in a row (0 once a connection opens). */
  get failures(): number {
    return this.#failures;
  }

  /** The handler of inbound messages on every connection. */
  get onMessage(): WireMessageHandler | null {
    return this.#handler;
  }

  set onMessage(handler: WireMessageHandler | null) {
    this.#handler = handler;
    if (this.#connection !== null) this.#connection.onMessage = handler;
  }

  /** Sends on the current connection, dialing first if there is none. See {@link WireConnection.send}. */
  send(body: unknown, options?: SendOptions): Promise<void> {
    if (this.#closed) return Promise.reject(new WireSendError("closed", "the dialer is closed"));
    if (this.#connection !== null) return this.#connection.send(body, options);
    if (this.#backlog.length >= this.#options.backlogMessagesMax)
      return Promise.reject(new WireSendError("queue_full", "the backlog of the disconnected dialer is full"));
    const timeoutMs = options?.timeoutMs ?? this.#options.connection.sendTimeoutMs ?? 5_000;
    return new Promise<void>((resolve, reject) => {
      this.#backlog.push({ body, options, deadlineMs: this.#reactor.nowMs() + timeoutMs, resolve, reject });
      this.#armExpiry();
      this.#dial();
    });
  }

  /** Dials now if not connected (e.g. to receive before sending). */
  connect(): void {
    this.#dial();
  }

  /** Closes the connection and stops redialing; held sends reject with `closed`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#retry?.cancel();
    this.#expiry?.cancel();
    const error = new WireSendError("closed", "the dialer was closed");
    for (const held of this.#backlog.splice(0)) held.reject(error);
    for (const entry of this.#orphans.splice(0)) entry.fail(error);
    const connection = this.#connection;
    this.#connection = null;
    if (connection !== null) connection.keepUnsentOnClose = false;
    connection?.close(1000, "dialer closed");
  }

  #dial(): void {
    if (this.#closed || this.#dialing || this.#connection !== null || this.#retry !== null) return;
    this.#dialing = true;
    this.#options.connect().then(
      (duplex) => this.#connected(duplex),
      (error: unknown) => this.#dialFailed(error),
    );
  }

  #connected(duplex: WireDuplex): void {
    this.#dialing = false;
    if (this.#closed) {
      duplex.close();
      return;
    }
    const connection = new WireConnection(duplex, this.#reactor, this.#options.connection);
    connection.keepUnsentOnClose = true;
    connection.onMessage = this.#handler;
    connection.onOpen = () => {
      this.#failures = 0;
    };
    connection.closeHooks.push((info) => this.#lost(connection, info));
    this.#connection = connection;
    this.onConnection?.(connection);
    connection.adopt(this.#orphans.splice(0));
    for (const held of this.#backlog.splice(0)) {
      const timeoutMs = Math.max(1, held.deadlineMs - this.#reactor.nowMs());
      connection.send(held.body, { ...held.options, timeoutMs }).then(held.resolve, held.reject);
    }
  }

  #dialFailed(error: unknown): void {
    this.#dialing = false;
    if (this.#closed) return;
    const cause =
      error instanceof WireSendError ? error : new WireSendError("cannot_connect", String(error), { cause: error });
    const oldest = this.#orphans.shift();
    if (oldest !== undefined) oldest.fail(cause);
    else this.#backlog.shift()?.reject(cause);
    this.#failures++;
    this.#scheduleRetry();
  }

  #lost(connection: WireConnection, info: WireCloseInfo): void {
    if (this.#connection === connection) this.#connection = null;
    this.#orphans.push(...connection.takeUnsent());
    this.onDisconnect?.(info);
    if (this.#closed) return;
    this.#armExpiry();
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#retry !== null || this.#closed) return;
    if (this.#orphans.length === 0 && this.#backlog.length === 0) return;
    const o = this.#options;
    const exponential = Math.min(o.backoffMaxMs, o.backoffMinMs * 2 ** Math.min(this.#failures, 30));
    const delayMs = exponential + this.#reactor.random() * o.backoffJitterMs;
    this.#retry = this.#reactor.setTimer(delayMs, () => {
      this.#retry = null;
      this.#dial();
    });
  }

  // Sends held while disconnected keep their deadlines: one timer for the earliest.
  #armExpiry(): void {
    if (this.#expiry !== null) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const held of this.#backlog) earliest = Math.min(earliest, held.deadlineMs);
    for (const entry of this.#orphans) earliest = Math.min(earliest, entry.deadlineMs);
    if (earliest === Number.POSITIVE_INFINITY) return;
    this.#expiry = this.#reactor.setTimer(Math.max(0, earliest - this.#reactor.nowMs()), () => {
      this.#expiry = null;
      const nowMs = this.#reactor.nowMs();
      const timeout = new WireSendError("send_timeout", "no connection before the send's deadline");
      this.#backlog = this.#backlog.filter((held) => (held.deadlineMs > nowMs ? true : (held.reject(timeout), false)));
      this.#orphans = this.#orphans.filter((entry) => (entry.deadlineMs > nowMs ? true : (entry.fail(timeout), false)));
      this.#armExpiry();
    });
  }
}
