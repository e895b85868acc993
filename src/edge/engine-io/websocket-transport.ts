/**
 * The WebSocket transport of one session, on a {@link WebSocketChannel} (Chorus's own
 * `ServerWebSocket`, or the simulator's stand-in): one Engine.IO packet per message (text
 * `<digit>[data]`, or a binary message holding a binary packet's bytes). The channel batches
 * writes per turn and accounts back-pressure; this class only translates packets and ends.
 *
 * A message encoded once for many sessions (a broadcast) is written as the same frame bytes to
 * every channel that takes whole frames: nothing is encoded or copied per recipient.
 *
 * Spec: https://github.com/socketio/engine.io-protocol#websocket
 */
import { EngineIoCodecError } from "./errors.js";
import {
  type EngineIoOutbound,
  type EngineIoTransport,
  type EngineIoTransportCloseReason,
  type EngineIoTransportSink,
  IGNORING_SINK,
  isEncodedMessages,
} from "./engine-io-transport.js";
import { ENGINE_IO_TYPE_DIGITS, type EngineIoPacket } from "./packet.js";
import { decodeFrame } from "./packet-codec.js";
import type { WebSocketChannel, WebSocketChannelListener, WebSocketEnd } from "../websocket/web-socket-channel.js";

/** How each way a channel can end is reported to the session. */
const END_REASONS: Readonly<Record<WebSocketEnd, EngineIoTransportCloseReason>> = Object.freeze({
  closed: "transport close",
  error: "transport error",
  "protocol error": "transport error",
  "too large": "payload too large",
});

/** The WebSocket transport of one session (or of a probe during an upgrade). */
export class WebSocketTransport implements EngineIoTransport, WebSocketChannelListener {
  /** Receives packets and the close. */
  sink: EngineIoTransportSink = IGNORING_SINK;
  readonly #channel: WebSocketChannel;
  #closed = false;

  /** Takes ownership of an open channel: its events come here from now on. */
  constructor(channel: WebSocketChannel) {
    this.#channel = channel;
    channel.listener = this;
  }

  /** Always `websocket`. */
  get name(): "websocket" {
    return "websocket";
  }

  /** True while the connection is open. */
  get writable(): boolean {
    return !this.#closed && this.#channel.open;
  }

  /** Bytes the OS has not taken, once the peer falls behind; 0 while writes leave with their turn. */
  get bufferedBytes(): number {
    return this.#closed ? 0 : this.#channel.bufferedBytes;
  }

  /** Frames written while the peer was behind that have not reached the OS (an upper bound). */
  get bufferedPackets(): number {
    return this.#closed ? 0 : this.#channel.bufferedFrames;
  }

  /** Writes each packet as one message; pre-encoded messages are written as their shared frames. */
  send(items: readonly EngineIoOutbound[]): void {
    if (!this.writable) return;
    for (const item of items) this.#sendItem(item);
  }

  /** See {@link EngineIoTransport.sendOne}. */
  sendOne(item: EngineIoOutbound): void {
    if (this.writable) this.#sendItem(item);
  }

  #sendItem(item: EngineIoOutbound): void {
    const channel = this.#channel;
    if (!isEncodedMessages(item)) {
      const data = item.data;
      if (typeof data === "string" || data === undefined)
        return channel.sendText(data ?? "", ENGINE_IO_TYPE_DIGITS[item.type]);
      return channel.sendBinary(data);
    }
    const frame = channel.takesFrames ? item.webSocketTextFrame : undefined;
    if (frame !== undefined) return channel.sendFrame(frame);
    for (const message of item.webSocketFrames) {
      if (typeof message === "string") channel.sendText(message, "");
      else channel.sendBinary(message);
    }
  }

  /** See {@link EngineIoTransport.abort}: destroys the connection without a closing handshake. */
  abort(): void {
    if (this.#closed) return;
    this.#shutdown();
    this.#channel.terminate();
  }

  /** Closes the WebSocket (normal closure), then calls `done`. */
  close(done: () => void, _discard: boolean): void {
    if (this.#closed) return;
    this.#shutdown();
    this.#channel.close();
    done();
  }

  /** Not used for WebSocket (nothing upgrades away from it); closes quietly. */
  discard(): void {
    this.close(() => {}, true);
  }

  /** See {@link WebSocketChannelListener.onMessage}. */
  onMessage(data: string | Buffer, isBinary: boolean): void {
    if (this.#closed) return;
    let packet: EngineIoPacket;
    try {
      packet = decodeFrame(isBinary ? data : typeof data === "string" ? data : data.toString());
    } catch (error) {
      if (!(error instanceof EngineIoCodecError)) throw error;
      this.#fail("parse error", error.message);
      this.#channel.close();
      return;
    }
    this.sink.packet(packet);
  }

  /** See {@link WebSocketChannelListener.onDrain}. */
  onDrain(): void {
    if (!this.#closed) this.sink.drain();
  }

  /** See {@link WebSocketChannelListener.onEnd}. */
  onEnd(end: WebSocketEnd, description: string): void {
    this.#fail(END_REASONS[end], description);
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
