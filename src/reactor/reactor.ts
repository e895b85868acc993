/**
 * The Reactor is Chorus's only door to nondeterminism: clocks, timers, deferred tasks,
 * randomness and unique ids. Code outside `src/reactor/node/` never touches `Date.now`,
 * `setTimeout`, `Math.random` or `crypto` directly; it asks the Reactor it was given. The real
 * implementation is {@link createNodeReactor}; the virtual one (`chorus/testing`) moves time only
 * when asked, which is what lets a simulation replay bit for bit from a seed.
 *
 * Network endpoints join this interface with the edge and wire issues.
 */
export interface Reactor {
  /** Monotonic time in milliseconds (fractional), from an arbitrary origin. Never goes back. */
  nowMs(): number;
  /** Wall-clock time in milliseconds since the Unix epoch. May jump; use only for timestamps. */
  wallClockMs(): number;
  /**
   * Runs `callback` once, `delayMs` milliseconds from now. Timers due at the same instant run
   * in the order they were set. Delays longer than Node's 2^31-1 ms limit work.
   * @throws RangeError if `delayMs` is negative, NaN or infinite.
   */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  /**
   * Runs `callback` every `periodMs` milliseconds (values below 1 count as 1) until cancelled.
   * @throws RangeError if `periodMs` is negative, NaN or infinite.
   */
  setRepeatingTimer(periodMs: number, callback: () => void): TimerHandle;
  /**
   * Runs `task` soon, after the current task and the microtasks it queued, before timers that
   * are not yet due (a macrotask: `setImmediate` on Node). Deferred tasks run in FIFO order.
   */
  defer(task: () => void): void;
  /** A uniformly distributed float in [0, 1). */
  random(): number;
  /** `length` random bytes. */
  randomByteArray(length: number): Uint8Array;
  /** A fresh 128-bit random identifier as 32 lowercase hex characters. */
  uniqueId(): string;
}

/** A timer returned by {@link Reactor.setTimer}; cancelling twice, or after it fired, is a no-op. */
export interface TimerHandle {
  /** Stops the timer; its callback will not run (again). */
  cancel(): void;
}

/**
 * Validates a timer delay or period (ms): a finite number >= 0, else RangeError naming `what`.
 * Shared by the reactors so that both refuse the same inputs.
 */
export function checkDelayMs(value: number, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${what} must be a finite number of ms >= 0, got ${String(value)}`);
  }
  return value;
}

/** Formats bytes as lowercase hex; shared by the reactors' `uniqueId`. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] as number).toString(16).padStart(2, "0");
  return out;
}
