import { Envelope, MESSAGE } from "./envelope.js";
import { MailboxFullError } from "./errors.js";
import { Mailbox, type OverflowPolicy } from "./mailbox.js";

/**
 * An actor's bounded inbox: the FIFO of queued envelopes with its bound and overflow policy.
 * Messages count against `lengthMax` (together with room reserved by sends buffered in turns);
 * signals (exit, down) never do and are never dropped. The queue is allocated on first use, so an
 * idle actor that never received anything pays for none. Internal.
 */
export class Inbox {
  readonly lengthMax: number;
  readonly overflow: OverflowPolicy;
  /** Signals queued (not bounded). */
  signals = 0;
  /** Room promised to sends buffered in turns that have not committed yet. */
  reserved = 0;
  #queue: Mailbox<Envelope> | null = null;
  readonly #describe: () => string;
  readonly #onDropped: (tag: string) => void;

  constructor(lengthMax: number, overflow: OverflowPolicy, describe: () => string, onDropped: (tag: string) => void) {
    this.lengthMax = lengthMax;
    this.overflow = overflow;
    this.#describe = describe;
    this.#onDropped = onDropped;
  }

  /** Envelopes queued, messages and signals. */
  get length(): number {
    return this.#queue?.length ?? 0;
  }

  /** Messages queued (what the bound applies to). */
  get messageCount(): number {
    return this.length - this.signals;
  }

  /** Reserves room for a buffered send (policy `reject` only). @throws MailboxFullError when full. */
  reserve(): void {
    if (this.overflow !== "reject") return;
    if (this.messageCount + this.reserved >= this.lengthMax) throw this.fullError();
    this.reserved++;
  }

  /** Gives back one reservation. */
  release(): void {
    if (this.reserved > 0) this.reserved--;
  }

  /**
   * Queues an envelope. A message arriving at a full inbox is handled by the policy: `reject`
   * throws MailboxFullError; `drop-newest` drops it; `drop-oldest` drops the oldest message. A
   * dropped ask fails with MailboxFullError; a dropped tell is reported to `onDropped`.
   */
  push(envelope: Envelope, bounded: boolean): void {
    let queue = this.#queue;
    if (queue === null) {
      queue = new Mailbox<Envelope>();
      this.#queue = queue;
    }
    if (!bounded) this.signals++;
    else if (queue.length - this.signals + this.reserved >= this.lengthMax) {
      switch (this.overflow) {
        case "reject":
          throw this.fullError();
        case "drop-newest":
          this.#drop(envelope);
          return;
        case "drop-oldest": {
          const oldest = this.#shiftMessage(queue);
          if (oldest !== undefined) this.#drop(oldest);
          break;
        }
      }
    }
    queue.push(envelope);
  }

  /** Takes the next envelope, or undefined when empty. */
  shift(): Envelope | undefined {
    const envelope = this.#queue?.shift();
    if (envelope !== undefined && envelope.kind !== MESSAGE) this.signals--;
    return envelope;
  }

  /** Takes every envelope (the actor stopped) and releases the queue. */
  drain(): Envelope[] {
    const all = this.#queue?.drain() ?? [];
    this.#queue = null;
    this.signals = 0;
    return all;
  }

  /** The error a full inbox reports. */
  fullError(): MailboxFullError {
    return new MailboxFullError(`mailbox of ${this.#describe()} is full (${this.lengthMax} messages, policy ${this.overflow})`);
  }

  // Drop-oldest discards the oldest *message*; signals keep their place.
  #shiftMessage(queue: Mailbox<Envelope>): Envelope | undefined {
    const kept: Envelope[] = [];
    let found: Envelope | undefined;
    for (let envelope = queue.shift(); envelope !== undefined; envelope = queue.shift()) {
      if (envelope.kind === MESSAGE) {
        found = envelope;
        break;
      }
      kept.push(envelope);
    }
    if (kept.length > 0) {
      const rest = queue.drain();
      for (const envelope of kept) queue.push(envelope);
      for (const envelope of rest) queue.push(envelope);
    }
    return found;
  }

  #drop(envelope: Envelope): void {
    if (envelope.reply !== null) envelope.reply.settle(false, this.fullError());
    else this.#onDropped(envelope.tag);
  }
}

export { Envelope };
