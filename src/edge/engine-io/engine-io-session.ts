/**
 * The runtime of one Engine.IO session (`EngineIoSession`), seen by users as an
 * {@link EngineIoSocket}: the outbound queue and its high-water mark, the heartbeat, and the
 * upgrade from polling to WebSocket. Close reasons are the reference server's, plus
 * "payload too large" and "slow consumer".
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
import {
  type EngineIoTransportName,
  type ResolvedEngineIoServerOptions,
  SLOW_CONSUMER_CAP_FACTOR,
} from "./engine-io-server-options.js";
import type {
  EngineIoCloseReason,
  EngineIoSocket,
  EngineIoSocketEvents,
  EngineIoSocketState,
} from "./engine-io-socket.js";
import type { EngineIoEncodedMessages, EngineIoOutbound, EngineIoTransport } from "./engine-io-transport.js";
import { IGNORING_SINK } from "./engine-io-transport.js";
import { openPacket } from "./handshake.js";
import { HeartbeatScheduler } from "./heartbeat.js";
import { type EngineIoSessionObserver, SessionPort, setSessionEntryPoints } from "./engine-io-session-port.js";
import { OutboundQueue, outboundBytes, outboundPackets } from "./outbound-queue.js";
import type { EngineIoPacket } from "./packet.js";

export type { EngineIoSessionObserver } from "./engine-io-session-port.js";

type Listeners = { [E in keyof EngineIoSocketEvents]: Array<EngineIoSocketEvents[E]> };

/** Shared so that an empty queue costs nothing per session; replaced on the first push. */
const EMPTY_QUEUE = new OutboundQueue();
const PING: EngineIoPacket = Object.freeze({ type: "ping" });
type UpgradePhase = "none" | "probing" | "upgrading" | "upgraded";

/** Close reasons worth one log line: the client broke a limit. */
const LOGGED_REASONS: ReadonlySet<EngineIoCloseReason> = new Set(["slow consumer", "payload too large"]);

/** The runtime of one session; the server creates it, the user sees it as an {@link EngineIoSocket}. */
export class EngineIoSession implements EngineIoSocket {
  /** The session id. */
  readonly id: string;
  readonly #reactor: Reactor;
  readonly #options: ResolvedEngineIoServerOptions;
  readonly #onEnded: (session: EngineIoSession) => void;
  /** Listeners added with `on`; created on the first one. */
  #listeners: Listeners | null = null;
  #observer: EngineIoSessionObserver | null = null;
  readonly #sink: SessionPort;
  #transport: EngineIoTransport;
  #probe: EngineIoTransport | null = null;
  #phase: UpgradePhase = "none";
  #state: EngineIoSocketState = "open";
  #queue: OutboundQueue = EMPTY_QUEUE;
  #closeDescription: string | undefined = undefined;
  #upgradeTimer: TimerHandle | null = null;
  /** Set once `send` reported the mark; cleared (with a `drain` event) when back under it. */
  #overMark = false;
  #graceTimer: TimerHandle | null = null;

  static {
    // The port reaches the session's private handlers through these (no closure per session).
    setSessionEntryPoints({
      packet: (session, packet) => session.#onPacket(packet),
      drain: (session) => session.#onDrain(),
      end: (session, reason, description) => session.#end(reason, description),
      ping: (session) => void session.#write(PING),
    });
  }

  /**
   * @param onEnded - called once when the session closes (the server forgets it).
   * @param heartbeats - the server's heartbeat scheduler; default: one of the session's own.
   */
  constructor(
    id: string,
    transport: EngineIoTransport,
    options: ResolvedEngineIoServerOptions,
    onEnded: (session: EngineIoSession) => void,
    heartbeats: HeartbeatScheduler = new HeartbeatScheduler(options.reactor, options),
  ) {
    this.id = id;
    this.#reactor = options.reactor;
    this.#options = options;
    this.#onEnded = onEnded;
    this.#transport = transport;
    this.#sink = new SessionPort(this, heartbeats);
    transport.sink = this.#sink;
  }

  /** The current transport's name. */
  get transport(): EngineIoTransportName {
    return this.#transport.name;
  }

  /** See {@link EngineIoSocket.readyState}. */
  get readyState(): EngineIoSocketState {
    return this.#state;
  }

  /** See {@link EngineIoSocket.bufferedBytes}. */
  get bufferedBytes(): number {
    return this.#queue.bytes + (this.#state === "closed" ? 0 : this.#transport.bufferedBytes);
  }

  /** See {@link EngineIoSocket.bufferedPackets}. */
  get bufferedPackets(): number {
    return this.#queue.packets + (this.#state === "closed" ? 0 : this.#transport.bufferedPackets);
  }

  /** See {@link EngineIoSocket.writable}. */
  get writable(): boolean {
    return this.#state === "open" && this.#transport.writable;
  }

  /** See {@link EngineIoSocket.needsDrain}. */
  get needsDrain(): boolean {
    return (
      this.bufferedBytes >= this.#options.outboundBytesMax || this.bufferedPackets >= this.#options.outboundPacketsMax
    );
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
    this.#sink.start();
  }

  /** See {@link EngineIoSocket.send}. */
  send(data: string | Uint8Array): boolean {
    if (this.#state !== "open") return false;
    return this.#write({ type: "message", data });
  }

  /** See {@link EngineIoSocket.sendEncoded}. */
  sendEncoded(encoded: EngineIoEncodedMessages): boolean {
    if (this.#state !== "open") return false;
    return this.#write(encoded);
  }

  /** See {@link EngineIoSocket.close}. */
  close(reason?: string): void {
    if (this.#state !== "open") return;
    this.#state = "closing";
    this.#closeDescription = reason;
    this.#flush();
    if (this.#queue.length === 0 && this.#phase !== "probing" && this.#phase !== "upgrading")
      this.#closeTransport(false);
  }

  /**
   * Closes at once (server shutdown, or a drain deadline): flushes what the transport can take,
   * then "forced close" with `description` (default: the description of an earlier `close`).
   */
  shutdown(description?: string): void {
    if (this.#state === "closed") return;
    this.#state = "closing";
    this.#closeDescription ??= description;
    this.#flush();
    this.#closeTransport(true);
  }

  /** See {@link EngineIoSocket.on}. */
  on<E extends keyof EngineIoSocketEvents>(event: E, listener: EngineIoSocketEvents[E]): this {
    this.#listeners ??= { message: [], close: [], upgrade: [], drain: [] };
    (this.#listeners[event] as Array<EngineIoSocketEvents[E]>).push(listener);
    return this;
  }

  /** See {@link EngineIoSocket.off}. */
  off<E extends keyof EngineIoSocketEvents>(event: E, listener: EngineIoSocketEvents[E]): this {
    const list = this.#listeners?.[event] as Array<EngineIoSocketEvents[E]> | undefined;
    const at = list?.indexOf(listener) ?? -1;
    if (at !== -1) list!.splice(at, 1);
    return this;
  }

  /** See {@link EngineIoSocket.observe}. */
  observe(observer: EngineIoSessionObserver): this {
    this.#observer = observer;
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
      this.#onDrain();
      if (this.#state === "closing" && this.#queue.length === 0) this.#closeTransport(false);
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
    if (this.#state === "closing" && this.#queue.length === 0) this.#closeTransport(false);
  }

  /** During an upgrade, a held poll with nothing to carry gets `noop` so the client can pause. */
  #releasePoll(): void {
    if (this.#phase === "upgrading" && this.#transport.writable) this.#transport.send([{ type: "noop" }]);
  }

  #onPacket(packet: EngineIoPacket): void {
    if (this.#state !== "open") return;
    switch (packet.type) {
      case "pong":
        this.#sink.pong();
        break;
      case "ping":
        // v4 heartbeats go server → client only (the reference closes on a client ping).
        this.#end("transport error", "invalid heartbeat direction");
        break;
      case "message":
        this.#observer?.message(packet.data);
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
    if (this.#overMark && this.#state !== "closed" && !this.needsDrain) {
      this.#overMark = false;
      this.#graceTimer?.cancel();
      this.#graceTimer = null;
      this.#observer?.drain();
      this.#emit("drain");
    }
  }

  /**
   * Queues `item` and flushes. Returns false at or over the mark; a buffer that would pass the
   * hard cap closes the session ("slow consumer") instead — unless it is empty, so one message
   * larger than the cap still goes to an idle client.
   */
  #write(item: EngineIoOutbound): boolean {
    const bytes = this.bufferedBytes;
    const packets = this.bufferedPackets;
    if (
      (bytes > 0 || packets > 0) &&
      (bytes + outboundBytes(item) > this.#options.outboundBytesMax * SLOW_CONSUMER_CAP_FACTOR ||
        packets + outboundPackets(item) > this.#options.outboundPacketsMax * SLOW_CONSUMER_CAP_FACTOR)
    ) {
      this.#slowConsumer(`outbound buffer full (${bytes} bytes, ${packets} packets)`);
      return false;
    }
    if (this.#queue.length === 0 && this.#state === "open" && this.#transport.writable) {
      this.#transport.sendOne(item); // nothing waits: skip the queue (no allocation per recipient)
    } else {
      if (this.#queue === EMPTY_QUEUE) this.#queue = new OutboundQueue();
      this.#queue.push(item);
      this.#flush();
    }
    if (this.#state === "closed" || !this.needsDrain) return this.#state !== "closed";
    if (!this.#overMark) {
      this.#overMark = true;
      this.#graceTimer = this.#reactor.setTimer(this.#options.slowConsumerGraceMs, () => this.#graceOver());
    }
    return false;
  }

  #graceOver(): void {
    this.#graceTimer = null;
    if (this.needsDrain) {
      this.#slowConsumer(`over the high-water mark for ${this.#options.slowConsumerGraceMs} ms`);
    } else {
      this.#onDrain();
    }
  }

  #slowConsumer(description: string): void {
    this.#queue = EMPTY_QUEUE;
    this.#transport.abort();
    this.#end("slow consumer", description);
  }

  #flush(): void {
    if (this.#state === "closed" || this.#queue.length === 0 || !this.#transport.writable) return;
    this.#transport.send(this.#queue.take());
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
    this.#sink.stop();
    this.#upgradeTimer?.cancel();
    this.#upgradeTimer = null;
    this.#graceTimer?.cancel();
    this.#graceTimer = null;
    this.#queue = EMPTY_QUEUE;
    const probe = this.#probe;
    this.#probe = null;
    probe?.close(() => {}, true);
    this.#transport.sink = IGNORING_SINK;
    this.#transport.close(() => {}, true);
    if (LOGGED_REASONS.has(reason)) {
      this.#options.log(`engine.io session ${this.id} closed: ${reason}${description ? ` (${description})` : ""}`);
    }
    this.#onEnded(this);
    this.#observer?.close(reason, description);
    this.#emit("close", reason, description);
  }

  #emit<E extends keyof EngineIoSocketEvents>(event: E, ...args: Parameters<EngineIoSocketEvents[E]>): void {
    const list = this.#listeners?.[event];
    if (list === undefined || list.length === 0) return;
    for (const listener of list.length === 1 ? list : [...list]) (listener as (...a: unknown[]) => void)(...args);
  }
}
