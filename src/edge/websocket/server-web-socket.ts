/**
 * One WebSocket connection, server side, on the socket of an accepted HTTP upgrade: reads the
 * client's frames ({@link FrameReader}), writes whole frames (`frame-writer.ts`), answers pings,
 * runs the closing handshake, and reports back-pressure, without an EventEmitter or a stream of
 * its own: the socket's `data` event feeds the reader, which calls the listener directly.
 *
 * Writes are batched per loop turn (see `socket-corker.ts`): a turn's frames for one connection
 * leave in one `write` (joined when small, corked as a `writev` when large), so a busy room's
 * broadcasts cost one syscall per recipient per turn and an echo costs one write of one buffer.
 *
 * ```
 * turn's frames ─► pending (flushed early past CORKED_BYTES_MAX) ─► end of turn: one write
 *   OS took everything ─► idle: bufferedBytes 0
 *   bytes left         ─► backlogged: bufferedBytes = socket.writableLength + the turn's pending, and an empty
 *                         marker write whose completion re-checks and reports `drain`
 * closing: close frame, then FIN; the socket is destroyed when the peer's FIN comes, or after
 * closeTimeoutMs (a peer that never closes cannot hold it).
 * ```
 * Spec: https://www.rfc-editor.org/rfc/rfc6455
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Reactor, TimerHandle } from "../../reactor/reactor.js";
import type { Corked, SocketCorker } from "../engine-io/socket-corker.js";
import { FrameReader, type FrameReaderSink, type WebSocketFailureCode } from "./frame-reader.js";
import { binaryFrame, binaryHeader, closeFrame, pongFrame, textFrame } from "./frame-writer.js";
import { acceptUpgrade, checkUpgrade, isRefusal, refuseUpgrade } from "./handshake.js";
import {
  IGNORING_LISTENER,
  type WebSocketChannel,
  type WebSocketChannelListener,
  type WebSocketEnd,
} from "./web-socket-channel.js";

/**
 * Bytes one connection may hold pending in one turn before they are written at once (the rest
 * of the turn is batched again): bounds what a burst holds and lets a large frame leave (and its
 * back-pressure show) without waiting for the end of the turn. 64 KiB.
 */
export const CORKED_BYTES_MAX = 64 * 1024;

/** Binary payloads at least this long are written after their header without being copied. */
const COPY_BYTES_MAX = 16 * 1024;

/** Reason texts sent with the close codes of protocol violations (RFC 6455 §7.4.1). */
export const WEBSOCKET_CLOSE_REASONS: Readonly<Record<WebSocketFailureCode, string>> = Object.freeze({
  1002: "protocol error",
  1007: "invalid UTF-8",
  1009: "payload too large",
});

/** How a {@link ServerWebSocket} behaves. */
export interface ServerWebSocketOptions {
  /** Timers (the closing handshake's deadline). */
  readonly reactor: Reactor;
  /** Longest message accepted, in bytes; a longer one closes the connection with 1009. */
  readonly payloadBytesMax: number;
  /** How long a closing connection waits for the peer to close before it is destroyed, in ms. */
  readonly closeTimeoutMs: number;
  /** Batches writes per loop turn; null writes each frame at once. */
  readonly corker: SocketCorker | null;
}

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

/** A zero-length write: its callback runs once everything written before it reached the OS. */
const MARKER = Buffer.alloc(0);

/**
 * Answers a WebSocket upgrade request: refuses it (and destroys the socket) when the handshake is
 * invalid, else writes the `101` and returns the connection, not reading yet (see
 * {@link ServerWebSocket.start}). Null when refused or when the client is already gone.
 */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  options: ServerWebSocketOptions,
): ServerWebSocket | null {
  const upgrade = checkUpgrade(req);
  if (isRefusal(upgrade)) {
    refuseUpgrade(socket, upgrade);
    return null;
  }
  return acceptUpgrade(socket, upgrade) ? new ServerWebSocket(socket, options) : null;
}

/** One server-side WebSocket connection (see the module comment). */
export class ServerWebSocket implements WebSocketChannel, FrameReaderSink, Corked {
  listener: WebSocketChannelListener = IGNORING_LISTENER;
  readonly #socket: Duplex;
  readonly #options: ServerWebSocketOptions;
  readonly #reader: FrameReader;
  #state = OPEN;
  /** True once the end was reported, or needs no report (the server closed or terminated). */
  #ended = false;
  #closeTimer: TimerHandle | null = null;
  /** This turn's first pending buffer, the rest when there are more, and their bytes. */
  #pending: Buffer | Uint8Array | null = null;
  #pendingList: (Buffer | Uint8Array)[] | null = null;
  #pendingBytes = 0;
  /** Frames among the pending buffers (not yet handed to the socket). */
  #pendingFrames = 0;
  /** True while registered with the corker for this turn. */
  #registered = false;
  /** True once a write left bytes the OS did not take, until a marker finds none. */
  #backlogged = false;
  /** Frames written and not known to have reached the OS. */
  #frames = 0;
  /** Frames counted when the outstanding marker was written; -1 when none is outstanding. */
  #markerFrames = -1;
  /** The marker's completion callback, made on the first backlog: idle connections never need it. */
  #onWritten: ((error?: Error | null) => void) | null = null;

  /**
   * Takes the socket of an upgrade whose `101` answer was written. Nothing is read until
   * {@link start}, so the owner can set its listener first.
   */
  constructor(socket: Duplex, options: ServerWebSocketOptions) {
    this.#socket = socket;
    this.#options = options;
    this.#reader = new FrameReader(this, options.payloadBytesMax);
  }

  /** Starts reading: `head` holds bytes that came with the upgrade request (usually none). */
  start(head: Buffer): void {
    const socket = this.#socket;
    (socket as Duplex & { setNoDelay?(on: boolean): void }).setNoDelay?.(true);
    socket.on("data", (chunk: Buffer) => this.#reader.push(chunk));
    socket.on("end", () => this.#onSocketEnd());
    socket.on("error", (error: Error) => this.#end("error", error.message));
    socket.on("close", () => this.#onSocketClose());
    if (head.length > 0) this.#reader.push(Buffer.from(head));
  }

  get open(): boolean {
    return this.#state === OPEN;
  }

  get bufferedBytes(): number {
    return this.#backlogged && this.#state !== CLOSED ? this.#socket.writableLength + this.#pendingBytes : 0;
  }

  get bufferedFrames(): number {
    return this.#backlogged && this.#state !== CLOSED ? this.#frames : 0;
  }

  get takesFrames(): true {
    return true;
  }

  sendText(text: string, prefix: string): void {
    if (this.#state === OPEN) this.#queue(textFrame(text, prefix), true);
  }

  sendBinary(bytes: Uint8Array): void {
    if (this.#state !== OPEN) return;
    if (bytes.length < COPY_BYTES_MAX) return this.#queue(binaryFrame(bytes), true);
    this.#queue(binaryHeader(bytes.length), true);
    this.#queue(bytes, false);
  }

  sendFrame(frame: Uint8Array): void {
    if (this.#state === OPEN) this.#queue(frame, true);
  }

  /** Starts the closing handshake; without a `code` the close frame carries no status (as `ws`'s `close()`). */
  close(code = 1005, reason = ""): void {
    if (this.#state !== OPEN) return;
    this.#ended = true;
    this.#startClosing(code, reason);
  }

  terminate(): void {
    if (this.#state === CLOSED) return;
    this.#ended = true;
    this.#state = CLOSED;
    this.#closeTimer?.cancel();
    this.#dropPending();
    this.#socket.destroy();
  }

  /** See {@link Corked.uncorkTurn}: the corker's end-of-turn flush. */
  uncorkTurn(): void {
    this.#registered = false;
    this.#flush();
  }

  // FrameReaderSink: what the client sent.

  onText(text: string): void {
    if (this.#state === OPEN) this.listener.onMessage(text, false);
  }

  onBinary(bytes: Buffer): void {
    if (this.#state === OPEN) this.listener.onMessage(bytes, true);
  }

  onPing(payload: Buffer): void {
    if (this.#state === OPEN) this.#queue(pongFrame(payload), true);
  }

  onClose(code: number, reason: string): void {
    if (this.#state !== OPEN) return;
    // Echo the peer's status (RFC 6455 §5.5.1); a close without one is answered without one.
    this.#startClosing(code, "");
    this.#end("closed", `closed by the peer (${code}${reason === "" ? "" : ` ${reason}`})`);
  }

  onFail(code: WebSocketFailureCode, message: string): void {
    if (this.#state !== OPEN) return;
    this.#startClosing(code, WEBSOCKET_CLOSE_REASONS[code]);
    this.#end(code === 1009 ? "too large" : "protocol error", `${message} (close code ${code})`);
  }

  /** Writes (or batches) one buffer; `frame` counts it as a frame for back-pressure. */
  #queue(bytes: Buffer | Uint8Array, frame: boolean): void {
    if (frame) this.#frames++;
    const corker = this.#options.corker;
    if (corker === null) {
      this.#socket.write(bytes);
      return this.#checkBacklog();
    }
    if (this.#pending === null) this.#pending = bytes;
    else if (this.#pendingList === null) this.#pendingList = [this.#pending, bytes];
    else this.#pendingList.push(bytes);
    this.#pendingBytes += bytes.length;
    if (frame) this.#pendingFrames++;
    if (!this.#registered) {
      this.#registered = true;
      corker.add(this);
    }
    if (this.#pendingBytes >= CORKED_BYTES_MAX) this.#flush();
  }

  /** Writes what this turn batched: one buffer as is, several joined (small) or corked (large). */
  #flush(): void {
    const one = this.#pending;
    if (one === null || this.#state === CLOSED) return;
    const list = this.#pendingList;
    const bytes = this.#pendingBytes;
    this.#dropPending();
    const socket = this.#socket;
    if (list === null) socket.write(one);
    else if (bytes <= CORKED_BYTES_MAX) socket.write(Buffer.concat(list, bytes));
    else {
      socket.cork();
      for (const item of list) socket.write(item);
      socket.uncork();
    }
    this.#checkBacklog();
  }

  #dropPending(): void {
    this.#pending = null;
    this.#pendingList = null;
    this.#pendingBytes = 0;
    this.#pendingFrames = 0;
  }

  /** After a write: bytes left mean the peer is behind, and a marker watches for the drain. */
  #checkBacklog(): void {
    if (this.#state === CLOSED) return;
    if (this.#socket.writableLength === 0) {
      if (!this.#backlogged) this.#frames = 0;
      return;
    }
    this.#backlogged = true;
    if (this.#markerFrames === -1) this.#writeMarker();
  }

  #writeMarker(): void {
    // The marker follows what the socket holds, not this turn's pending frames.
    this.#markerFrames = this.#frames - this.#pendingFrames;
    this.#onWritten ??= (error) => this.#markerDone(error);
    this.#socket.write(MARKER, this.#onWritten);
  }

  /** Everything written before the marker reached the OS: re-check, and report the drain. */
  #markerDone(error: Error | null | undefined): void {
    const done = this.#markerFrames;
    this.#markerFrames = -1;
    if (this.#state === CLOSED || (error !== null && error !== undefined)) return;
    this.#frames = Math.max(0, this.#frames - done);
    // Closing: the socket has been ended, so no more writes (the close timer bounds the rest).
    if (this.#state !== OPEN) return;
    if (this.#socket.writableLength > 0) {
      this.#writeMarker();
    } else {
      this.#backlogged = false;
      this.#frames = this.#pendingFrames;
    }
    this.listener.onDrain();
  }

  /** Sends a close frame after what is pending, then FIN; the socket goes when the peer closes or at the deadline. */
  #startClosing(code: number, reason: string): void {
    this.#state = CLOSING;
    this.#queue(closeFrame(code, reason), false);
    this.#endWriting();
  }

  /** Writes what is pending, then FIN; the socket is destroyed if the peer has not closed by the deadline. */
  #endWriting(): void {
    this.#flush();
    this.#socket.end();
    this.#closeTimer = this.#options.reactor.setTimer(this.#options.closeTimeoutMs, () => this.#socket.destroy());
  }

  /**
   * The peer's FIN. While closing, our close frame and FIN are on their way (or already out) and
   * the socket closes by itself once both sides have ended. Without a close frame first, the
   * connection just ended: what is pending is flushed, then our FIN.
   */
  #onSocketEnd(): void {
    if (this.#state !== OPEN) return;
    this.#end("closed", "the peer ended the connection without a close frame");
    this.#endWriting();
  }

  #onSocketClose(): void {
    this.#state = CLOSED;
    this.#closeTimer?.cancel();
    this.#closeTimer = null;
    this.#dropPending();
    this.#end("closed", "connection closed");
  }

  /** Reports the end once (unless the server ended it), and stops everything but the close. */
  #end(end: WebSocketEnd, description: string): void {
    if (this.#state === OPEN) this.#state = CLOSING;
    if (this.#ended) return;
    this.#ended = true;
    this.listener.onEnd(end, description);
  }
}
