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
 * Payloads must be msgpack-representable: `undefined` arrives as `null`, Maps and Sets are not
 * supported, class instances arrive as plain objects.
 */
import { MailboxFullError } from "../kernel/errors.js";
import type { EncodedRef, Frame, LoopTransport } from "../kernel/loop-transport.js";
import type { Loop, LoopRuntime } from "../kernel/loop.js";
import { connectPeer } from "../kernel/peer-connection.js";
import type { AnyRef } from "../kernel/ref.js";
import type { Reactor } from "../reactor/reactor.js";
import { WireSendError } from "./send-error.js";
import type { WireConnection } from "./wire-connection.js";

/** Default bound of the transport's outbound queue, in frames. */
export const WIRE_LOOP_FRAMES_MAX_DEFAULT = 65_536;
/** Most frames per MSG (one tick's frames are cut into MSGs of at most this many). */
const BATCH_FRAMES_MAX = 4_096;

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
  readonly #connection: WireConnection;
  readonly #reactor: Reactor;
  readonly #framesMax: number;
  #queue: Frame[] = [];
  #flushScheduled = false;
  #waitingForRoom = false;
  #closed = false;

  constructor(connection: WireConnection, reactor: Reactor, outboundFramesMax = WIRE_LOOP_FRAMES_MAX_DEFAULT) {
    this.#connection = connection;
    this.#reactor = reactor;
    this.#framesMax = outboundFramesMax;
    connection.onMessage = (message) => this.#receive(message.body as Batch);
    connection.closeHooks.push(() => this.#lost());
  }

  hasRoom(): boolean {
    return !this.#closed && this.#queue.length < this.#framesMax;
  }

  send(frame: Frame): void {
    if (this.#closed) return;
    if (this.#queue.length >= this.#framesMax)
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
    this.#connection.close(1000, "loop transport closed");
    this.onClose?.();
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#closed) return;
    while (this.#queue.length > 0) {
      if (!this.#connection.writable) {
        this.#waitingForRoom = true;
        void this.#connection.whenWritable().then(() => {
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

  #receive(batch: Batch): void {
    if (this.#closed) return;
    if (batch.b !== undefined) {
      this.onBootstrap?.(batch.b);
      return;
    }
    const frames = batch.f ?? [];
    const onFrame = this.onFrame;
    for (let i = 0; i < frames.length; i++) onFrame?.(frames[i]!);
  }

  #lost(): void {
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
