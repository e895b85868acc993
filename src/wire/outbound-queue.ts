/**
 * The bounded outbound queue of one connection. Admitted sends (queued, or already in the write
 * batch) count against `outboundMessagesMax` and `outboundBytesMax`; a send that finds no room
 * either waits in a FIFO of waiters (admitted in order as room appears) or is refused — so the
 * connection never buffers without limit. Deadlines are scanned only when the connection's one
 * deadline timer fires.
 */
import type { OutboundEntry } from "./outbound-entry.js";

/** FIFO of sends not yet written, plus the FIFO of sends waiting for room. */
export class OutboundQueue {
  #queue: OutboundEntry[] = [];
  #head = 0;
  #waiters: OutboundEntry[] = [];
  #messages = 0;
  #bytes = 0;

  constructor(
    readonly messagesMax: number,
    readonly bytesMax: number,
  ) {}

  /** Admitted messages (queued or batched, not yet handed to the byte stream). */
  get messages(): number {
    return this.#messages;
  }

  /** Bytes of admitted messages. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Sends queued (admitted, not yet in a batch). */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Sends waiting for room. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** True when a frame of `bytes` fits the budget now (one message always fits an empty queue). */
  hasRoom(bytes: number): boolean {
    return this.#messages < this.messagesMax && (this.#messages === 0 || this.#bytes + bytes <= this.bytesMax);
  }

  /** Counts `entry` against the budget (it is going into the batch or the queue). */
  charge(entry: OutboundEntry): void {
    entry.admitted = true;
    this.#messages++;
    this.#bytes += entry.frameBytes;
  }

  /** Counts one message of `bytes` that goes straight into the write batch, with no entry. */
  chargeBytes(bytes: number): void {
    this.#messages++;
    this.#bytes += bytes;
  }

  /** Counts `count` messages of `bytes` as written (out of the budget). */
  discharge(count: number, bytes: number): void {
    this.#messages -= count;
    this.#bytes -= bytes;
  }

  /** Appends an admitted entry to the queue. */
  push(entry: OutboundEntry): void {
    this.#queue.push(entry);
  }

  /** Adds a send that waits for room. */
  wait(entry: OutboundEntry): void {
    this.#waiters.push(entry);
  }

  /** The oldest queued entry, or undefined. */
  peek(): OutboundEntry | undefined {
    return this.#queue[this.#head];
  }

  /** Removes and returns the oldest queued entry. */
  shift(): OutboundEntry | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const entry = this.#queue[this.#head]!;
    this.#queue[this.#head++] = undefined as never;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    return entry;
  }

  /** Moves waiters into the queue, in order, while they fit. Returns how many moved. */
  admitWaiters(): number {
    let moved = 0;
    while (this.#waiters.length > moved) {
      const entry = this.#waiters[moved]!;
      if (entry.settled) {
        moved++;
        continue;
      }
      if (!this.hasRoom(entry.frameBytes)) break;
      this.charge(entry);
      this.#queue.push(entry);
      moved++;
    }
    if (moved > 0) this.#waiters.splice(0, moved);
    return moved;
  }

  /** Removes every queued or waiting entry whose deadline is ≤ `nowMs`; returns them. */
  expire(nowMs: number): OutboundEntry[] {
    const expired: OutboundEntry[] = [];
    const keep = (entry: OutboundEntry | undefined): boolean => {
      if (entry === undefined) return false;
      if (entry.deadlineMs > nowMs && !entry.settled) return true;
      expired.push(entry);
      if (entry.admitted) {
        entry.admitted = false;
        this.discharge(1, entry.frameBytes);
      }
      return false;
    };
    this.#queue = this.#queue.slice(this.#head).filter(keep);
    this.#head = 0;
    this.#waiters = this.#waiters.filter(keep);
    return expired;
  }

  /** The earliest deadline of a queued or waiting entry (Infinity when none). */
  earliestDeadlineMs(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (let i = this.#head; i < this.#queue.length; i++) earliest = Math.min(earliest, this.#queue[i]!.deadlineMs);
    for (const entry of this.#waiters) earliest = Math.min(earliest, entry.deadlineMs);
    return earliest;
  }

  /** Empties the queue and the waiters (the connection closed); returns them, queue first. */
  takeAll(): OutboundEntry[] {
    const all = [...this.#queue.slice(this.#head), ...this.#waiters];
    for (const entry of all) {
      if (entry.admitted) {
        entry.admitted = false;
        this.discharge(1, entry.frameBytes);
      }
    }
    this.#queue = [];
    this.#head = 0;
    this.#waiters = [];
    return all;
  }
}
