import type { Reactor, TimerHandle } from "../reactor/reactor.js";

/** Something that can expire: a pending ask. */
export interface Expirable {
  /** Set by the wheel: the slot holding this item, or null. */
  wheelSlot: Set<Expirable> | null;
  /** Set by the wheel: the index of that slot. */
  wheelIndex: number;
  /** Called once when the deadline passes while the item is still in the wheel. */
  expire(): void;
}

/** How often the wheel checks deadlines, in ms: timeouts fire up to this late. */
export const TIMEOUT_RESOLUTION_MS = 10;

/**
 * A hashed timing wheel for ask timeouts: O(1) add and remove, and one Reactor timer for all
 * pending asks of a loop, armed for the earliest slot that still holds an ask and cancelled when
 * none is left (asks answered in time never make a timer fire). Timeouts fire less than
 * {@link TIMEOUT_RESOLUTION_MS} after their deadline, never before it.
 */
export class TimeoutWheel {
  readonly #reactor: Reactor;
  readonly #slots = new Map<number, Set<Expirable>>();
  #timer: TimerHandle | null = null;
  #armedSlot = Number.POSITIVE_INFINITY;
  /** Slots below this index have been processed. */
  #nextSlot = Number.NEGATIVE_INFINITY;
  #count = 0;

  constructor(reactor: Reactor) {
    this.#reactor = reactor;
  }

  /** Number of items waiting. */
  get size(): number {
    return this.#count;
  }

  /** Adds `item` to expire `timeoutMs` from now (0 or more). */
  add(item: Expirable, timeoutMs: number): void {
    const nowMs = this.#reactor.nowMs();
    const slotIndex = Math.max(Math.ceil((nowMs + timeoutMs) / TIMEOUT_RESOLUTION_MS), this.#nextSlot);
    let slot = this.#slots.get(slotIndex);
    if (slot === undefined) {
      slot = new Set();
      this.#slots.set(slotIndex, slot);
    }
    slot.add(item);
    item.wheelSlot = slot;
    item.wheelIndex = slotIndex;
    this.#count++;
    if (slotIndex < this.#armedSlot) this.#arm(slotIndex);
  }

  /** Removes `item` if it is still waiting. */
  remove(item: Expirable): void {
    const slot = item.wheelSlot;
    if (slot === null) return;
    slot.delete(item);
    item.wheelSlot = null;
    this.#count--;
    if (slot.size === 0) this.#slots.delete(item.wheelIndex);
    // No ask left: no timer either (an idle loop keeps no timer alive).
    if (this.#count === 0) this.stop();
  }

  /** Stops the wheel's timer; pending items never expire. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.#armedSlot = Number.POSITIVE_INFINITY;
  }

  // Arms the one timer for the boundary of `slotIndex` (replacing a later one).
  #arm(slotIndex: number): void {
    this.#timer?.cancel();
    this.#armedSlot = slotIndex;
    const delayMs = slotIndex * TIMEOUT_RESOLUTION_MS - this.#reactor.nowMs();
    this.#timer = this.#reactor.setTimer(Math.max(0, delayMs), () => this.#tick());
  }

  #tick(): void {
    this.#timer = null;
    this.#armedSlot = Number.POSITIVE_INFINITY;
    const nowSlot = Math.floor(this.#reactor.nowMs() / TIMEOUT_RESOLUTION_MS);
    this.#nextSlot = nowSlot + 1;
    let earliest = Number.POSITIVE_INFINITY;
    for (const [index, slot] of [...this.#slots]) {
      if (index > nowSlot) {
        if (index < earliest) earliest = index;
        continue;
      }
      this.#slots.delete(index);
      for (const item of slot) {
        item.wheelSlot = null;
        this.#count--;
        item.expire();
      }
    }
    // Expiring may have added asks (and armed the timer): keep whichever slot comes first.
    if (earliest < this.#armedSlot) this.#arm(earliest);
  }
}
