/**
 * The children a stop job still has to stop, in order, with O(1) `shift`, `has` and `remove`
 * (a supervisor shutting down n children used to scan and copy an array per exit: O(n²)).
 *
 * Like the child table, it is shared by a turn's fork of the supervisor state instead of being
 * copied, and is made transactional per turn: `begin` at the start, `commit` or `rollback` at the
 * end (a turn that throws leaves the queue as it was).
 *
 * ```
 * ops:   [a, b, ×, d, e]      × = removed (a queued child that died on its own)
 *            ▲ head           index: b→1, d→3, e→4
 * ```
 */
import type { StopOp } from "./supervisor-state.js";

/** An ordered queue of stop operations (see the module comment). */
export class StopQueue {
  readonly #ops: (StopOp | null)[];
  /** Position of each queued op by child id. */
  readonly #index = new Map<string, number>();
  #head = 0;
  #size: number;
  /** The turn's undo information, or null outside a turn. */
  #turn: { head: number; size: number; removed: [number, StopOp][] } | null = null;

  constructor(ops: readonly StopOp[]) {
    this.#ops = ops.slice();
    this.#size = ops.length;
    for (let i = 0; i < ops.length; i++) this.#index.set(ops[i]!.id, i);
  }

  /** Operations still queued. */
  get length(): number {
    return this.#size;
  }

  /** True when child `id` waits in the queue. */
  has(id: string): boolean {
    return this.#index.has(id);
  }

  /** The queued operations, in order. */
  *ops(): IterableIterator<StopOp> {
    for (let i = this.#head; i < this.#ops.length; i++) {
      const op = this.#ops[i];
      if (op !== null && op !== undefined) yield op;
    }
  }

  /** Takes the next operation off the queue. */
  shift(): StopOp | undefined {
    while (this.#head < this.#ops.length) {
      const op = this.#ops[this.#head++];
      if (op === null || op === undefined) continue;
      this.#index.delete(op.id);
      this.#size--;
      return op;
    }
    return undefined;
  }

  /** Takes child `id`'s operation off the queue, wherever it is. */
  remove(id: string): StopOp | undefined {
    const at = this.#index.get(id);
    if (at === undefined) return undefined;
    const op = this.#ops[at]!;
    this.#ops[at] = null;
    this.#index.delete(id);
    this.#size--;
    this.#turn?.removed.push([at, op]);
    return op;
  }

  /** Starts a turn: its changes can be rolled back. */
  begin(): void {
    this.#turn = { head: this.#head, size: this.#size, removed: [] };
  }

  /** Ends a turn, keeping its changes. */
  commit(): void {
    this.#turn = null;
  }

  /** Ends a turn, undoing its changes. */
  rollback(): void {
    const turn = this.#turn;
    this.#turn = null;
    if (turn === null) return;
    for (const [at, op] of turn.removed) this.#ops[at] = op;
    for (let i = turn.head; i < this.#head; i++) {
      const op = this.#ops[i];
      if (op !== null && op !== undefined) this.#index.set(op.id, i);
    }
    for (const [at, op] of turn.removed) this.#index.set(op.id, at);
    this.#head = turn.head;
    this.#size = turn.size;
  }
}
