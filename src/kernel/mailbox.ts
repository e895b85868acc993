/**
 * A bounded FIFO ring buffer. Capacity grows by doubling up to `lengthMax`; the overflow policy
 * is applied by the caller (the actor cell), which knows how to reject or drop a message.
 */
export class Mailbox<T> {
  #items: Array<T | undefined>;
  #head = 0;
  #length = 0;

  /** Creates an empty mailbox with room for `initialCapacity` (a power of two) items. */
  constructor(initialCapacity = 8) {
    this.#items = new Array(initialCapacity);
  }

  /** Number of queued items. */
  get length(): number {
    return this.#length;
  }

  /** Appends an item (the caller checks the bound first). */
  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & (this.#items.length - 1)] = item;
    this.#length++;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#length--;
    return item;
  }

  /** Removes every item, returning them oldest first. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  #grow(): void {
    const old = this.#items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.#length; i++) next[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = next;
    this.#head = 0;
  }
}

/** What happens when a message arrives at a full mailbox. */
export type OverflowPolicy = "reject" | "drop-oldest" | "drop-newest";

/** Mailbox bound and overflow policy of an actor. */
export interface MailboxOptions {
  /** Most messages queued at once (signals such as exits and downs do not count). Default 10,000. */
  lengthMax?: number;
  /**
   * Policy when full. Default `reject`:
   * - `reject`: the sender's `tell` throws {@link MailboxFullError} (its `ask` rejects with it);
   * - `drop-oldest`: the oldest queued message is discarded (a queued ask rejects);
   * - `drop-newest`: the arriving message is discarded (an ask rejects, a tell vanishes).
   */
  overflow?: OverflowPolicy;
}

/** Default bound of every mailbox, in messages. */
export const MAILBOX_LENGTH_MAX_DEFAULT = 10_000;

/** Resolves mailbox options against defaults, naming a bad option in the error. */
export function resolveMailboxOptions(options: MailboxOptions | undefined): Required<MailboxOptions> {
  const resolved = { lengthMax: MAILBOX_LENGTH_MAX_DEFAULT, overflow: "reject" as const, ...options };
  if (!Number.isInteger(resolved.lengthMax) || resolved.lengthMax < 1) {
    throw new RangeError(`mailbox.lengthMax must be an integer >= 1, got ${resolved.lengthMax}`);
  }
  if (!["reject", "drop-oldest", "drop-newest"].includes(resolved.overflow)) {
    throw new TypeError(`mailbox.overflow must be reject, drop-oldest or drop-newest, got ${resolved.overflow}`);
  }
  return resolved;
}
