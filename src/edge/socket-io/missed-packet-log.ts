/**
 * The missed-packet log of one namespace, for connection state recovery: every EVENT the server
 * sends without an ack and not volatile (broadcasts and direct emits, which target the socket's
 * own room) is appended with its targeting (rooms, except) and an offset. The offset is appended
 * to the event's arguments on the wire, so the client knows the last packet it processed and
 * sends it back when it reconnects; the packets after it that target the socket's rooms are
 * replayed.
 *
 * Bounded by count, bytes and age (see `ConnectionStateRecoveryOptions`); eviction is from the
 * head and lazy (on each append and lookup), so the log needs no timer.
 */
import type { EncodedPacket } from "./packet-encoder.js";
import type { ResolvedRecoveryOptions } from "./recovery-options.js";

/** One logged packet. */
interface LogEntry {
  readonly seq: number;
  readonly rooms: ReadonlySet<string>;
  readonly except: ReadonlySet<string>;
  readonly encoded: EncodedPacket;
  readonly bytes: number;
  readonly atMs: number;
}

/** Packets logged for recovery in one namespace, oldest first. */
export class MissedPacketLog {
  readonly #limits: ResolvedRecoveryOptions;
  readonly #prefix: string;
  readonly #entries: LogEntry[] = [];
  #head = 0;
  #bytes = 0;
  #nextSeq = 1;

  /**
   * @param epoch - a random string that makes this log's offsets unlike any other log's (and
   *   unlike an application string that the stock client might mistake for an offset).
   */
  constructor(limits: ResolvedRecoveryOptions, epoch: string) {
    this.#limits = limits;
    this.#prefix = `${epoch}.`;
  }

  /** Packets currently kept. */
  get length(): number {
    return this.#entries.length - this.#head;
  }

  /** Bytes currently kept (text length plus attachment bytes). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The sequence number of the last packet appended (0 before any). */
  get lastSeq(): number {
    return this.#nextSeq - 1;
  }

  /**
   * The offset the next appended packet gets: encode the packet with it, then
   * {@link MissedPacketLog.append} it in the same turn (nothing is reserved if encoding throws).
   */
  nextOffset(): string {
    return this.#prefix + this.#nextSeq.toString(36);
  }

  /** The sequence number an offset string names, or null if it is not one of this log's. */
  parseOffset(offset: unknown): number | null {
    if (typeof offset !== "string" || !offset.startsWith(this.#prefix)) return null;
    const digits = offset.slice(this.#prefix.length);
    if (!/^[0-9a-z]{1,11}$/.test(digits)) return null;
    const seq = parseInt(digits, 36);
    return seq >= 1 && seq <= this.lastSeq ? seq : null;
  }

  /** Logs an encoded packet carrying `nextOffset()`, then evicts past the limits. */
  append(rooms: ReadonlySet<string>, except: ReadonlySet<string>, encoded: EncodedPacket, nowMs: number): void {
    const seq = this.#nextSeq++;
    let bytes = encoded.text.length;
    for (const attachment of encoded.attachments) bytes += attachment.byteLength;
    this.#entries.push({ seq, rooms, except, encoded, bytes, atMs: nowMs });
    this.#bytes += bytes;
    this.evict(nowMs);
  }

  /** Drops packets older than `maxDisconnectionDurationMs` or past the count and byte limits. */
  evict(nowMs: number): void {
    const limits = this.#limits;
    const oldest = nowMs - limits.maxDisconnectionDurationMs;
    while (this.length > 0) {
      const entry = this.#entries[this.#head]!;
      const over = this.length > limits.missedPacketsMax || this.#bytes > limits.missedPacketBytesMax;
      if (!over && entry.atMs >= oldest) break;
      this.#bytes -= entry.bytes;
      this.#head++;
    }
    // Compact once the dropped head outweighs what is kept (amortised O(1) per packet).
    if (this.#head > 64 && this.#head * 2 > this.#entries.length) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /**
   * The packets after `afterSeq` that target a socket in `rooms`, oldest first; null if some
   * packet after `afterSeq` was already evicted (the client cannot be brought up to date).
   */
  since(afterSeq: number, rooms: ReadonlySet<string>, nowMs: number): EncodedPacket[] | null {
    this.evict(nowMs);
    const firstKept = this.length > 0 ? this.#entries[this.#head]!.seq : this.#nextSeq;
    if (afterSeq + 1 < firstKept) return null;
    const out: EncodedPacket[] = [];
    for (let i = this.#head + Math.max(0, afterSeq + 1 - firstKept); i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      if (targets(entry, rooms)) out.push(entry.encoded);
    }
    return out;
  }
}

/** True if a packet sent to `entry.rooms` minus `entry.except` reaches a socket in `rooms`. */
function targets(entry: LogEntry, rooms: ReadonlySet<string>): boolean {
  for (const room of entry.except) if (rooms.has(room)) return false;
  if (entry.rooms.size === 0) return true;
  for (const room of entry.rooms) if (rooms.has(room)) return true;
  return false;
}
