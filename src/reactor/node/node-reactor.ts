import { randomBytes as cryptoRandomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { bytesToHex, type Reactor, type TimerHandle } from "../reactor.js";

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
  const wrap = (handle: NodeJS.Timeout): TimerHandle => {
    if (unref) handle.unref();
    return { cancel: () => clearTimeout(handle) };
  };
  return {
    nowMs: () => performance.now(),
    wallClockMs: () => Date.now(),
    setTimer: (delayMs, callback) => wrap(setTimeout(callback, Math.max(0, delayMs))),
    setRepeatingTimer: (periodMs, callback) => {
      const handle = setInterval(callback, Math.max(1, periodMs));
      if (unref) handle.unref();
      return { cancel: () => clearInterval(handle) };
    },
    defer: (task) => {
      setImmediate(task);
    },
    random: () => Math.random(),
    randomBytes: take,
    uniqueId: () => bytesToHex(take(16)),
  };
}
