/**
 * One Engine.IO session as the user sees it (`EngineIoSocket`) and its runtime
 * (`EngineIoSession`): the write buffer, the heartbeat, and the upgrade from polling to
 * WebSocket. Close reasons are the reference server's.
 *
 * ```
 * CLIENT (polling)                 SERVER                      CLIENT (websocket probe)
 *   │ GET (held) ───────────────►  │  ◄──────────────────────── 2probe
 *   │                              │  ───────────────────────► 3probe
 *   │ ◄──────────────────── 6 noop │   (releases the held GET; client pauses polling)
 *   │                              │  ◄──────────────────────── 5 upgrade
 *   │                              │  buffered packets flushed on WebSocket, in order
 * ```
 * The heartbeat (`heartbeat.ts`) closes a session that misses a pong with "ping timeout". All
 * timers come from the Reactor.
 */
import type { Reactor, TimerHandle } from "../../reactor/reactor.js";
import type { EngineIoTransportName, ResolvedEngineIoServerOptions } from "./engine-io-server-options.js";
import type {
  EngineIoEncodedMessages,
  EngineIoOutbound,
  EngineIoTransport,
  EngineIoTransportCloseReason,
  EngineIoTransportSink,
} from "./engine-io-transport.js";
import { IGNORING_SINK } from "./engine-io-transport.js";
import { openPacket } from "./handshake.js";
import { Heartbeat } from "./heartbeat.js";
import type { EngineIoPacket } from "./packet.js";

/** Why a session closed: the reference server's reasons. */
export type EngineIoCloseReason = EngineIoTransportCloseReason | "ping timeout" | "forced close";

/** Lifecycle of a session: `open` → `closing` (polite close in progress) → `closed`. */
export type EngineIoSocketState = "open" | "closing" | "closed";

/** Listeners of an {@link EngineIoSocket}, by event name. */
export interface EngineIoSocketEvents {
  /** A message from the client: a string, or bytes (a Node Buffer). */
  message: (data: string | Uint8Array) => void;
  /** The session ended; emitted once. `description` is a detail for logs. */
  close: (reason: EngineIoCloseReason, description: string | undefined) => void;
  /** The session moved to another transport (always `websocket`). */
  upgrade: (transport: EngineIoTransportName) => void;
}

/** An Engine.IO session, handed to the server's connection listeners. */
export interface EngineIoSocket {
  /** The session id (`sid`), 20 base64url characters. */
  readonly id: string;
  /** The current transport. */
  readonly transport: EngineIoTransportName;
  /** Where the session is in its lifecycle. */
  readonly readyState: EngineIoSocketState;
  /** Queues a message (string → text, bytes → binary); ignored once closing or closed. */
  send(data: string | Uint8Array): void;
  /**
   * Queues messages encoded once elsewhere (see {@link EngineIoEncodedMessages}); the frames or
   * records are written as they are, in order with `send`. Ignored once closing or closed.
   */
  sendEncoded(encoded: EngineIoEncodedMessages): void;
  /**
   * Closes politely: buffered packets are written first, then the transport closes. `close`
   * listeners get "forced close" with `reason` as the description. Engine.IO's `close` packet
   * carries no data, so the client never sees `reason`; it is for the server side and logs.
   */
  close(reason?: string): void;
  /** Adds a listener. */
  on<E extends keyof EngineIoSocketEvents>(event: E, listener: EngineIoSocketEvents[E]): this;
  /** Removes a listener added with `on`. */
  off<E extends keyof EngineIoSocketEvents>(event: E, listener: EngineIoSocketEvents[E]): this;
}

type Listeners = { [E in keyof EngineIoSocketEvents]: Array<EngineIoSocketEvents[E]> };
type UpgradePhase = "none" | "probing" | "upgrading" | "upgraded";

/** The runtime of one session; the server creates it, the user sees it as an {@link EngineIoSocket}. */
export class EngineIoSession implements EngineIoSocket {
  /** The session id. */
  readonly id: string;
  readonly #reactor: Reactor;
  readonly #options: ResolvedEngineIoServerOptions;
  readonly #onEnded: (session: EngineIoSession) => void;
  readonly #listeners: Listeners = { message: [], close: [], upgrade: [] };
  readonly #sink: EngineIoTransportSink;
  #transport: EngineIoTransport;
  #probe: EngineIoTransport | null = null;
  #phase: UpgradePhase = "none";
  #state: EngineIoSocketState = "open";
  #buffer: EngineIoOutbound[] = [];
  #closeDescription: string | undefined = undefined;
  readonly #heartbeat: Heartbeat;
  #upgradeTimer: TimerHandle | null = null;

  /**
   * @param onEnded - called once when the session closes (the server forgets it).
   */
  constructor(
    id: string,
    transport: EngineIoTransport,
    options: ResolvedEngineIoServerOptions,
    onEnded: (session: EngineIoSession) => void,
  ) {
    this.id = id;
    this.#reactor = options.reactor;
    this.#options = options;
    this.#onEnded = onEnded;
    this.#transport = transport;
    this.#sink = {
      packet: (packet) => this.#onPacket(packet),
      drain: () => this.#onDrain(),
      closed: (reason, description) => this.#end(reason, description),
    };
    transport.sink = this.#sink;
    this.#heartbeat = new Heartbeat(this.#reactor, options, {
      ping: () => this.#write({ type: "ping" }),
      timeout: () => this.#end("ping timeout", undefined),
    });
  }

  /** The current transport's name. */
  get transport(): EngineIoTransportName {
    return this.#transport.name;
  }

  /** See {@link EngineIoSocket.readyState}. */
  get readyState(): EngineIoSocketState {
    return this.#state;
  }

  /** True once a probe has been offered (an upgrade is in progress or done). */
  get upgradeStarted(): boolean {
    return this.#phase !== "none";
  }

  /** Queues the `open` packet and starts the heartbeat. Call once, right after construction. */
  open(): void {
    const upgrades = this.#transport.name === "polling" && this.#options.transports.includes("websocket");
    this.#write(
      openPacket({
        sid: this.id,
        upgrades: upgrades ? ["websocket"] : [],
        pingInterval: this.#options.pingIntervalMs,
        pingTimeout: this.#options.pingTimeoutMs,
        maxPayload: this.#options.payloadBytesMax,
      }),
    );
    this.#heartbeat.start();
  }

  /** See {@link EngineIoSocket.send}. */
  send(data: string | Uint8Array): void {
    if (this.#state !== "open") return;
    this.#write({ type: "message", data });
  }

  /** See {@link EngineIoSocket.sendEncoded}. */
  sendEncoded(encoded: EngineIoEncodedMessages): void {
    if (this.#state !== "open") return;
    this.#write(encoded);
  }

  /** See {@link EngineIoSocket.close}. */
  close(reason?: string): void {
    if (this.#state !== "open") return;
    this.#state = "closing";
    this.#closeDescription = reason;
    this.#flush();
    if (this.#buffer.length === 0 && this.#phase !== "probing" && this.#phase !== "upgrading")
      this.#closeTransport(false);
  }

  /** Closes at once (server shutdown): flushes what the transport can take, then "forced close". */
  shutdown(): void {
    if (this.#state === "closed") return;
    this.#state = "closing";
    this.#flush();
    this.#closeTransport(true);
  }

  /** See {@link EngineIoSocket.on}. */
  on<E extends keyof EngineIoSocketEvents>(event: E, listener: EngineIoSocketEvents[E]): this {
    (this.#listeners[event] as Array<EngineIoSocketEvents[E]>).push(listener);
    return this;
  }

  /** See {@link EngineIoSocket.off}. */
  off<E extends keyof EngineIoSocketEvents>(event: E, listener: EngineIoSocketEvents[E]): this {
    const list = this.#listeners[event] as Array<EngineIoSocketEvents[E]>;
    const at = list.indexOf(listener);
    if (at !== -1) list.splice(at, 1);
    return this;
  }

  /**
   * Offers `probe` (a new WebSocket) as the session's next transport. The client sends `2probe`,
   * we answer `3probe` and release any held poll with `noop`; on `5` the probe becomes the
   * transport. Anything else, or upgradeTimeoutMs without `5`, closes the probe.
   */
  upgradeTo(probe: EngineIoTransport): void {
    if (this.#state === "closed" || this.#phase !== "none") {
      probe.close(() => {}, true);
      return;
    }
    this.#probe = probe;
    this.#phase = "probing";
    this.#upgradeTimer = this.#reactor.setTimer(this.#options.upgradeTimeoutMs, () => this.#abandonProbe());
    probe.sink = {
      packet: (packet) => this.#onProbePacket(packet),
      drain: () => {},
      closed: () => this.#abandonProbe(),
    };
  }

  #onProbePacket(packet: EngineIoPacket): void {
    const probe = this.#probe!;
    if (packet.type === "ping" && packet.data === "probe" && this.#phase === "probing") {
      probe.send([{ type: "pong", data: "probe" }]);
      this.#phase = "upgrading";
      this.#releasePoll();
    } else if (packet.type === "upgrade" && this.#phase === "upgrading" && this.#state !== "closed") {
      this.#upgradeTimer?.cancel();
      this.#upgradeTimer = null;
      const old = this.#transport;
      old.sink = IGNORING_SINK;
      old.discard();
      this.#probe = null;
      this.#phase = "upgraded";
      this.#transport = probe;
      probe.sink = this.#sink;
      this.#emit("upgrade", probe.name);
      this.#flush();
      if (this.#state === "closing" && this.#buffer.length === 0) this.#closeTransport(false);
    } else {
      this.#abandonProbe();
    }
  }

  #abandonProbe(): void {
    const probe = this.#probe;
    if (probe === null) return;
    this.#probe = null;
    this.#phase = "none";
    this.#upgradeTimer?.cancel();
    this.#upgradeTimer = null;
    probe.sink = IGNORING_SINK;
    probe.close(() => {}, true);
    if (this.#state === "closing" && this.#buffer.length === 0) this.#closeTransport(false);
  }

  /** During an upgrade, a held poll with nothing to carry gets `noop` so the client can pause. */
  #releasePoll(): void {
    if (this.#phase === "upgrading" && this.#transport.writable) this.#transport.send([{ type: "noop" }]);
  }

  #onPacket(packet: EngineIoPacket): void {
    if (this.#state !== "open") return;
    switch (packet.type) {
      case "pong":
        this.#heartbeat.pong();
        break;
      case "ping":
        // v4 heartbeats go server → client only (the reference closes on a client ping).
        this.#end("transport error", "invalid heartbeat direction");
        break;
      case "message":
        this.#emit("message", packet.data);
        break;
      case "close":
        this.#end("transport close", "client sent close");
        break;
      default:
        break;
    }
  }

  #onDrain(): void {
    this.#flush();
    this.#releasePoll();
  }

  #write(item: EngineIoOutbound): void {
    this.#buffer.push(item);
    this.#flush();
  }

  #flush(): void {
    if (this.#state === "closed" || this.#buffer.length === 0 || !this.#transport.writable) return;
    const packets = this.#buffer;
    this.#buffer = [];
    this.#transport.send(packets);
    if (this.#state === "closing" && this.#phase !== "probing" && this.#phase !== "upgrading") {
      this.#closeTransport(false);
    }
  }

  #closeTransport(discard: boolean): void {
    this.#transport.close(() => this.#end("forced close", this.#closeDescription), discard);
  }

  #end(reason: EngineIoCloseReason, description: string | undefined): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#heartbeat.stop();
    this.#upgradeTimer?.cancel();
    this.#upgradeTimer = null;
    this.#buffer = [];
    const probe = this.#probe;
    this.#probe = null;
    probe?.close(() => {}, true);
    this.#transport.sink = IGNORING_SINK;
    this.#transport.close(() => {}, true);
    this.#onEnded(this);
    this.#emit("close", reason, description);
  }

  #emit<E extends keyof EngineIoSocketEvents>(event: E, ...args: Parameters<EngineIoSocketEvents[E]>): void {
    for (const listener of [...this.#listeners[event]]) (listener as (...a: unknown[]) => void)(...args);
  }
}
