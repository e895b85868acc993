import { Envelope, MESSAGE } from "./envelope.js";
import { MailboxFullError } from "./errors.js";
import { Mailbox, type MailboxOptions, type OverflowPolicy } from "./mailbox.js";

/** Who an inbox belongs to: named in errors, told about dropped tells. */
export interface InboxOwner {
  describe(): string;
  droppedTell(tag: string): void;
}

/**
 * An actor's bounded inbox: the FIFO of queued envelopes with its bound and overflow policy.
 * Messages count against `lengthMax` (together with room reserved by sends buffered in turns);
 * signals (exit, down) never do and are never dropped. An actor creates its inbox with its first
 * message, so an idle actor that never received anything pays for none. Internal.
 */
export class Inbox {
  /** Signals queued (not bounded). */
  signals = 0;
  /** Room promised to sends buffered in turns that have not committed yet. */
  reserved = 0;
  readonly #queue = new Mailbox<Envelope>();
  readonly #config: Required<MailboxOptions>;
  readonly #owner: InboxOwner;

  constructor(config: Required<MailboxOptions>, owner: InboxOwner) {
    this.#config = config;
    this.#owner = owner;
  }

  /** The bound, in messages. */
  get lengthMax(): number {
    return this.#config.lengthMax;
  }

  /** The overflow policy. */
  get overflow(): OverflowPolicy {
    return this.#config.overflow;
  }

  /** Envelopes queued, messages and signals. */
  get length(): number {
    return this.#queue.length;
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
    const queue = this.#queue;
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
    const envelope = this.#queue.shift();
    if (envelope !== undefined && envelope.kind !== MESSAGE) this.signals--;
    return envelope;
  }

  /** Takes every envelope (the actor stopped). */
  drain(): Envelope[] {
    this.signals = 0;
    return this.#queue.drain();
  }

  /** The error a full inbox reports. */
  fullError(): MailboxFullError {
    return new MailboxFullError(
      `mailbox of ${this.#owner.describe()} is full (${this.lengthMax} messages, policy ${this.overflow})`,
    );
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
    else this.#owner.droppedTell(envelope.tag);
  }
}

export { Envelope };
