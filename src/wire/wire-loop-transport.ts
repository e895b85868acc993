/**
 * The kernel's {@link LoopTransport} over a wire connection, so far refs work between loops in
 * different processes and machines. Kernel frames sent in one tick travel as one MSG whose body is
 * `{ f: Frame[] }` (msgpack; refs inside stay `EncodedRef` tokens), fire-and-forget: the byte
 * stream is ordered and reliable while it lasts, and when it is lost the kernel fails pending asks
 * and fires monitors (`onClose`). The outbound queue is bounded (`outboundFramesMax`); while the
 * connection is not writable frames wait in it and `hasRoom` turns false at the bound.
 *
 * Loops are addressed by loop id: a loop's connection uses the loop id (32 hex characters) as its
 * node id, so the peer id learned in HELLO is the peer loop's id. {@link acceptWireLoop} and
 * {@link dialWireLoop} do the bootstrap handshake: the acceptor's first MSG is `{ b: EncodedRef }`,
 * the one capability the dialer gets without a message.
 *
 * Payloads must be msgpack-representable ({@link checkWirePayload}): `undefined` arrives as
 * `null`; Maps, Sets, class instances, functions and bigints are refused at the send with
 * BadMessageError instead of arriving changed.
 */
import { MailboxFullError } from "../kernel/errors.js";
import type { EncodedRef, Frame, LoopTransport } from "../kernel/loop-transport.js";
import type { Loop, LoopRuntime } from "../kernel/loop.js";
import { connectPeer } from "../kernel/peer-connection.js";
import type { AnyRef } from "../kernel/ref.js";
import type { Reactor } from "../reactor/reactor.js";
import { WireSendError } from "./send-error.js";
import { checkWirePayload } from "./wire-payload.js";
import type { WireConnection } from "./wire-connection.js";

/** Default bound of the transport's outbound queue, in frames. */
export const WIRE_LOOP_FRAMES_MAX_DEFAULT = 65_536;
/** Most frames per MSG (one tick's frames are cut into MSGs of at most this many). */
const BATCH_FRAMES_MAX = 4_096;

/** Options of a {@link WireLoopTransport}. */
export interface WireLoopTransportOptions {
  /** Bound of the outbound queue, in frames. Default 65,536. */
  readonly outboundFramesMax?: number;
  /** Makes the transport managed: called by `close()` to close the peer (instead of the connection). */
  readonly closePeer?: () => void;
}

interface Batch {
  readonly f?: Frame[];
  readonly b?: EncodedRef;
}

/** Carries kernel frames over one wire connection. */
export class WireLoopTransport implements LoopTransport {
  onFrame: ((frame: Frame) => void) | null = null;
  onClose: (() => void) | null = null;
  /** Called with the bootstrap record if one arrives (used by {@link dialWireLoop}). */
  onBootstrap: ((ref: EncodedRef) => void) | null = null;
  #connection: WireConnection;
  readonly #reactor: Reactor;
  readonly #framesMax: number;
  readonly #closePeer: (() => void) | null;
  #queue: Frame[] = [];
  #flushScheduled = false;
  #waitingForRoom = false;
  #closed = false;

  /**
   * @param connection - the connection to the peer loop.
   * @param reactor - the loop's reactor (flushes are deferred through it).
   * @param options - the outbound bound in frames (a number, for compatibility) or
   *   {@link WireLoopTransportOptions}. Unmanaged (the default), the transport installs itself as
   *   the connection's message handler and closes with it; managed, its owner routes messages to
   *   {@link receiveBody}, reports loss with {@link lost} and moves it with {@link switchTo}.
   */
  constructor(connection: WireConnection, reactor: Reactor, options: number | WireLoopTransportOptions = {}) {
    const o = typeof options === "number" ? { outboundFramesMax: options } : options;
    this.#connection = connection;
    this.#reactor = reactor;
    this.#framesMax = o.outboundFramesMax ?? WIRE_LOOP_FRAMES_MAX_DEFAULT;
    this.#closePeer = o.closePeer ?? null;
    if (o.closePeer === undefined) {
      connection.onMessage = (message) => this.receiveBody(message.body);
      connection.closeHooks.push(() => this.lost());
    }
  }

  /** The connection frames go out on. */
  get connection(): WireConnection {
    return this.#connection;
  }

  /** Moves the transport to another connection to the same peer (a simultaneous connect converged). */
  switchTo(connection: WireConnection): void {
    this.#connection = connection;
    if (this.#waitingForRoom) {
      this.#waitingForRoom = false;
      this.#flush();
    }
  }

  /** Checks that an encoded payload crosses as msgpack unchanged. @throws BadMessageError. */
  checkPayload(payload: unknown, what: string): void {
    checkWirePayload(payload, what);
  }

  hasRoom(): boolean {
    return !this.#closed && this.#queue.length < this.#framesMax;
  }

  send(frame: Frame, control = false): void {
    if (this.#closed) return;
    if (this.#queue.length >= this.#framesMax && !control)
      throw new MailboxFullError(`outbound queue to peer loop is full (${this.#framesMax} frames)`);
    this.#queue.push(frame);
    if (!this.#flushScheduled && !this.#waitingForRoom) {
      this.#flushScheduled = true;
      this.#reactor.defer(this.#flush);
    }
  }

  /** Sends a record outside the frame stream (the bootstrap capability). */
  sendBootstrap(ref: EncodedRef): void {
    void this.#connection.send({ b: ref } satisfies Batch, { ack: false }).catch(() => {});
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    if (this.#closePeer !== null) this.#closePeer();
    else this.#connection.close(1000, "loop transport closed");
    this.onClose?.();
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#closed) return;
    while (this.#queue.length > 0) {
      const connection = this.#connection;
      if (!connection.writable) {
        this.#waitingForRoom = true;
        // A closed connection: wait for switchTo (its successor) or lost().
        if (connection.status === "closed") return;
        void connection.whenWritable().then(() => {
          if (!this.#waitingForRoom || this.#connection !== connection) return;
          this.#waitingForRoom = false;
          this.#flush();
        });
        return;
      }
      const frames = this.#queue.length <= BATCH_FRAMES_MAX ? this.#queue : this.#queue.slice(0, BATCH_FRAMES_MAX);
      this.#queue = frames === this.#queue ? [] : this.#queue.slice(BATCH_FRAMES_MAX);
      // Lost with the connection if it dies: the kernel's close handling reports that.
      void this.#connection.send({ f: frames } satisfies Batch, { ack: false }).catch(() => {});
    }
  };

  /** Takes the body of one MSG from the peer loop (a batch of frames or the bootstrap record). */
  receiveBody(body: unknown): void {
    if (this.#closed || typeof body !== "object" || body === null) return;
    const batch = body as Batch;
    if (batch.b !== undefined) {
      this.onBootstrap?.(batch.b);
      return;
    }
    const frames = Array.isArray(batch.f) ? batch.f : [];
    const onFrame = this.onFrame;
    for (let i = 0; i < frames.length; i++) onFrame?.(frames[i]!);
  }

  /** The peer is lost: pending asks fail and monitors fire `noconnection` (through `onClose`). */
  lost(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.onClose?.();
  }
}

/** A loop id as the 16-byte node id of its connections. @throws TypeError if it is not 32 hex characters. */
export function loopNodeId(loop: Loop): Uint8Array {
  if (!/^[0-9a-f]{32}$/.test(loop.id)) throw new TypeError(`loop id must be 32 hex characters, got ${loop.id}`);
  return Uint8Array.from(Buffer.from(loop.id, "hex"));
}

/**
 * Serves `loop` on an accepted connection (created with `nodeId: loopNodeId(loop)`): once open,
 * connects the peer loop and hands it `bootstrap`.
 */
export async function acceptWireLoop(connection: WireConnection, loop: Loop, bootstrap: AnyRef): Promise<void> {
  const transport = new WireLoopTransport(connection, loop.reactor);
  const hello = await connection.whenOpen();
  const peer = connectPeer(loop as LoopRuntime, transport, connection.peerId, hello.nodeName);
  transport.sendBootstrap(peer.encodeRef(bootstrap));
}

/**
 * Joins `loop` to the loop at the other end of `connection` (created with
 * `nodeId: loopNodeId(loop)`); resolves with a far ref to the acceptor's bootstrap actor.
 * Rejects with the connection's `connection_lost` if it closes first.
 */
export async function dialWireLoop(connection: WireConnection, loop: Loop): Promise<AnyRef> {
  const transport = new WireLoopTransport(connection, loop.reactor);
  const bootstrap = new Promise<EncodedRef>((resolve, reject) => {
    transport.onBootstrap = resolve;
    connection.closeHooks.push(() => reject(new WireSendError("connection_lost", "closed before the bootstrap")));
  });
  const hello = await connection.whenOpen();
  const peer = connectPeer(loop as LoopRuntime, transport, connection.peerId, hello.nodeName);
  return peer.decodeRef(await bootstrap);
}
