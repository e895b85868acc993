import type { Reactor, TimerHandle } from "../reactor/reactor.js";

/** Something that can expire: a pending ask. */
export interface Expirable {
  /** Set by the wheel: the slot holding this item, or null. */
  wheelSlot: Set<Expirable> | null;
  /** Called once when the deadline passes while the item is still in the wheel. */
  expire(): void;
}

/** How often the wheel checks deadlines, in ms: timeouts fire up to this late. */
export const TIMEOUT_RESOLUTION_MS = 10;

/**
 * A hashed timing wheel for ask timeouts: O(1) add and remove, one Reactor timer for all
 * pending asks of a loop instead of one timer per ask (armed only while asks are pending, at
 * slot boundaries). Timeouts fire less than {@link TIMEOUT_RESOLUTION_MS} after their deadline,
 * never before it.
 */
export class TimeoutWheel {
  readonly #reactor: Reactor;
  readonly #slots = new Map<number, Set<Expirable>>();
  #timer: TimerHandle | null = null;
  #nextSlot = 0;
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
    if (this.#timer === null) this.#nextSlot = Math.floor(nowMs / TIMEOUT_RESOLUTION_MS) + 1;
    const slotIndex = Math.max(Math.ceil((nowMs + timeoutMs) / TIMEOUT_RESOLUTION_MS), this.#nextSlot);
    let slot = this.#slots.get(slotIndex);
    if (slot === undefined) {
      slot = new Set();
      this.#slots.set(slotIndex, slot);
    }
    slot.add(item);
    item.wheelSlot = slot;
    this.#count++;
    if (this.#timer === null) this.#arm();
  }

  // One-shot timers aligned to slot boundaries, so a timeout fires less than one resolution late.
  #arm(): void {
    const delayMs = this.#nextSlot * TIMEOUT_RESOLUTION_MS - this.#reactor.nowMs();
    this.#timer = this.#reactor.setTimer(Math.max(0, delayMs), () => this.#tick());
  }

  /** Removes `item` if it is still waiting. */
  remove(item: Expirable): void {
    const slot = item.wheelSlot;
    if (slot === null) return;
    slot.delete(item);
    item.wheelSlot = null;
    this.#count--;
  }

  /** Stops the wheel's timer; pending items never expire. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  #tick(): void {
    this.#timer = null;
    const nowSlot = Math.floor(this.#reactor.nowMs() / TIMEOUT_RESOLUTION_MS);
    for (let index = this.#nextSlot; index <= nowSlot; index++) {
      const slot = this.#slots.get(index);
      if (slot === undefined) continue;
      this.#slots.delete(index);
      for (const item of slot) {
        item.wheelSlot = null;
        this.#count--;
        item.expire();
      }
    }
    this.#nextSlot = Math.max(this.#nextSlot, nowSlot + 1);
    if (this.#count > 0) this.#arm();
    else this.#slots.clear();
  }
}
