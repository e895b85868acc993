/**
 * One wire connection: a state machine over a {@link WireDuplex} (bytes in, bytes out) with all
 * timing through the {@link Reactor}, so it runs the same on a socket and under the simulator.
 *
 * ```
 *   handshaking ──(peer's HELLO valid)──► open ──(close / CLOSE / error / stream end)──► closed
 *        └──────(bad HELLO, version mismatch, hello timeout, stream end)──────────────────┘
 * ```
 * - Both sides send HELLO first; a connection is open once it has the peer's HELLO.
 * - Sends: acknowledged (resolve when the peer's handler finished; pipelined up to the peer's
 *   advertised slots, in order) or fire-and-forget (resolve when written; at most once). Every
 *   send has a deadline; the outbound queue is bounded (wait for room, or reject).
 * - Receiving: at most `slots` handlers at once ({@link ReceiveSlots}); ACK/NACK/PING/PONG never
 *   need a slot, so they are acted on however busy the handlers are.
 * - Frames written in one tick go to the byte stream as one write ({@link FrameWriter}).
 * Spec: docs/wire-protocol.md.
 */
import type { Reactor, TimerHandle } from "../reactor/reactor.js";
import { BodyCodec } from "./body-codec.js";
import { ConnectionLiveness, type LivenessHost } from "./connection-liveness.js";
import {
  resolveConnectionOptions,
  type ResolvedConnectionOptions,
  type WireConnectionOptions,
} from "./connection-options.js";
import { ConnectionReceiver } from "./connection-receiver.js";
import { ConnectionSender } from "./connection-sender.js";
import { decodeNack, encodeClose, encodeNack, nackRecordOf, peerClose } from "./control-records.js";
import { WIRE_CLOSE_NORMAL, WireError } from "./errors.js";
import type { WireFrame } from "./frame.js";
import { TYPE_CODE } from "./frame-writer.js";
import { decodeHello, encodeHello, type HelloRecord, nodeIdHex, WIRE_PROTOCOL_VERSION } from "./hello-record.js";
import type { OutboundEntry, SendOptions } from "./outbound-entry.js";
import { ReceiveSlots } from "./receive-slots.js";
import { WireSendError } from "./send-error.js";
import type { TrySendStatus } from "./try-send-status.js";
import type { WireDuplex } from "./wire-duplex.js";
import type { WireCloseInfo, WireConnectionStats, WireConnectionStatus } from "./wire-connection-types.js";
import type { InboundMessage, WireFireAndForgetHandler, WireMessageHandler } from "./wire-message.js";

const EMPTY = new Uint8Array(0);

/** A node-to-node connection over any byte stream. */
export class WireConnection {
  /** Called once the handshake completed. */
  onOpen: ((peer: HelloRecord) => void) | null = null;
  /** Called once when the connection closed. */
  onClose: ((info: WireCloseInfo) => void) | null = null;
  /** Resolved options. */
  readonly options: ResolvedConnectionOptions;
  /** @internal Set by the dialer: keep queued sends at close so a new connection can adopt them. */
  keepUnsentOnClose = false;
  /** @internal Run at close before {@link onClose} (listeners and dialers track connections with it). */
  readonly closeHooks: Array<(info: WireCloseInfo) => void> = [];

  readonly #reactor: Reactor;
  readonly #duplex: WireDuplex;
  readonly #codec = new BodyCodec();
  readonly #receiver: ConnectionReceiver;
  readonly #sender: ConnectionSender;
  readonly #slots: ReceiveSlots;
  readonly #liveness: ConnectionLiveness;
  #status: WireConnectionStatus = "handshaking";
  #peer: HelloRecord | null = null;
  #peerId = "";
  #helloTimer: TimerHandle | null;
  #unsent: OutboundEntry[] = [];
  #closeInfo: WireCloseInfo | null = null;
  #openWaiters: Array<{ resolve: (peer: HelloRecord) => void; reject: (error: Error) => void }> = [];
  /** Monotonic ms of the last MSG written (the receiver keeps the last one received). */
  #lastMessageMs: number;

  /**
   * Starts the connection: writes HELLO and waits `helloTimeoutMs` for the peer's.
   * @throws TypeError / RangeError for invalid options.
   */
  constructor(duplex: WireDuplex, reactor: Reactor, options: WireConnectionOptions = {}) {
    this.#reactor = reactor;
    this.#duplex = duplex;
    this.options = resolveConnectionOptions(options, () => reactor.randomByteArray(16));
    const o = this.options;
    this.#lastMessageMs = reactor.nowMs();
    this.#sender = new ConnectionSender(reactor, duplex, this.#codec, o, {
      peerSlots: () => this.#peer!.slots,
      needsProbe: (resume) => this.#liveness.needsProbe(resume),
      messagesWritten: () => (this.#lastMessageMs = reactor.nowMs()),
    });
    this.#slots = new ReceiveSlots(o.slots, {
      answer: (message, error) => this.#answer(message, error),
      setReading: (on) => (on ? duplex.resume() : duplex.pause()),
      fail: (error) => this.#fail(error),
    });
    const host: LivenessHost = {
      writePing: (id) => this.#sender.control(TYPE_CODE.ping, id),
      lastFrameMs: () => this.#receiver.lastFrameMs,
      lastMessageMs: () => Math.max(this.#lastMessageMs, this.#receiver.lastMessageMs),
      isQuiet: () => this.#isQuiet(),
      fail: (error) => this.#fail(error),
      closeIdle: () => this.close(WIRE_CLOSE_NORMAL, "idle"),
    };
    this.#liveness = new ConnectionLiveness(reactor, host, o.pingIntervalMs, o.pingTimeoutMs, o.idleMs);
    this.#receiver = new ConnectionReceiver(reactor, this.#codec, this.#slots, o.frameBytesMax, {
      status: () => this.#status,
      frame: (frame) => this.#onFrame(frame),
      fail: (error) => this.#fail(error),
    });
    duplex.onData = (chunk) => this.#receiver.data(chunk);
    duplex.onDrain = () => this.#sender.drained();
    duplex.onClose = (error) => this.#onStreamClosed(error);
    const { nodeId, nodeName, slots, frameBytesMax, listen } = o;
    const hello = { protocolVersion: WIRE_PROTOCOL_VERSION, nodeId, nodeName, slots, frameBytesMax, listen };
    this.#sender.frame(TYPE_CODE.hello, 0, encodeHello(this.#codec, hello));
    this.#helloTimer = reactor.setTimer(o.helloTimeoutMs, () =>
      this.#fail(new WireError("hello_timeout", `no HELLO within ${o.helloTimeoutMs} ms`)),
    );
  }

  /** Where the connection is in its lifecycle. */
  get status(): WireConnectionStatus {
    return this.#status;
  }

  /** The peer's HELLO, once open. */
  get peer(): HelloRecord | null {
    return this.#peer;
  }

  /** The peer's node id as 32 hex characters, once open ("" before). */
  get peerId(): string {
    return this.#peerId;
  }

  /** Why it closed, once closed. */
  get closeInfo(): WireCloseInfo | null {
    return this.#closeInfo;
  }

  /** The handler of inbound messages (see {@link WireMessageHandler}); null NACKs them. */
  get onMessage(): WireMessageHandler | null {
    return this.#slots.handler;
  }

  set onMessage(handler: WireMessageHandler | null) {
    this.#slots.handler = handler;
  }

  /**
   * The handler of fire-and-forget messages, when set (the receive fast path; see
   * {@link WireFireAndForgetHandler}: its message object is reused). Arrival order with
   * {@link onMessage}'s messages is kept; null (default) hands them to {@link onMessage}.
   */
  get onFireAndForget(): WireFireAndForgetHandler | null {
    return this.#slots.fireAndForget;
  }

  set onFireAndForget(handler: WireFireAndForgetHandler | null) {
    this.#slots.fireAndForget = handler;
  }

  /** Counters. */
  get stats(): WireConnectionStats {
    const sender = this.#sender;
    return {
      messagesSent: sender.sent,
      messagesReceived: this.#receiver.received,
      acksLate: sender.acksLate,
      inFlight: sender.inFlight.size,
      queued: sender.queue.queued,
      waiting: sender.queue.waiting,
      slotsBusy: this.#slots.busy,
      parked: this.#slots.parked,
      handlerErrors: this.#slots.handlerErrors,
    };
  }

  /** Resolves with the peer's HELLO once open; rejects with `connection_lost` if it closes first. */
  whenOpen(): Promise<HelloRecord> {
    if (this.#status === "open") return Promise.resolve(this.#peer!);
    if (this.#status === "closed") return Promise.reject(this.#lostError("before it opened"));
    return new Promise((resolve, reject) => this.#openWaiters.push({ resolve, reject }));
  }

  /**
   * Sends one message; the body is encoded as msgpack (a Uint8Array goes as `bin` and arrives as
   * a view, without a copy). Resolves when the peer's handler finished (`ack`, the default) or
   * when the frame was handed to the byte stream (`ack: false`: at most once, lost if the peer
   * dies). Sends queued before the handshake go out after it, in order.
   * Rejects with {@link WireSendError}: `message_too_large` (at once, nothing written),
   * `queue_full` (`whenFull: "reject"`), `send_timeout`, `handler_failed` (NACK),
   * `connection_lost`, `closed` or `unencodable_body`.
   */
  send(body: unknown, options?: SendOptions): Promise<void> {
    return this.#sender.send(body, options);
  }

  /**
   * Sends one fire-and-forget message (at most once) if it can go into this tick's write batch
   * now — synchronously, without a promise: the fast path of a producer of many small messages.
   * Returns a {@link TrySendStatus} (`"blocked"`: nothing written, await {@link whenWritable}).
   * The body is encoded as in {@link send}; `header`: upper-layer header bytes (≤ 65,535).
   * @throws WireSendError `message_too_large` or `unencodable_body` (nothing written).
   */
  trySend(body: unknown, header: Uint8Array = EMPTY): TrySendStatus {
    return this.#sender.trySend(body, header);
  }

  /**
   * True when a fire-and-forget send goes straight to the byte stream: open, nothing queued, and
   * the stream below its high-water mark. A fast producer checks it (or awaits
   * {@link whenWritable}) instead of piling sends into the outbound queue.
   */
  get writable(): boolean {
    return this.#sender.writable;
  }

  /** Resolves when {@link writable} is true again (or the connection closed). */
  whenWritable(): Promise<void> {
    return this.#sender.whenWritable();
  }

  /**
   * Sends a PING and resolves with the round trip in ms. Rejects with `send_timeout` after
   * `timeoutMs` (default `pingTimeoutMs`; the connection stays open), `closed` or `connection_lost`.
   */
  ping(timeoutMs = this.options.pingTimeoutMs): Promise<number> {
    if (this.#status !== "open") return Promise.reject(new WireSendError("closed", "the connection is not open"));
    return this.#liveness.pingRoundTrip(timeoutMs, () => this.#lostError("before the PONG"));
  }

  /**
   * Closes: writes CLOSE with `code` (default 1000) and `reason`, then ends the stream.
   * Unfinished sends reject with `connection_lost`. Idempotent.
   */
  close(code = WIRE_CLOSE_NORMAL, reason = "closed"): void {
    if (this.#status === "closed") return;
    this.#sender.frame(TYPE_CODE.close, 0, encodeClose(this.#codec, { code, reason }));
    this.#sender.flush();
    this.#teardown({ code, reason, error: null, byPeer: false });
  }

  /** @internal The dialer takes the sends that were never written, to retry them on a new connection. */
  takeUnsent(): OutboundEntry[] {
    return this.#unsent.splice(0);
  }

  /** @internal Adopts unsent sends of a closed connection (see {@link takeUnsent}). */
  adopt(entries: readonly OutboundEntry[]): void {
    this.#sender.adopt(entries);
  }

  // ---- receiving ----

  #onFrame(frame: WireFrame): void {
    if (this.#status === "closed") return;
    if (this.#status === "handshaking") {
      if (frame.type === "hello") this.#onHello(frame.body);
      else if (frame.type === "close") this.#onPeerClose(frame.body);
      else this.#fail(new WireError("bad_hello", `${frame.type.toUpperCase()} before HELLO`));
      return;
    }
    switch (frame.type) {
      case "msg": // delivered by the receiver
        break;
      case "ack":
        this.#sender.answered(frame.id, null);
        break;
      case "nack":
        this.#onNack(frame.id, frame.body);
        break;
      case "ping":
        if (++this.#sender.pongsOwed > this.options.pongsOwedMax)
          this.#fail(new WireError("flood", `more than ${this.options.pongsOwedMax} PINGs unanswered while unread`));
        else this.#sender.control(TYPE_CODE.pong, frame.id);
        break;
      case "pong":
        this.#liveness.pong(frame.id);
        break;
      case "close":
        this.#onPeerClose(frame.body);
        break;
      case "hello":
        this.#fail(new WireError("bad_hello", "second HELLO"));
        break;
    }
  }

  #onHello(body: Uint8Array): void {
    let hello: HelloRecord;
    try {
      hello = decodeHello(this.#codec, body);
    } catch (error) {
      return this.#fail(error instanceof WireError ? error : new WireError("bad_hello", String(error)));
    }
    this.#helloTimer?.cancel();
    this.#helloTimer = null;
    this.#peer = hello;
    this.#peerId = this.#receiver.peerId = nodeIdHex(hello.nodeId);
    this.#status = "open";
    this.#sender.open = true;
    this.#sender.frameLimit = Math.min(this.options.frameBytesMax, hello.frameBytesMax);
    this.#lastMessageMs = this.#reactor.nowMs();
    this.#liveness.start();
    const waiters = this.#openWaiters;
    this.#openWaiters = [];
    this.onOpen?.(hello);
    for (const waiter of waiters) waiter.resolve(hello);
    this.#sender.pump();
  }

  #onNack(id: number, body: Uint8Array): void {
    let record;
    try {
      record = decodeNack(this.#codec, body);
    } catch (error) {
      return this.#fail(error as WireError);
    }
    const text = `the peer's handler failed: ${record.code}: ${record.message}`;
    this.#sender.answered(id, new WireSendError("handler_failed", text, { remoteCode: record.code }));
  }

  #onPeerClose(body: Uint8Array): void {
    this.#teardown({ ...peerClose(this.#codec, body), byPeer: true });
  }

  /** Answers a finished ack-requested message. */
  #answer(message: InboundMessage, error: unknown): void {
    if (this.#status === "closed") return;
    if (error === null || error === undefined) this.#sender.control(TYPE_CODE.ack, message.id);
    else this.#sender.frame(TYPE_CODE.nack, message.id, encodeNack(this.#codec, nackRecordOf(error)));
  }

  // ---- closing ----

  #fail(error: WireError): void {
    if (this.#status === "closed") return;
    this.#sender.frame(TYPE_CODE.close, 0, encodeClose(this.#codec, { code: error.closeCode, reason: error.message }));
    this.#sender.flush();
    this.#teardown({ code: error.closeCode, reason: error.message, error, byPeer: false });
  }

  #onStreamClosed(error: Error | null): void {
    if (this.#status === "closed") return;
    this.#receiver.end();
    // The decoder may have reported truncated_frame, which closed the connection.
    if ((this.#status as WireConnectionStatus) === "closed") return;
    const cause = error === null ? null : new WireError("write_failed", error.message, { cause: error });
    this.#teardown({ code: cause?.closeCode ?? WIRE_CLOSE_NORMAL, reason: "stream ended", error: cause, byPeer: true });
  }

  #teardown(info: WireCloseInfo): void {
    if (this.#status === "closed") return;
    this.#status = "closed";
    this.#sender.open = false;
    this.#closeInfo = info;
    this.#helloTimer?.cancel();
    this.#helloTimer = null;
    this.#slots.close();
    this.#liveness.stop();
    this.#unsent = this.#sender.stop(this.#lostError(""), this.keepUnsentOnClose);
    this.#duplex.onData = null;
    this.#duplex.onDrain = null;
    this.#duplex.onClose = null;
    this.#duplex.close();
    const waiters = this.#openWaiters;
    this.#openWaiters = [];
    for (const waiter of waiters) waiter.reject(this.#lostError("before it opened"));
    for (const hook of this.closeHooks) hook(info);
    this.onClose?.(info);
  }

  #lostError(when: string): WireSendError {
    const info = this.#closeInfo;
    const why = info === null ? "closed" : `closed (${info.code} ${info.reason})`;
    return new WireSendError("connection_lost", `the connection ${why}${when === "" ? "" : ` ${when}`}`, {
      cause: info?.error ?? undefined,
    });
  }

  #isQuiet(): boolean {
    const { inFlight, queued, waiting, slotsBusy, parked } = this.stats;
    return inFlight + queued + waiting + slotsBusy + parked === 0;
  }
}
