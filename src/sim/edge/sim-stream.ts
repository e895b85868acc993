/**
 * A byte-stream connection (a TCP connection) modelled over one {@link SimConnection}: messages
 * arrive whole, in order, at most once — or the connection is reset. Each message carries a
 * sequence number; a receiver that sees a gap (a message the link lost) closes both ends with
 * {@link SEGMENT_LOST}, as TCP gives up on a segment it cannot deliver, and a duplicate is
 * dropped, as TCP drops one. So a lossy link costs connections, never silently a frame in the
 * middle of a WebSocket or an HTTP exchange — which is what Engine.IO assumes of its transports.
 *
 * ```
 * sender ── {n:1,body} {n:2,body} {n:3,body} ──► receiver   delivers 1, 2, 3
 * sender ── {n:1,body}    ✗lost   {n:3,body} ──► receiver   delivers 1, then resets: "segment lost"
 * ```
 */
import type { SimConnection } from "../sim-connection.js";

/** Why a stream closed when a message went missing. */
export const SEGMENT_LOST = "segment lost";

/** What a stream puts on its connection. */
interface StreamMessage {
  readonly n: number;
  readonly body: unknown;
}

/** One end of a simulated byte-stream connection. Callbacks run on the end's own node. */
export class SimStream {
  /** Called with each message body, in order. */
  onMessage: ((body: unknown) => void) | null = null;
  /** Called once when the stream closes without this end closing it (peer close, reset, loss). */
  onClose: ((why: string) => void) | null = null;
  /** The underlying simulated connection. */
  readonly connection: SimConnection;
  #sent = 0;
  #received = 0;
  #closed = false;

  /** Takes over `connection`'s callbacks. */
  constructor(connection: SimConnection) {
    this.connection = connection;
    connection.onMessage = (data) => this.#arrive(data as StreamMessage);
    connection.onClose = (why) => this.#end(why);
  }

  /** True once either end closed the stream (or a reset, loss or crash did). */
  get closed(): boolean {
    return this.#closed || this.connection.closed;
  }

  /** Name of the node at the other end. */
  get remoteName(): string {
    return this.connection.remote.name;
  }

  /** Sends one message (copied); false if the stream is closed. */
  send(body: unknown): boolean {
    if (this.closed) return false;
    return this.connection.send({ n: ++this.#sent, body } satisfies StreamMessage);
  }

  /** Closes both ends, after the messages already sent; this end's `onClose` is not called. */
  close(why = "closed"): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onMessage = null;
    this.onClose = null;
    this.connection.close(why);
  }

  #arrive(message: StreamMessage): void {
    if (this.#closed) return;
    if (message.n <= this.#received) return; // a duplicate: TCP drops it
    if (message.n !== this.#received + 1) {
      const onClose = this.onClose;
      this.close(SEGMENT_LOST);
      onClose?.(SEGMENT_LOST);
      return;
    }
    this.#received = message.n;
    this.onMessage?.(message.body);
  }

  #end(why: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const onClose = this.onClose;
    this.onMessage = null;
    this.onClose = null;
    onClose?.(why);
  }
}
