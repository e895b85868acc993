/**
 * The server end of a simulated WebSocket: a {@link WebSocketChannel} (what Chorus's
 * `WebSocketTransport` drives; the real one is `ServerWebSocket`) over a {@link SimStream}, so the
 * real transport and session code run unchanged under the simulator.
 *
 * Flow control stands in for TCP's window: at most `windowBytes` of frames may be unread by the
 * client; the client returns credits as it reads. Frames beyond the window wait here and count
 * in `bufferedBytes` / `bufferedFrames`; when waiting frames leave, `onDrain` follows (deferred),
 * as the real channel reports it when the OS takes its backlog. A client that stops reading
 * therefore backs the session up until its high-water mark and "slow consumer" limits act, as a
 * real one would.
 *
 * ```
 * sendText/sendBinary ──► queue ──(unread < windowBytes)──► stream ──► client reads ──► {c: bytes}
 *                         bufferedBytes                    onDrain (deferred)          unread -= bytes
 * ```
 */
import type { Reactor } from "../../reactor/reactor.js";
import {
  IGNORING_LISTENER,
  type WebSocketChannel,
  type WebSocketChannelListener,
} from "../../edge/websocket/web-socket-channel.js";
import { type SimWebSocketClientMessage, frameBytes } from "./sim-edge-wire.js";
import type { SimStream } from "./sim-stream.js";

const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** Default flow-control window of a simulated WebSocket, in bytes. */
export const SIM_WEB_SOCKET_WINDOW_BYTES_DEFAULT = 4096;

interface Queued {
  readonly frame: string | Uint8Array;
  readonly bytes: number;
}

/** A server-side WebSocket channel over a simulated stream (see the module comment). */
export class SimWebSocket implements WebSocketChannel {
  listener: WebSocketChannelListener = IGNORING_LISTENER;
  readonly #stream: SimStream;
  readonly #reactor: Reactor;
  readonly #windowBytes: number;
  readonly #queue: Queued[] = [];
  #queuedBytes = 0;
  #unreadBytes = 0;
  #state = OPEN;
  /** True once the end was reported, or needs no report (the server closed or terminated). */
  #ended = false;
  #drainScheduled = false;
  /** True while frames wait for the client's window (after the last pump). */
  #waiting = false;

  /**
   * @param stream - the accepted stream, after its upgrade request was read.
   * @param windowBytes - most bytes of frames the client may have unread (integer ≥ 1).
   * @throws RangeError for a window that is not an integer ≥ 1.
   */
  constructor(stream: SimStream, reactor: Reactor, windowBytes = SIM_WEB_SOCKET_WINDOW_BYTES_DEFAULT) {
    if (!Number.isSafeInteger(windowBytes) || windowBytes < 1) {
      throw new RangeError(`windowBytes must be an integer >= 1, got ${windowBytes}`);
    }
    this.#stream = stream;
    this.#reactor = reactor;
    this.#windowBytes = windowBytes;
    stream.onMessage = (body) => this.#onClientMessage(body as SimWebSocketClientMessage);
    stream.onClose = () => this.#closed();
  }

  get open(): boolean {
    return this.#state === OPEN;
  }

  /** Bytes of frames waiting for the client's window. */
  get bufferedBytes(): number {
    return this.#queuedBytes;
  }

  /** Frames waiting for the client's window. */
  get bufferedFrames(): number {
    return this.#queue.length;
  }

  /** Frames travel as text or bytes, not as built frames. */
  get takesFrames(): false {
    return false;
  }

  /** Name of the client node. */
  get remoteName(): string {
    return this.#stream.remoteName;
  }

  sendText(text: string, prefix: string): void {
    this.#send(prefix + text);
  }

  sendBinary(bytes: Uint8Array): void {
    this.#send(bytes);
  }

  /** Never called: {@link takesFrames} is false. */
  sendFrame(): void {
    throw new Error("a simulated WebSocket does not take built frames");
  }

  #send(frame: string | Uint8Array): void {
    if (this.#state !== OPEN) return;
    const bytes = frameBytes(frame);
    this.#queue.push({ frame, bytes });
    this.#queuedBytes += bytes;
    this.#pump(false);
  }

  /** Closes politely: queued frames go out (the OS would keep them), then the stream closes. */
  close(): void {
    if (this.#state !== OPEN) return;
    this.#state = CLOSING;
    this.#ended = true;
    this.#pump(true);
    this.#stream.close("normal closure");
    this.#closed();
  }

  /** Destroys the socket at once: queued frames are dropped. */
  terminate(): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSING;
    this.#ended = true;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#stream.close("terminated");
    this.#closed();
  }

  #pump(ignoreWindow: boolean): void {
    let moved = false;
    while (this.#queue.length > 0 && (ignoreWindow || this.#unreadBytes < this.#windowBytes)) {
      const item = this.#queue.shift()!;
      this.#queuedBytes -= item.bytes;
      this.#unreadBytes += item.bytes;
      this.#stream.send({ f: item.frame });
      moved = true;
    }
    // Frames that had to wait for the window left: the session may be back under its mark.
    if (moved && this.#waiting && !this.#drainScheduled) {
      this.#drainScheduled = true;
      this.#reactor.defer(() => {
        this.#drainScheduled = false;
        if (this.#state === OPEN) this.listener.onDrain();
      });
    }
    this.#waiting = this.#queue.length > 0;
  }

  #onClientMessage(message: SimWebSocketClientMessage): void {
    if (this.#state !== OPEN) return;
    if ("c" in message) {
      this.#unreadBytes = Math.max(0, this.#unreadBytes - message.c);
      this.#pump(false);
      return;
    }
    const frame = message.f;
    if (typeof frame === "string") this.listener.onMessage(frame, false);
    else this.listener.onMessage(Buffer.from(frame), true);
  }

  /** The socket is closed (by us, the peer, a reset or a loss): the end is reported once, later. */
  #closed(): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    if (this.#ended) return;
    this.#ended = true;
    this.#reactor.defer(() => this.listener.onEnd("closed", "socket closed by peer"));
  }
}
