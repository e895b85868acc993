import { randomBytes as cryptoRandomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { bytesToHex, checkDelayMs, type Reactor, type TimerHandle } from "../reactor.js";

/** Options for {@link createNodeReactor}. */
export interface NodeReactorOptions {
  /**
   * When true (the default), timers do not keep the process alive on their own (`unref`), so an
   * idle node exits when nothing else (a server socket, a worker) holds the event loop.
   * Set to false for scripts that only wait on timers.
   */
  unrefTimers?: boolean;
}

const RANDOM_POOL_BYTES = 4096;
const NODE_TIMER_MAX_MS = 2 ** 31 - 1;

/**
 * The real Reactor on Node.js: `performance.now`, `Date.now`, `setTimeout`/`setInterval`,
 * `setImmediate` and `crypto.randomBytes` (pooled, so `random()` costs no syscall per call).
 * This file and its folder are the only place in `src/` allowed to touch those globals.
 */
export function createNodeReactor(options: NodeReactorOptions = {}): Reactor {
  const unref = options.unrefTimers ?? true;
  let pool = cryptoRandomBytes(RANDOM_POOL_BYTES);
  let poolOffset = 0;
  const take = (length: number): Uint8Array => {
    if (length > RANDOM_POOL_BYTES) return new Uint8Array(cryptoRandomBytes(length));
    if (poolOffset + length > RANDOM_POOL_BYTES) {
      pool = cryptoRandomBytes(RANDOM_POOL_BYTES);
      poolOffset = 0;
    }
    const out = new Uint8Array(pool.subarray(poolOffset, poolOffset + length));
    poolOffset += length;
    return out;
  };
  // setTimeout caps delays at 2^31-1 ms (longer ones fire at once), so long timers hop.
  const longTimer = (delayMs: number, callback: () => void): TimerHandle => {
    let handle: NodeJS.Timeout;
    const arm = (remainingMs: number): void => {
      const step = Math.min(remainingMs, NODE_TIMER_MAX_MS);
      handle = setTimeout(() => (remainingMs > step ? arm(remainingMs - step) : callback()), step);
      if (unref) handle.unref();
    };
    arm(delayMs);
    return { cancel: () => clearTimeout(handle) };
  };
  return {
    nowMs: () => performance.now(),
    wallClockMs: () => Date.now(),
    setTimer: (delayMs, callback) => longTimer(checkDelayMs(delayMs, "delayMs"), callback),
    setRepeatingTimer: (periodMs, callback) => {
      const period = Math.min(Math.max(1, checkDelayMs(periodMs, "periodMs")), NODE_TIMER_MAX_MS);
      const handle = setInterval(callback, period);
      if (unref) handle.unref();
      return { cancel: () => clearInterval(handle) };
    },
    defer: (task) => {
      setImmediate(task);
    },
    random: () => Math.random(),
    randomByteArray: take,
    uniqueId: () => bytesToHex(take(16)),
  };
}
