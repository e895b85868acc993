/**
 * Guards a simulation against the real world: while installed, the global clock, timer and
 * random functions throw, so simulated code that bypasses its Reactor fails loudly instead of
 * making a seed unreplayable. Lives here because this folder is the only one allowed to touch
 * those globals.
 */

/** Thrown when simulated code reaches a real clock, timer or random source. */
export class RealWorldAccessError extends Error {
  readonly code = "real_world_access";
  constructor(what: string) {
    super(`simulated code called ${what}: use the Reactor it was given (a real ${what} breaks replay)`);
    this.name = "RealWorldAccessError";
  }
}

/** A restore function plus the real `setImmediate`, which the simulator's barrier still needs. */
export interface RealWorldGuard {
  /** Puts the real functions back. Idempotent. */
  restore(): void;
  /** Resolves after every queued microtask has run (a real macrotask boundary). */
  barrier(): Promise<void>;
  /** Every forbidden access seen while installed (the first one is also thrown to its caller). */
  readonly violations: readonly string[];
}

const realSetImmediate = globalThis.setImmediate;

// `new Date()` and `Date()` read the clock; `new Date(ms)` and the static helpers do not. The
// global Date is swapped for a proxy that refuses only the clock-reading forms.
function trapDateConstructor(saved: Array<[object, string, unknown]>, violations: string[]): void {
  const RealDate = globalThis.Date;
  const refuse = (label: string): never => {
    violations.push(label);
    throw new RealWorldAccessError(label);
  };
  const guarded = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      if (args.length === 0) refuse("new Date()");
      return Reflect.construct(target, args, newTarget) as object;
    },
    apply() {
      return refuse("Date()");
    },
  });
  saved.push([globalThis, "Date", RealDate]);
  Object.defineProperty(globalThis, "Date", { configurable: true, writable: true, value: guarded });
}

/** Resolves after every queued microtask has run (uses the real `setImmediate`). */
export function microtaskBarrier(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/**
 * Replaces `Date.now`, `new Date()`/`Date()`, `process.hrtime` (and `.bigint`),
 * `performance.now`, `setTimeout`, `setInterval`, `setImmediate`, `Math.random` and
 * `crypto.getRandomValues`/`randomUUID` with functions that record and throw
 * {@link RealWorldAccessError}. Call `restore()` when the simulation step ends.
 */
export function installRealWorldGuard(): RealWorldGuard {
  const violations: string[] = [];
  const saved: Array<[object, string, unknown]> = [];
  const trap = (owner: object | undefined, key: string, label: string) => {
    if (owner === undefined || !(key in owner)) return;
    saved.push([owner, key, (owner as Record<string, unknown>)[key]]);
    Object.defineProperty(owner, key, {
      configurable: true,
      writable: true,
      value: () => {
        violations.push(label);
        throw new RealWorldAccessError(label);
      },
    });
  };
  trap(Date, "now", "Date.now()");
  trap(process, "hrtime", "process.hrtime()");
  Object.defineProperty(process.hrtime, "bigint", {
    configurable: true,
    value: () => {
      violations.push("process.hrtime.bigint()");
      throw new RealWorldAccessError("process.hrtime.bigint()");
    },
  });
  trapDateConstructor(saved, violations);
  trap(globalThis.performance, "now", "performance.now()");
  trap(globalThis, "setTimeout", "setTimeout()");
  trap(globalThis, "setInterval", "setInterval()");
  trap(globalThis, "setImmediate", "setImmediate()");
  trap(Math, "random", "Math.random()");
  trap(globalThis.crypto, "getRandomValues", "crypto.getRandomValues()");
  trap(globalThis.crypto, "randomUUID", "crypto.randomUUID()");
  let restored = false;
  return {
    violations,
    barrier: microtaskBarrier,
    restore() {
      if (restored) return;
      restored = true;
      for (const [owner, key, value] of saved.reverse()) {
        Object.defineProperty(owner, key, { configurable: true, writable: true, value });
      }
    },
  };
}
