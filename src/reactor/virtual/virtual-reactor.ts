import { bytesToHex, checkDelayMs, type Reactor, type TimerHandle } from "../reactor.js";
import { Prng } from "./prng.js";
import { TimerHeap } from "./timer-heap.js";

/** Options for {@link VirtualReactor}. */
export interface VirtualReactorOptions {
  /** Seed of the PRNG behind `random`, `randomByteArray` and `uniqueId`. Default 1. */
  seed?: number;
  /** Virtual monotonic time at start, in ms. Default 0. */
  startMs?: number;
  /** Wall-clock time that corresponds to `startMs`, in ms since the epoch. Default 1.7e12. */
  wallClockStartMs?: number;
}

interface VirtualTimer {
  dueMs: number;
  seq: number;
  periodMs: number;
  callback: () => void;
  cancelled: boolean;
}

/**
 * A Reactor whose time moves only when the test (or the simulator) steps it. Deferred tasks run
 * FIFO; timers run in (due time, creation order). Every random value comes from one seeded PRNG.
 * The deterministic-simulation issue builds its simulated world on top of this.
 */
export class VirtualReactor implements Reactor {
  #nowMs: number;
  readonly #wallOffsetMs: number;
  readonly #prng: Prng;
  #deferred: Array<() => void> = [];
  #deferredHead = 0;
  readonly #timers = new TimerHeap<VirtualTimer>();
  #seq = 0;
  #liveTimers = 0;

  constructor(options: VirtualReactorOptions = {}) {
    this.#nowMs = options.startMs ?? 0;
    this.#wallOffsetMs = (options.wallClockStartMs ?? 1.7e12) - this.#nowMs;
    this.#prng = new Prng(options.seed ?? 1);
  }

  nowMs(): number {
    return this.#nowMs;
  }

  wallClockMs(): number {
    return this.#nowMs + this.#wallOffsetMs;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    return this.#add(checkDelayMs(delayMs, "delayMs"), 0, callback);
  }

  setRepeatingTimer(periodMs: number, callback: () => void): TimerHandle {
    const period = Math.max(1, checkDelayMs(periodMs, "periodMs"));
    return this.#add(period, period, callback);
  }

  defer(task: () => void): void {
    this.#deferred.push(task);
  }

  random(): number {
    return this.#prng.nextFloat();
  }

  randomByteArray(length: number): Uint8Array {
    return this.#prng.bytes(length);
  }

  uniqueId(): string {
    return bytesToHex(this.randomByteArray(16));
  }

  /** Number of timers set and not yet fired or cancelled (repeating ones count until cancelled). */
  get pendingTimerCount(): number {
    return this.#liveTimers;
  }

  /** Number of deferred tasks waiting to run. */
  get pendingTaskCount(): number {
    return this.#deferred.length - this.#deferredHead;
  }

  /**
   * Runs deferred tasks and due timers, advancing virtual time to each next timer, until nothing
   * is left or `maxSteps` tasks ran (default 1,000,000). Returns the number of tasks run.
   * Timers further than `maxAdvanceMs` (default: unlimited) from the start are left pending.
   */
  runUntilIdle(options: { maxSteps?: number; maxAdvanceMs?: number } = {}): number {
    const maxSteps = options.maxSteps ?? 1_000_000;
    const limitMs = this.#nowMs + (options.maxAdvanceMs ?? Number.POSITIVE_INFINITY);
    let steps = 0;
    while (steps < maxSteps) {
      if (this.#runOneDeferred()) {
        steps++;
        continue;
      }
      const timer = this.#peekTimer();
      if (timer === undefined || timer.dueMs > limitMs) break;
      this.#fire(timer);
      steps++;
    }
    return steps;
  }

  /** Advances virtual time by `ms`, running every task and timer due on the way. */
  advanceBy(ms: number): number {
    const target = this.#nowMs + ms;
    let steps = this.runUntilIdle({ maxAdvanceMs: ms });
    if (this.#nowMs < target) this.#nowMs = target;
    steps += this.runUntilIdle({ maxAdvanceMs: 0 });
    return steps;
  }

  /**
   * Like {@link runUntilIdle}, but lets promise continuations (microtasks) run between tasks, so
   * code that awaits kernel promises makes progress. Returns when no task, due timer or
   * microtask-triggered task remains (timers are advanced to, up to `maxAdvanceMs`).
   */
  async settle(options: { maxSteps?: number; maxAdvanceMs?: number } = {}): Promise<void> {
    const limitMs = this.#nowMs + (options.maxAdvanceMs ?? Number.POSITIVE_INFINITY);
    let budget = options.maxSteps ?? 1_000_000;
    for (;;) {
      for (let i = 0; i < 32; i++) await Promise.resolve();
      const ran = this.runUntilIdle({ maxSteps: 1, maxAdvanceMs: limitMs - this.#nowMs });
      if (ran === 0) {
        for (let i = 0; i < 32; i++) await Promise.resolve();
        if (this.runUntilIdle({ maxSteps: 1, maxAdvanceMs: limitMs - this.#nowMs }) === 0) return;
      }
      if (--budget <= 0) return;
    }
  }

  #add(delayMs: number, periodMs: number, callback: () => void): TimerHandle {
    const timer: VirtualTimer = {
      dueMs: this.#nowMs + delayMs,
      seq: this.#seq++,
      periodMs,
      callback,
      cancelled: false,
    };
    this.#timers.push(timer);
    this.#liveTimers++;
    return {
      cancel: () => {
        if (timer.cancelled) return;
        timer.cancelled = true;
        this.#liveTimers--;
      },
    };
  }

  #runOneDeferred(): boolean {
    if (this.#deferredHead >= this.#deferred.length) return false;
    const task = this.#deferred[this.#deferredHead] as () => void;
    this.#deferred[this.#deferredHead++] = noop;
    if (this.#deferredHead > 1024 && this.#deferredHead * 2 > this.#deferred.length) {
      this.#deferred = this.#deferred.slice(this.#deferredHead);
      this.#deferredHead = 0;
    }
    task();
    return true;
  }

  #peekTimer(): VirtualTimer | undefined {
    while (this.#timers.peek()?.cancelled) this.#timers.pop();
    return this.#timers.peek();
  }

  #fire(timer: VirtualTimer): void {
    this.#timers.pop();
    if (timer.dueMs > this.#nowMs) this.#nowMs = timer.dueMs;
    if (timer.periodMs > 0) {
      timer.dueMs += timer.periodMs;
      timer.seq = this.#seq++;
      this.#timers.push(timer);
    } else {
      timer.cancelled = true;
      this.#liveTimers--;
    }
    timer.callback();
  }
}

function noop(): void {}
