/**
 * The server end of a simulated WebSocket: the part of `ws`'s `WebSocket` that Chorus's
 * `WebSocketTransport` uses (`on`, `send` with its completion callback, `bufferedAmount`,
 * `readyState`, `close`, `terminate`), over a {@link SimStream}. The real transport and session
 * code then run unchanged under the simulator.
 *
 * Flow control stands in for TCP's window: at most `windowBytes` of frames may be unread by the
 * client; the client returns credits as it reads. Frames beyond the window wait here and count
 * in `bufferedAmount`, and a frame's completion callback runs when it leaves (as `ws` calls it
 * when the OS takes the bytes). A client that stops reading therefore backs the session up until
 * its high-water mark and "slow consumer" limits act, as a real one would.
 *
 * ```
 * send(frame, cb) ──► queue ──(unread < windowBytes)──► stream ──► client reads ──► {c: bytes}
 *                     bufferedAmount                    cb() (deferred)            unread -= bytes
 * ```
 */
import type { Reactor } from "../../reactor/reactor.js";
import { type SimWebSocketClientMessage, frameBytes } from "./sim-edge-wire.js";
import type { SimStream } from "./sim-stream.js";

/** `ws`'s ready states. */
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** Default flow-control window of a simulated WebSocket, in bytes. */
export const SIM_WEB_SOCKET_WINDOW_BYTES_DEFAULT = 4096;

type Listener = (...args: never[]) => void;

interface Queued {
  readonly frame: string | Uint8Array;
  readonly bytes: number;
  readonly done: ((error?: Error) => void) | undefined;
}

/** A `ws`-like server socket over a simulated stream (see the module comment). */
export class SimWebSocket {
  readonly #stream: SimStream;
  readonly #reactor: Reactor;
  readonly #windowBytes: number;
  readonly #listeners = new Map<string, Listener[]>();
  readonly #queue: Queued[] = [];
  #queuedBytes = 0;
  #unreadBytes = 0;
  #state = OPEN;

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

  /** `ws`'s readyState: 1 open, 2 closing, 3 closed. */
  get readyState(): number {
    return this.#state;
  }

  /** Bytes of frames waiting for the client's window (`ws`'s `bufferedAmount`). */
  get bufferedAmount(): number {
    return this.#queuedBytes;
  }

  /** Name of the client node. */
  get remoteName(): string {
    return this.#stream.remoteName;
  }

  /** Adds a listener: `message` (data, isBinary), `close`, `error`. */
  on(event: string, listener: Listener): this {
    let list = this.#listeners.get(event);
    if (list === undefined) this.#listeners.set(event, (list = []));
    list.push(listener);
    return this;
  }

  /** Queues a frame; `done` runs (deferred) once it is on the stream, or with an error if closed. */
  send(frame: string | Uint8Array, done?: (error?: Error) => void): void {
    if (this.#state !== OPEN) {
      if (done !== undefined) this.#reactor.defer(() => done(new Error("WebSocket is not open")));
      return;
    }
    const bytes = frameBytes(frame);
    this.#queue.push({ frame, bytes, done });
    this.#queuedBytes += bytes;
    this.#pump(false);
  }

  /** Closes politely: queued frames go out (the OS would keep them), then the stream closes. */
  close(): void {
    if (this.#state !== OPEN) return;
    this.#state = CLOSING;
    this.#pump(true);
    this.#stream.close("normal closure");
    this.#closed();
  }

  /** Destroys the socket at once: queued frames are dropped. */
  terminate(): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSING;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#stream.close("terminated");
    this.#closed();
  }

  #pump(ignoreWindow: boolean): void {
    while (this.#queue.length > 0 && (ignoreWindow || this.#unreadBytes < this.#windowBytes)) {
      const item = this.#queue.shift()!;
      this.#queuedBytes -= item.bytes;
      this.#unreadBytes += item.bytes;
      this.#stream.send({ f: item.frame });
      const done = item.done;
      if (done !== undefined) this.#reactor.defer(() => done());
    }
  }

  #onClientMessage(message: SimWebSocketClientMessage): void {
    if (this.#state !== OPEN) return;
    if ("c" in message) {
      this.#unreadBytes = Math.max(0, this.#unreadBytes - message.c);
      this.#pump(false);
      return;
    }
    const frame = message.f;
    const isBinary = typeof frame !== "string";
    this.#emit("message", isBinary ? Buffer.from(frame) : Buffer.from(frame, "utf8"), isBinary);
  }

  /** The socket is closed (by us, the peer, a reset or a loss): `close` listeners run once, later. */
  #closed(): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    for (const item of this.#queue)
      if (item.done !== undefined) this.#reactor.defer(() => item.done!(new Error("closed")));
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#reactor.defer(() => this.#emit("close", 1006, ""));
  }

  #emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) (listener as (...a: unknown[]) => void)(...args);
  }
}
