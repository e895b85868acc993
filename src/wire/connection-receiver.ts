/**
 * The receiving half of a {@link WireConnection}: decodes the inbound byte stream, hands each MSG
 * to the {@link ReceiveSlots} — a fire-and-forget one straight to the fast-path handler when a
 * slot is free and nothing waits ahead of it, without allocating a message — and every other
 * frame to the connection. Keeps the times of the last frame and the last MSG received (for
 * keepalive and idle reaping).
 */
import type { Reactor } from "../reactor/reactor.js";
import type { BodyCodec } from "./body-codec.js";
import { WireError } from "./errors.js";
import type { WireFrame } from "./frame.js";
import { FrameDecoder, type MsgSink } from "./frame-decoder.js";
import type { ReceiveSlots } from "./receive-slots.js";
import type { WireConnectionStatus } from "./wire-connection-types.js";
import { InboundMessage } from "./wire-message.js";

/** What the receiver needs from its connection. */
export interface ReceiverHost {
  /** Where the connection is in its lifecycle. */
  status(): WireConnectionStatus;
  /** A frame other than MSG, in stream order. */
  frame(frame: WireFrame): void;
  /** A protocol error: the connection closes with it. */
  fail(error: WireError): void;
}

const EMPTY = new Uint8Array(0);

/** Decoding and dispatch of one connection's inbound frames. */
export class ConnectionReceiver {
  /** The peer's node id (hex), set by the connection once open; carried by every message. */
  peerId = "";
  /** MSGs received. */
  received = 0;
  /** Monotonic ms of the last chunk that completed a frame. */
  lastFrameMs: number;
  /** Monotonic ms of the last chunk that completed a MSG. */
  lastMessageMs: number;
  readonly #reactor: Reactor;
  readonly #codec: BodyCodec;
  readonly #slots: ReceiveSlots;
  readonly #host: ReceiverHost;
  readonly #decoder: FrameDecoder;

  /**
   * @param frameBytesMax - the largest frame accepted, in bytes.
   * @throws RangeError for an invalid `frameBytesMax`.
   */
  constructor(reactor: Reactor, codec: BodyCodec, slots: ReceiveSlots, frameBytesMax: number, host: ReceiverHost) {
    this.#reactor = reactor;
    this.#codec = codec;
    this.#slots = slots;
    this.#host = host;
    this.lastFrameMs = this.lastMessageMs = reactor.nowMs();
    this.#decoder = new FrameDecoder(
      (event) => (event.type === "frame" ? host.frame(event.frame) : host.fail(event.error)),
      { frameBytesMax },
      { copy: false, onMsg: this.#onMsgFrame },
    );
  }

  // Timestamps are taken once per chunk, and only when it completed a frame (a peer trickling one
  // frame byte by byte does not count as alive: the keepalive then probes it).
  /** Feeds one chunk of the inbound stream (kept as views: the transport must not reuse it). */
  data(chunk: Uint8Array): void {
    const frames = this.#decoder.framesDecoded;
    const received = this.received;
    // A plain Uint8Array view: its subarray is cheaper than Buffer's, and bodies look the same on every transport.
    this.#decoder.push(
      chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
    );
    if (this.#decoder.framesDecoded === frames) return;
    const nowMs = this.#reactor.nowMs();
    this.lastFrameMs = nowMs;
    if (this.received !== received) this.lastMessageMs = nowMs;
  }

  /** The stream ended: reports `truncated_frame` (through the host) if it ended inside a frame. */
  end(): void {
    this.#decoder.end();
  }

  readonly #onMsgFrame: MsgSink = (id, ackRequested, source, headerStart, bodyStart, end) => {
    const status = this.#host.status();
    if (status !== "open") {
      if (status === "handshaking") this.#host.fail(new WireError("bad_hello", "MSG before HELLO"));
      return;
    }
    let body: unknown;
    try {
      body = this.#codec.decodeRange(source, bodyStart, end);
    } catch (error) {
      return this.#host.fail(error as WireError);
    }
    const header = headerStart === bodyStart ? EMPTY : source.subarray(headerStart, bodyStart);
    this.received++;
    if (ackRequested || !this.#slots.tryRunFireAndForget(body, header, id, this.peerId))
      this.#slots.receive(new InboundMessage(body, header, ackRequested, id, this.peerId));
  };
}
