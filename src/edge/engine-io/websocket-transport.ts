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
  type EngineIoTransportSink,
  IGNORING_SINK,
  isEncodedMessages,
} from "./engine-io-transport.js";
import type { EngineIoPacket } from "./packet.js";
import { decodeFrame, encodeFrame } from "./packet-codec.js";

/** `ws`'s readyState for an open connection. */
const WS_OPEN = 1;

/** The WebSocket transport of one session (or of a probe during an upgrade). */
export class WebSocketTransport implements EngineIoTransport {
  /** Always `websocket`. */
  readonly name = "websocket" as const;
  /** Receives packets and the close. */
  sink: EngineIoTransportSink = IGNORING_SINK;
  readonly #ws: WebSocket;
  #closed = false;

  /** Takes ownership of an open `ws` connection. */
  constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data: RawData, isBinary: boolean) => this.#onMessage(data, isBinary));
    ws.on("close", () => this.#fail("transport close", "socket closed by peer"));
    ws.on("error", (error: Error) => this.#fail("transport error", error.message));
  }

  /** True while the connection is open. */
  get writable(): boolean {
    return !this.#closed && this.#ws.readyState === WS_OPEN;
  }

  /** Writes each packet as one frame; pre-encoded messages are written as their shared frames. */
  send(items: readonly EngineIoOutbound[]): void {
    if (!this.writable) return;
    for (const item of items) {
      if (isEncodedMessages(item)) for (const frame of item.webSocketFrames) this.#ws.send(frame);
      else this.#ws.send(encodeFrame(item));
    }
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

  #fail(reason: "transport close" | "transport error" | "parse error", description: string): void {
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
