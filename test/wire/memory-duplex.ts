// An in-memory byte-stream pair for connection tests: what one end writes arrives at the other
// as one chunk, one Reactor task later (like a socket read). Pausing holds chunks; a high-water
// mark on the bytes held for a paused reader makes `write` return false and `onDrain` fire once
// the reader caught up — enough to test back-pressure without sockets.
import type { Reactor } from "../../src/reactor/reactor.js";
import { VirtualReactor } from "../../src/reactor/virtual/virtual-reactor.js";
import { FrameDecoder } from "../../src/wire/frame-decoder.js";
import type { WireFrame } from "../../src/wire/frame.js";
import type { WireDuplex } from "../../src/wire/wire-duplex.js";

export class MemoryDuplex implements WireDuplex {
  onData: ((chunk: Uint8Array) => void) | null = null;
  onDrain: (() => void) | null = null;
  onClose: ((error: Error | null) => void) | null = null;
  peer: MemoryDuplex | null = null;
  closed = false;
  paused = false;
  held: Uint8Array[] = [];
  heldBytes = 0;
  /** Bytes written by this end, in order. */
  readonly written: Uint8Array[] = [];
  #wantsDrain = false;

  constructor(
    readonly reactor: Reactor,
    readonly highWaterBytes = Number.POSITIVE_INFINITY,
  ) {}

  write(bytes: Uint8Array): boolean {
    if (this.closed) return true;
    const copy = new Uint8Array(bytes);
    this.written.push(copy);
    const peer = this.peer!;
    this.reactor.defer(() => peer.receive(copy));
    const full = peer.heldBytes + copy.byteLength > this.highWaterBytes;
    if (full) this.#wantsDrain = true;
    return !full;
  }

  receive(chunk: Uint8Array): void {
    if (this.closed) return;
    if (this.paused || this.held.length > 0) {
      this.held.push(chunk);
      this.heldBytes += chunk.byteLength;
      return;
    }
    this.onData?.(chunk);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    while (!this.paused && !this.closed && this.held.length > 0) {
      const chunk = this.held.shift()!;
      this.heldBytes -= chunk.byteLength;
      this.onData?.(chunk);
    }
    this.peer?.drainedByPeer();
  }

  drainedByPeer(): void {
    if (this.#wantsDrain && this.peer!.heldBytes <= this.highWaterBytes) {
      this.#wantsDrain = false;
      this.reactor.defer(() => this.onDrain?.());
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const peer = this.peer!;
    this.reactor.defer(() => peer.ended(null));
    this.ended(null);
  }

  /** Breaks the stream with an error on both ends. */
  reset(): void {
    const error = new Error("reset");
    this.ended(error);
    this.peer!.ended(error);
  }

  ended(error: Error | null): void {
    if (this.closed && this.onClose === null) return;
    this.closed = true;
    const onClose = this.onClose;
    this.onClose = null;
    onClose?.(error);
  }
}

/** Two connected ends on one virtual reactor. */
export function memoryPair(reactor: Reactor, highWaterBytes?: number): [MemoryDuplex, MemoryDuplex] {
  const a = new MemoryDuplex(reactor, highWaterBytes);
  const b = new MemoryDuplex(reactor, highWaterBytes);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** A fresh virtual reactor with a fixed seed. */
export function virtualReactor(seed = 1): VirtualReactor {
  return new VirtualReactor({ seed });
}

/** Decodes every frame `end` wrote so far (for asserting what went on the wire). */
export function framesWritten(end: MemoryDuplex): WireFrame[] {
  const frames: WireFrame[] = [];
  const decoder = new FrameDecoder((event) => {
    if (event.type === "frame") frames.push(event.frame);
  });
  for (const chunk of end.written) decoder.push(chunk);
  return frames;
}
