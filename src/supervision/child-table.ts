/**
 * A supervisor's children, in start order, indexed by id and by running ref, so that starting,
 * finding and forgetting a child cost O(1) however many children there are (a Socket.IO server's
 * connection supervisor holds one per connection: a list scanned and copied per turn made each
 * connect cost O(n)).
 *
 * Turns are transactional without copying: {@link ChildTable.begin} starts an undo log,
 * {@link ChildTable.commit} drops it, {@link ChildTable.rollback} undoes the turn's changes. A
 * child forgotten inside a turn stays in place as a tombstone until the commit, so a rollback
 * puts it back where it was.
 *
 * ```
 * begin ─► put / delete (undo log: id, previous record) ─► commit (tombstones removed)
 *                                                      └─► rollback (previous records back)
 * ```
 */
import type { ChildRecord } from "./supervisor-state.js";

type AnyRef = NonNullable<ChildRecord["ref"]>;

/** Marks a child forgotten in the current turn (removed at the commit). */
const GONE = Symbol("gone");
type Slot = ChildRecord | typeof GONE;

/** The children of one supervisor (see the module comment). */
export class ChildTable {
  readonly #byId = new Map<string, Slot>();
  readonly #byRef = new Map<AnyRef, string>();
  /** `[id, previous slot or undefined]` per change since `begin`, or null outside a turn. */
  #undo: Array<readonly [string, Slot | undefined]> | null = null;
  #size = 0;

  /** Number of children. */
  get size(): number {
    return this.#size;
  }

  /** The child with this id, if any. */
  get(id: string): ChildRecord | undefined {
    const slot = this.#byId.get(id);
    return slot === GONE ? undefined : slot;
  }

  /** The child whose running incarnation is `ref`, if any. */
  byRef(ref: AnyRef): ChildRecord | undefined {
    const id = this.#byRef.get(ref);
    return id === undefined ? undefined : this.get(id);
  }

  /** Replaces the record of `child.spec.id` (keeping its place), or appends it. */
  put(child: ChildRecord): void {
    this.#set(child.spec.id, child);
  }

  /** Forgets child `id` (nothing if there is none). */
  delete(id: string): void {
    if (this.get(id) === undefined) return;
    if (this.#undo === null) {
      this.#unindex(id);
      this.#byId.delete(id);
      this.#size--;
    } else {
      this.#set(id, GONE);
    }
  }

  /** Every child, in start order (a snapshot). */
  list(): ChildRecord[] {
    const out: ChildRecord[] = [];
    for (const slot of this.#byId.values()) if (slot !== GONE) out.push(slot);
    return out;
  }

  /** Starts a turn: later changes can be undone by {@link ChildTable.rollback}. */
  begin(): void {
    this.#undo = [];
  }

  /** Ends a turn, keeping its changes. */
  commit(): void {
    const undo = this.#undo;
    this.#undo = null;
    if (undo === null) return;
    for (const [id] of undo) if (this.#byId.get(id) === GONE) this.#byId.delete(id);
  }

  /** Ends a turn, undoing its changes (latest first). */
  rollback(): void {
    const undo = this.#undo;
    this.#undo = null;
    if (undo === null) return;
    for (let i = undo.length - 1; i >= 0; i--) {
      const [id, previous] = undo[i]!;
      this.#unindex(id);
      if (this.#byId.get(id) !== GONE && this.#byId.has(id)) this.#size--;
      if (previous === undefined) {
        this.#byId.delete(id);
      } else {
        this.#byId.set(id, previous);
        if (previous !== GONE) {
          this.#size++;
          if (previous.ref !== null) this.#byRef.set(previous.ref, id);
        }
      }
    }
  }

  #set(id: string, slot: Slot): void {
    const previous = this.#byId.get(id);
    this.#undo?.push([id, previous]);
    this.#unindex(id);
    if (previous !== undefined && previous !== GONE) this.#size--;
    this.#byId.set(id, slot);
    if (slot !== GONE) {
      this.#size++;
      if (slot.ref !== null) this.#byRef.set(slot.ref, id);
    }
  }

  /** Drops the ref index entry of the current record of `id`. */
  #unindex(id: string): void {
    const current = this.#byId.get(id);
    if (current !== undefined && current !== GONE && current.ref !== null && this.#byRef.get(current.ref) === id) {
      this.#byRef.delete(current.ref);
    }
  }
}
