/**
 * The WebSocket transport of one session, on a `ws` connection: one Engine.IO packet per frame
 * (text `<digit>[data]`, or a binary frame holding a binary message's bytes).
 *
 * Spec: https://github.com/socketio/engine.io-protocol#websocket
 */
import type { RawData, WebSocket } from "ws";
import { EngineIoCodecError } from "./errors.js";
import {
  type EngineIoOutbound,
  type EngineIoTransport,
  type EngineIoTransportCloseReason,
  type EngineIoTransportSink,
  IGNORING_SINK,
  isEncodedMessages,
} from "./engine-io-transport.js";
import type { EngineIoPacket } from "./packet.js";
import { decodeFrame, encodeFrame } from "./packet-codec.js";

/** `ws`'s readyState for an open connection. */
const WS_OPEN = 1;

/**
 * A frame at least this long (characters or bytes) is written with a completion callback even
 * when nothing is buffered, so a single large frame the OS cannot take at once still reports its
 * drain.
 */
const WATCHED_FRAME_LENGTH = 1024;

/** `ws`'s error code for a message over `maxPayload` (it closes with 1009). */
const WS_ERR_TOO_LARGE = "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";

/** The WebSocket transport of one session (or of a probe during an upgrade). */
export class WebSocketTransport implements EngineIoTransport {
  /** Always `websocket`. */
  readonly name = "websocket" as const;
  /** Receives packets and the close. */
  sink: EngineIoTransportSink = IGNORING_SINK;
  readonly #ws: WebSocket;
  #closed = false;
  /** Frames written with a completion callback that has not run yet. */
  #pendingFrames = 0;
  /** One callback per transport (no allocation per frame): a watched frame reached the OS. */
  readonly #onFrameWritten = (): void => {
    if (this.#pendingFrames > 0) this.#pendingFrames--;
    if (!this.#closed) this.sink.drain();
  };

  /** Takes ownership of an open `ws` connection. */
  constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data: RawData, isBinary: boolean) => this.#onMessage(data, isBinary));
    ws.on("close", () => this.#fail("transport close", "socket closed by peer"));
    ws.on("error", (error: Error & { code?: string }) =>
      error.code === WS_ERR_TOO_LARGE
        ? this.#fail("payload too large", `${error.message} (close code 1009)`)
        : this.#fail("transport error", error.message),
    );
  }

  /** True while the connection is open. */
  get writable(): boolean {
    return !this.#closed && this.#ws.readyState === WS_OPEN;
  }

  /** `ws`'s `bufferedAmount`: bytes queued in `ws` and the socket, not yet taken by the OS. */
  get bufferedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  /** Frames written while the socket was backed up whose write has not completed. */
  get bufferedPackets(): number {
    return this.#pendingFrames;
  }

  /**
   * Writes each packet as one frame; pre-encoded messages are written as their shared frames.
   * While the socket is backed up, each frame carries a completion callback, which reports
   * `drain` to the sink as the OS takes the frames.
   */
  send(items: readonly EngineIoOutbound[]): void {
    if (!this.writable) return;
    for (const item of items) this.#sendItem(item);
  }

  /** See {@link EngineIoTransport.sendOne}. */
  sendOne(item: EngineIoOutbound): void {
    if (this.writable) this.#sendItem(item);
  }

  #sendItem(item: EngineIoOutbound): void {
    if (isEncodedMessages(item)) for (const frame of item.webSocketFrames) this.#sendFrame(frame);
    else this.#sendFrame(encodeFrame(item));
  }

  #sendFrame(frame: string | Uint8Array): void {
    const length = typeof frame === "string" ? frame.length : frame.byteLength;
    if (length >= WATCHED_FRAME_LENGTH || this.#ws.bufferedAmount > 0) {
      this.#pendingFrames++;
      this.#ws.send(frame, this.#onFrameWritten);
    } else {
      this.#ws.send(frame);
    }
  }

  /** See {@link EngineIoTransport.abort}: destroys the socket without a close handshake. */
  abort(): void {
    if (this.#closed) return;
    this.#shutdown();
    this.#ws.terminate();
  }

  /** Closes the WebSocket (normal closure), then calls `done`. */
  close(done: () => void, _discard: boolean): void {
    if (this.#closed) return;
    this.#shutdown();
    this.#ws.close();
    done();
  }

  /** Not used for WebSocket (nothing upgrades away from it); closes quietly. */
  discard(): void {
    this.close(() => {}, true);
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.#closed) return;
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    let packet: EngineIoPacket;
    try {
      packet = decodeFrame(isBinary ? bytes : bytes.toString("utf8"));
    } catch (error) {
      if (!(error instanceof EngineIoCodecError)) throw error;
      this.#fail("parse error", error.message);
      this.#ws.close();
      return;
    }
    this.sink.packet(packet);
  }

  #fail(reason: EngineIoTransportCloseReason, description: string): void {
    if (this.#closed) return;
    const sink = this.sink;
    this.#shutdown();
    sink.closed(reason, description);
  }

  #shutdown(): void {
    this.#closed = true;
    this.sink = IGNORING_SINK;
  }
}
