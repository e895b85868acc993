/**
 * A node's connections, addressed by node id (docs/wire-protocol.md § Peer registry):
 * - **Lazy dial** (T-HS-2): `send(address, …)` or `connect(address)` dials on first use; sends
 *   issued meanwhile go out after the handshake; concurrent dials of one address share one.
 * - **One connection per peer pair** (T-HS-4): when both nodes dial each other at once, both
 *   keep the connection dialed by the lower node id; the other is closed, once its in-flight
 *   work is done, with reason {@link DUPLICATE_CLOSE_REASON}. Nothing is lost or duplicated:
 *   messages on the loser are still delivered and acknowledged before it closes.
 * - **Incarnations** (T-HS-3): a different node id at a known address is reported as
 *   `restarted` before the new node's `up`, so state for the old incarnation can be dropped.
 * - **Closing** (T-API-2): new sends reject with `shutdown`, inbound messages are refused
 *   (NACK `shutdown`), ACKs owed for messages being handled are drained (at most `drainMs`),
 *   then every connection and the listener close.
 */
import type { Reactor, TimerHandle } from "../reactor/reactor.js";
import { nodeIdHex } from "./hello-record.js";
import type { WireConnectionOptions } from "./connection-options.js";
import { connectSocket } from "./dial-wire.js";
import type { SendOptions } from "./outbound-entry.js";
import { WireSendError } from "./send-error.js";
import { SocketDuplex } from "./socket-duplex.js";
import { WireConnection } from "./wire-connection.js";
import type { WireCloseInfo } from "./wire-connection-types.js";
import type { WireDuplex } from "./wire-duplex.js";
import { canonicalAddress, parseWireAddress, type WireAddress, type WireTls } from "./wire-endpoint.js";
import { listenWire, type WireListener } from "./wire-listener.js";
import type { WireMessageHandler } from "./wire-message.js";
import { DUPLICATE_CLOSE_REASON, WirePeer, type WirePeerEvent } from "./wire-peer.js";

/** How often a retiring connection or a closing node checks for owed work, in ms. */
const QUIET_POLL_MS = 5;

/** Options of a {@link WirePeerRegistry}. */
export interface WirePeerRegistryOptions {
  /** Options of every connection (the node identity `nodeId`/`nodeName` included). */
  readonly connection?: WireConnectionOptions;
  /** TLS with mutual authentication for listening and dialing. Default none. */
  readonly tls?: WireTls;
  /** Longest wait for a dialed socket, in ms. Default min(2 × sendTimeoutMs, 60,000) (T-HS-5). */
  readonly connectTimeoutMs?: number;
  /** Longest wait at close for ACKs owed to peers, in ms. Default 2,000. */
  readonly drainMs?: number;
  /** Opens a byte stream to an address (the simulator passes its own). Default: a socket. */
  readonly dial?: (address: WireAddress) => Promise<WireDuplex>;
}

/** A node's peers, by node id, with lazy dialing by address. */
export class WirePeerRegistry {
  /** Called with every {@link WirePeerEvent}. */
  onEvent: ((event: WirePeerEvent) => void) | null = null;
  readonly #reactor: Reactor;
  readonly #options: WirePeerRegistryOptions;
  readonly #connectionOptions: WireConnectionOptions & { nodeId: Uint8Array };
  readonly #nodeId: string;
  readonly #peers = new Map<string, WirePeer>();
  readonly #dials = new Map<string, Promise<WirePeer>>();
  readonly #idByAddress = new Map<string, string>();
  readonly #connections = new Set<WireConnection>();
  readonly #dialedByUs = new WeakSet<WireConnection>();
  readonly #orphanTimers = new Map<string, TimerHandle>();
  #handler: WireMessageHandler | null = null;
  #listener: WireListener | null = null;
  #address: string | null = null;
  #closing: Promise<void> | null = null;

  /** @throws TypeError / RangeError for invalid connection options (at the first connection). */
  constructor(reactor: Reactor, options: WirePeerRegistryOptions = {}) {
    this.#reactor = reactor;
    this.#options = options;
    const nodeId = options.connection?.nodeId ?? reactor.randomByteArray(16);
    this.#connectionOptions = { ...options.connection, nodeId };
    this.#nodeId = nodeIdHex(nodeId);
  }

  /** This node's id, 32 hex characters. */
  get nodeId(): string {
    return this.#nodeId;
  }

  /** Where this node listens (`host:port` or `unix:/path`), or null. */
  get address(): string | null {
    return this.#address;
  }

  /** The peers connected now, in connection order. */
  get peers(): WirePeer[] {
    return [...this.#peers.values()];
  }

  /** The peer with this node id, if connected. */
  peer(nodeId: string): WirePeer | undefined {
    return this.#peers.get(nodeId);
  }

  /** The handler of inbound messages on every connection (`message.peerId` names the sender). */
  get onMessage(): WireMessageHandler | null {
    return this.#handler;
  }

  set onMessage(handler: WireMessageHandler | null) {
    this.#handler = handler;
  }

  /**
   * Listens on `address` (`host:port` — port 0 picks one — or `unix:/path`); the address is
   * advertised in every HELLO. Resolves with the address bound.
   * @throws the listen error (e.g. EADDRINUSE); TypeError for an unparseable address.
   */
  async listen(address: string | WireAddress): Promise<string> {
    const where = typeof address === "string" ? parseWireAddress(address) : address;
    const listener = await listenWire(
      this.#reactor,
      { ...where, tls: this.#options.tls, connection: this.#connectionOptions },
      (connection) => this.#attach(connection, false, null),
    );
    this.#listener = listener;
    this.#address = listener.port === null ? canonicalAddress(where) : canonicalAddress(listener.address);
    return this.#address;
  }

  /**
   * Takes a byte stream accepted by a listener of the caller's own (the simulator's network, a
   * custom server) as an inbound connection of this node.
   */
  acceptDuplex(duplex: WireDuplex): void {
    this.#attach(new WireConnection(duplex, this.#reactor, this.#connectionOptions), false, null);
  }

  /**
   * The peer at `address`, dialing it if no connection to the node there exists (T-HS-2).
   * Rejects with {@link WireSendError} `cannot_connect`, `connection_lost` (handshake failed, or
   * the address is this node) or `shutdown`.
   */
  connect(address: string | WireAddress): Promise<WirePeer> {
    if (this.#closing !== null) return Promise.reject(shutdownError());
    let key: string;
    try {
      key = canonicalAddress(address);
    } catch (error) {
      return Promise.reject(error);
    }
    const known = this.#peers.get(this.#idByAddress.get(key) ?? "");
    if (known !== undefined) return Promise.resolve(known);
    let dial = this.#dials.get(key);
    if (dial === undefined) {
      dial = this.#dial(parseWireAddress(key), key);
      this.#dials.set(key, dial);
      const forget = () => this.#dials.delete(key);
      dial.then(forget, forget);
    }
    return dial;
  }

  /**
   * Sends to the node at `address`, dialing it first if needed (T-API-1). See
   * {@link WireConnection.send} for outcomes; also `cannot_connect` and `shutdown`.
   */
  async send(address: string | WireAddress, body: unknown, options?: SendOptions): Promise<void> {
    const peer = await this.connect(address);
    return peer.send(body, options);
  }

  /**
   * Closes the node (T-API-2): new sends reject with `shutdown`, inbound messages are refused,
   * handlers still running finish and their ACKs are written (at most `drainMs`), then every
   * connection closes normally and the listener stops. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const drainMs = this.#options.drainMs ?? 2_000;
    await this.#whenQuiet([...this.#connections], drainMs, (c) => c.stats.slotsBusy + c.stats.parked === 0);
    for (const timer of this.#orphanTimers.values()) timer.cancel();
    for (const connection of [...this.#connections]) connection.close(1000, "node closed");
    await this.#listener?.close();
  }

  async #dial(address: WireAddress, key: string): Promise<WirePeer> {
    let duplex: WireDuplex;
    if (this.#options.dial !== undefined) duplex = await this.#options.dial(address);
    else {
      const dialOptions = {
        ...address,
        tls: this.#options.tls,
        connectTimeoutMs: this.#options.connectTimeoutMs,
        connection: this.#connectionOptions,
      };
      duplex = new SocketDuplex(await connectSocket(this.#reactor, dialOptions), this.#reactor);
    }
    if (this.#closing !== null) {
      duplex.close();
      throw shutdownError();
    }
    const connection = new WireConnection(duplex, this.#reactor, { ...this.#connectionOptions, listen: this.#address });
    this.#dialedByUs.add(connection);
    this.#attach(connection, true, key);
    await connection.whenOpen();
    const peer = this.#peers.get(connection.peerId);
    if (peer === undefined) throw new WireSendError("connection_lost", `the connection to ${key} closed at once`);
    return peer;
  }

  #attach(connection: WireConnection, dialed: boolean, address: string | null): void {
    if (this.#closing !== null) {
      connection.close(1000, "node closed");
      return;
    }
    this.#connections.add(connection);
    connection.onMessage = this.#dispatch;
    // Synchronous: MSGs that follow the HELLO in the same chunk must find the peer registered.
    connection.onOpen = (hello) => this.#opened(connection, dialed ? address : (hello.listen ?? null));
    connection.closeHooks.push((info) => this.#closed(connection, info));
  }

  readonly #dispatch: WireMessageHandler = (message, done) => {
    if (this.#closing !== null) {
      const error = new Error("the node is shutting down");
      error.name = "shutdown";
      done(error);
      return;
    }
    const handler = this.#handler;
    if (handler === null) {
      done();
      return;
    }
    let result: void | PromiseLike<unknown>;
    try {
      result = handler(message, done);
    } catch (error) {
      done(error ?? new Error("handler threw"));
      return;
    }
    if (result !== undefined && result !== null && typeof result.then === "function")
      result.then(
        () => done(),
        (error: unknown) => done(error ?? new Error("handler rejected")),
      );
    else if (handler.length < 2) done();
  };

  #opened(connection: WireConnection, rawAddress: string | null): void {
    const nodeId = connection.peerId;
    if (nodeId === this.#nodeId) {
      connection.close(1000, "connected to itself");
      return;
    }
    const address = rawAddress === null ? null : safeCanonical(rawAddress);
    if (address !== null) {
      const previous = this.#idByAddress.get(address);
      this.#idByAddress.set(address, nodeId);
      if (previous !== undefined && previous !== nodeId)
        this.onEvent?.({ type: "restarted", address, previousNodeId: previous, nodeId });
    }
    const existing = this.#peers.get(nodeId);
    if (existing === undefined) {
      const peer = new WirePeer(connection, address, this.#dialedByUs.has(connection));
      this.#peers.set(nodeId, peer);
      this.onEvent?.({ type: "up", peer });
      return;
    }
    const orphanTimer = this.#orphanTimers.get(nodeId);
    if (orphanTimer !== undefined) {
      // The connection in use was closed as a duplicate: this is the survivor.
      orphanTimer.cancel();
      this.#orphanTimers.delete(nodeId);
      existing.use(connection, this.#dialedByUs.has(connection));
      this.onEvent?.({ type: "switched", peer: existing });
      return;
    }
    this.#converge(existing, connection);
  }

  // T-HS-4: both sides keep the connection dialed by the lower node id. Two connections dialed by
  // the same node are settled by that node alone (it retires the newer one), so both sides agree.
  #converge(peer: WirePeer, fresh: WireConnection): void {
    const current = peer.connection;
    const dialerOf = (c: WireConnection) => (this.#dialedByUs.has(c) ? this.#nodeId : peer.nodeId);
    const currentDialer = dialerOf(current);
    const freshDialer = dialerOf(fresh);
    if (currentDialer === freshDialer) {
      peer.others.add(fresh);
      if (currentDialer === this.#nodeId) this.#retire(fresh);
      return;
    }
    if (currentDialer < freshDialer) {
      peer.others.add(fresh);
      this.#retire(fresh);
      return;
    }
    peer.others.add(current);
    peer.use(fresh, this.#dialedByUs.has(fresh));
    this.onEvent?.({ type: "switched", peer });
    this.#retire(current);
  }

  /** Closes a losing connection once nothing is in flight on it (bounded by its send timeout). */
  #retire(connection: WireConnection): void {
    const limitMs = connection.options.sendTimeoutMs;
    void this.#whenQuiet([connection], limitMs, isQuiet).then(() => connection.close(1000, DUPLICATE_CLOSE_REASON));
  }

  #closed(connection: WireConnection, info: WireCloseInfo): void {
    this.#connections.delete(connection);
    const peer = this.#peers.get(connection.peerId);
    if (peer === undefined) return;
    if (peer.others.delete(connection)) return;
    if (peer.connection !== connection) return;
    const [next] = peer.others;
    if (next !== undefined) {
      peer.others.delete(next);
      peer.use(next, this.#dialedByUs.has(next));
      this.onEvent?.({ type: "switched", peer });
      return;
    }
    if (info.byPeer && info.reason === DUPLICATE_CLOSE_REASON && this.#closing === null) {
      // The peer saw both connections and retired this one: the survivor is on its way.
      const waitMs = connection.options.helloTimeoutMs;
      this.#orphanTimers.set(
        peer.nodeId,
        this.#reactor.setTimer(waitMs, () => {
          this.#orphanTimers.delete(peer.nodeId);
          this.#down(peer, info);
        }),
      );
      return;
    }
    this.#down(peer, info);
  }

  #down(peer: WirePeer, info: WireCloseInfo): void {
    if (this.#peers.get(peer.nodeId) !== peer) return;
    this.#peers.delete(peer.nodeId);
    peer.down = true;
    this.onEvent?.({ type: "down", peer, info });
  }

  /** Resolves when `done` holds for every connection (or it closed), or after `limitMs`. */
  #whenQuiet(
    connections: readonly WireConnection[],
    limitMs: number,
    done: (connection: WireConnection) => boolean,
  ): Promise<void> {
    const deadlineMs = this.#reactor.nowMs() + limitMs;
    return new Promise((resolve) => {
      const check = (): void => {
        const busy = connections.some((c) => c.status !== "closed" && !done(c));
        if (!busy || this.#reactor.nowMs() >= deadlineMs) resolve();
        else this.#reactor.setTimer(QUIET_POLL_MS, check);
      };
      check();
    });
  }
}

function isQuiet(connection: WireConnection): boolean {
  const s = connection.stats;
  return s.inFlight + s.queued + s.waiting + s.slotsBusy + s.parked === 0;
}

function safeCanonical(address: string): string | null {
  try {
    return canonicalAddress(address);
  } catch {
    return null;
  }
}

function shutdownError(): WireSendError {
  return new WireSendError("shutdown", "the node is shutting down");
}
