/**
 * The WebSocket transport of one session, on a `ws` connection: one Engine.IO packet per frame
 * (text `<digit>[data]`, or a binary frame holding a binary message's bytes).
 *
 * Writes are batched per loop turn (see `socket-corker.ts`): the first frame of a turn corks the
 * connection's socket, the turn's frames leave in one `writev` when the corker uncorks it.
 * Back-pressure is accounted without reading `ws.bufferedAmount` per frame:
 *
 * ```
 * turn's frames ── corked (not "backed up"; flushed early past CORKED_BYTES_MAX) ──► uncork
 *   OS took everything ─► idle: bufferedBytes 0
 *   bytes left         ─► backlogged: bufferedBytes = socket.writableLength, and an empty
 *                         marker write whose completion re-checks and reports `drain`
 * ```
 * Spec: https://github.com/socketio/engine.io-protocol#websocket
 */
import type { Duplex } from "node:stream";
import type { RawData, WebSocket } from "ws";
import { CloseReasonWebSocket } from "./close-reason-web-socket.js";
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
import type { Corked, SocketCorker } from "./socket-corker.js";

/** `ws`'s readyState for an open connection. */
const WS_OPEN = 1;

/**
 * Bytes one connection may hold corked in one turn before they are written at once (the rest
 * of the turn is corked again): bounds the memory a burst holds and lets a large frame leave
 * (and its back-pressure show) without waiting for the end of the turn. Default 64 KiB.
 */
export const CORKED_BYTES_MAX = 64 * 1024;

/** `ws`'s error code for a message over `maxPayload` (it closes with 1009). */
const WS_ERR_TOO_LARGE = "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";

/** `ws.send` options of a text frame handed over as UTF-8 bytes (shared, never mutated). */
const TEXT_FRAME = Object.freeze({ binary: false });

/**
 * Without a socket to cork (a `ws`-like connection of the simulator), a frame at least this long
 * (characters or bytes) is written with a completion callback even when nothing is buffered, so a
 * single large frame still reports its drain.
 */
const WATCHED_FRAME_LENGTH = 1024;

/** A zero-length write: its callback runs once everything written before it reached the OS. */
const MARKER = Buffer.alloc(0);

function ownerOf(ws: WebSocket): WebSocketTransport {
  return (ws as CloseReasonWebSocket).owner as WebSocketTransport;
}

// Listeners shared by every connection (`this` is the `ws` connection): no closures per connection.
function onWsMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  ownerOf(this).receive(data, isBinary);
}
function onWsClose(this: WebSocket): void {
  closedByPeer(ownerOf(this));
}
function onWsError(this: WebSocket, error: Error & { code?: string }): void {
  failedWith(ownerOf(this), error);
}
function closedByPeer(transport: WebSocketTransport): void {
  transport.fail("transport close", "socket closed by peer");
}
function failedWith(transport: WebSocketTransport, error: Error & { code?: string }): void {
  if (error.code === WS_ERR_TOO_LARGE) transport.fail("payload too large", `${error.message} (close code 1009)`);
  else transport.fail("transport error", error.message);
}

/** The WebSocket transport of one session (or of a probe during an upgrade). */
export class WebSocketTransport implements EngineIoTransport, Corked {
  /** Receives packets and the close. */
  sink: EngineIoTransportSink = IGNORING_SINK;
  readonly #ws: WebSocket;
  /** The socket `ws` writes to, corked per turn; null for a `ws`-like connection without one. */
  readonly #socket: Duplex | null;
  readonly #corker: SocketCorker | null;
  #closed = false;
  /** True while the socket is corked for this turn (registered with the corker). */
  #corked = false;
  /** Payload bytes written while corked in this turn. */
  #turnBytes = 0;
  /** True once an uncork left bytes the OS did not take, until a marker finds none. */
  #backlogged = false;
  /** Frames written and not known to have reached the OS (0 when idle). */
  #frames = 0;
  /** Frames counted when the outstanding marker was written; -1 when none is outstanding. */
  #markerFrames = -1;
  /**
   * The completion callback of a marker (or, without a socket, of a watched frame), made on the
   * first backlog: idle connections never need it.
   */
  #onWritten: ((error?: Error | null) => void) | null = null;

  /**
   * Takes ownership of an open `ws` connection on `socket` (the `Duplex` of the HTTP upgrade,
   * which `ws` writes to); `corker` batches its writes per turn. Without them (a `ws`-like
   * connection such as the simulator's), frames are written one by one and back-pressure is
   * read from `ws.bufferedAmount` and per-frame completion callbacks.
   */
  constructor(ws: WebSocket, socket: Duplex | null = null, corker: SocketCorker | null = null) {
    this.#ws = ws;
    this.#socket = socket;
    this.#corker = socket === null ? null : corker;
    if (this.#corker !== null && ws instanceof CloseReasonWebSocket) {
      ws.owner = this;
      ws.on("message", onWsMessage);
      ws.on("close", onWsClose);
      ws.on("error", onWsError);
    } else {
      this.#socket = null;
      ws.on("message", (data: RawData, isBinary: boolean) => this.receive(data, isBinary));
      ws.on("close", () => closedByPeer(this));
      ws.on("error", (error: Error & { code?: string }) => failedWith(this, error));
    }
  }

  /** Always `websocket`. */
  get name(): "websocket" {
    return "websocket";
  }

  /** True while the connection is open. */
  get writable(): boolean {
    return !this.#closed && this.#ws.readyState === WS_OPEN;
  }

  /**
   * Bytes the OS has not taken, once the socket is backed up (its `writableLength`: frames with
   * their headers); 0 while everything written so far left with its turn's `writev`.
   */
  get bufferedBytes(): number {
    if (this.#socket === null) return this.#ws.bufferedAmount;
    return this.#backlogged && !this.#closed ? this.#socket.writableLength : 0;
  }

  /** Frames written while the socket was backed up that have not reached the OS (an upper bound). */
  get bufferedPackets(): number {
    return (this.#backlogged || this.#socket === null) && !this.#closed ? this.#frames : 0;
  }

  /** Writes each packet as one frame; pre-encoded messages are written as their shared frames. */
  send(items: readonly EngineIoOutbound[]): void {
    if (!this.writable) return;
    for (const item of items) this.#sendItem(item);
  }

  /** See {@link EngineIoTransport.sendOne}. */
  sendOne(item: EngineIoOutbound): void {
    if (this.writable) this.#sendItem(item);
  }

  #sendItem(item: EngineIoOutbound): void {
    if (!isEncodedMessages(item)) return this.#sendFrame(encodeFrame(item), null);
    const textBytes = this.#socket === null ? undefined : item.textFrameBytes;
    if (textBytes !== undefined) return this.#sendFrame(textBytes, TEXT_FRAME);
    for (const frame of item.webSocketFrames) this.#sendFrame(frame, null);
  }

  #sendFrame(frame: string | Uint8Array, options: typeof TEXT_FRAME | null): void {
    const socket = this.#socket;
    if (socket === null) return this.#sendWatched(frame);
    if (!this.#corked) {
      this.#corked = true;
      socket.cork();
      this.#corker!.add(this);
    }
    this.#frames++;
    this.#turnBytes += typeof frame === "string" ? frame.length : frame.byteLength;
    if (options === null) this.#ws.send(frame);
    else this.#ws.send(frame, options);
    if (this.#turnBytes >= CORKED_BYTES_MAX) {
      // Write what the turn holds now and cork again for the rest of it (still registered).
      this.#turnBytes = 0;
      socket.uncork();
      this.#checkBacklog(socket);
      socket.cork();
    }
  }

  /**
   * Without a socket: writes a frame now; while `ws` holds bytes (or for a large frame) with a
   * completion callback that counts it out and reports `drain`.
   */
  #sendWatched(frame: string | Uint8Array): void {
    const length = typeof frame === "string" ? frame.length : frame.byteLength;
    if (length < WATCHED_FRAME_LENGTH && this.#ws.bufferedAmount === 0) return this.#ws.send(frame);
    this.#frames++;
    this.#onWritten ??= () => {
      if (this.#frames > 0) this.#frames--;
      if (!this.#closed) this.sink.drain();
    };
    this.#ws.send(frame, this.#onWritten);
  }

  /** See {@link Corked.uncorkTurn}: the corker's end-of-turn flush. */
  uncorkTurn(): void {
    this.#corked = false;
    this.#turnBytes = 0;
    this.#socket!.uncork();
    this.#checkBacklog(this.#socket!);
  }

  /** After a flush: bytes left mean the socket is backed up, and a marker watches for its drain. */
  #checkBacklog(socket: Duplex): void {
    if (this.#closed) return;
    if (socket.writableLength === 0) {
      if (!this.#backlogged) this.#frames = 0;
      return;
    }
    this.#backlogged = true;
    if (this.#markerFrames === -1) this.#writeMarker(socket);
  }

  #writeMarker(socket: Duplex): void {
    this.#markerFrames = this.#frames;
    this.#onWritten ??= (error) => this.#markerDone(error);
    socket.write(MARKER, this.#onWritten);
  }

  /** Everything written before the marker reached the OS: re-check, and report `drain`. */
  #markerDone(error: Error | null | undefined): void {
    const done = this.#markerFrames;
    this.#markerFrames = -1;
    if (this.#closed || (error !== null && error !== undefined)) return; // the close is reported by ws
    this.#frames = Math.max(0, this.#frames - done);
    if (this.#socket!.writableLength > 0) {
      this.#writeMarker(this.#socket!);
    } else {
      this.#backlogged = false;
      this.#frames = 0;
    }
    this.sink.drain();
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

  /** A message from `ws` (called by the shared listener). @internal */
  receive(data: RawData, isBinary: boolean): void {
    if (this.#closed) return;
    let packet: EngineIoPacket;
    try {
      packet = decodeFrame(isBinary ? toBuffer(data) : typeof data === "string" ? data : toBuffer(data).toString());
    } catch (error) {
      if (!(error instanceof EngineIoCodecError)) throw error;
      this.fail("parse error", error.message);
      this.#ws.close();
      return;
    }
    this.sink.packet(packet);
  }

  /** The connection failed or closed (called by the shared listeners). @internal */
  fail(reason: EngineIoTransportCloseReason, description: string): void {
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

function toBuffer(data: RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
