/**
 * Shared fixtures of the kernel tests: a loop on a VirtualReactor, helpers to run it without
 * moving time, and a few small behaviours. Not a test file: the runner loads it and finds no tests.
 */
import {
  type AnyRef,
  type Behaviour,
  createLoop,
  DEFER,
  isRef,
  type Loop,
  type LoopOptions,
  type Replier,
} from "../../src/index.js";
import { VirtualReactor } from "../../src/testing.js";

/** A loop on a fresh VirtualReactor (time starts at 0). */
export function setup(options: Omit<LoopOptions, "reactor"> = {}, seed = 1): { reactor: VirtualReactor; loop: Loop } {
  const reactor = new VirtualReactor({ seed });
  const loop = createLoop({ reactor, ...options });
  return { reactor, loop };
}

/** Runs every deferred task, due timer and microtask, without moving virtual time. */
export async function flush(reactor: VirtualReactor): Promise<void> {
  await reactor.settle({ maxAdvanceMs: 0 });
}

/** Lets promise continuations run (no reactor task runs). */
export async function microtasks(rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** What became of a promise, observed without awaiting it. */
export interface Outcome<T> {
  /** How many times it settled (a promise can only settle once; this must end at 1). */
  settlements: number;
  status: "pending" | "fulfilled" | "rejected";
  value: T | undefined;
  error: unknown;
}

/** Observes `promise` (and marks its rejection handled). */
export function track<T>(promise: Promise<T>): Outcome<T> {
  const outcome: Outcome<T> = { settlements: 0, status: "pending", value: undefined, error: undefined };
  promise.then(
    (value) => {
      outcome.settlements++;
      outcome.status = "fulfilled";
      outcome.value = value;
    },
    (error: unknown) => {
      outcome.settlements++;
      outcome.status = "rejected";
      outcome.error = error;
    },
  );
  return outcome;
}

/** The `code` of a kernel error (undefined for anything else). */
export function codeOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? (error as { code?: string }).code : undefined;
}

/** An actor that records every `msg` payload it handles, in order. */
export interface Recorder {
  msg(payload: unknown): void;
  log(): readonly unknown[];
}

/** A recorder whose log is also pushed to `sink` (so tests can read it without asking). */
export function recorder(sink: unknown[] = [], name = "recorder"): Behaviour<Recorder, readonly unknown[]> {
  return {
    name,
    init: () => [],
    handlers: {
      msg(state, payload, ctx) {
        sink.push(payload);
        ctx.setState([...state, payload]);
      },
      log: (state) => state,
    },
  };
}

/** A counter: the smoke-test actor. */
export interface Counter {
  add(by: number): void;
  get(): number;
  boom(): void;
}

export const counter: Behaviour<Counter, { n: number }, number> = {
  name: "counter",
  init: (start) => ({ n: start }),
  handlers: {
    add(state, by, ctx) {
      ctx.setState({ n: state.n + by });
    },
    get: (state) => state.n,
    boom() {
      throw new Error("boom");
    },
  },
};

/** An actor that holds requests and answers them when told (replyLater + DEFER). */
export interface Holder {
  hold(): number;
  release(value: number): void;
  fail(reason: string): void;
  stop(): void;
  count(): number;
}

export function holder(name = "holder"): Behaviour<Holder, readonly Replier<number>[]> {
  return {
    name,
    init: () => [],
    handlers: {
      hold(state, _payload, ctx) {
        ctx.setState([...state, ctx.replyLater<number>()]);
        return DEFER;
      },
      release(state, value, ctx) {
        for (const replier of state) replier.reply(value);
        ctx.setState([]);
      },
      fail(state, reason, ctx) {
        for (const replier of state) replier.fail(new Error(reason));
        ctx.setState([]);
      },
      stop(_state, _payload, ctx) {
        ctx.stop();
      },
      count: (state) => state.length,
    },
  };
}

/** An actor with no behaviour beyond staying alive (a link or monitor target). */
export interface Idle {
  stop(): void;
  crash(message: string): void;
}

export function idle(name = "idle"): Behaviour<Idle, null> {
  return {
    name,
    init: () => null,
    handlers: {
      stop(_state, _payload, ctx) {
        ctx.stop();
      },
      crash(_state, message) {
        throw new Error(message);
      },
    },
  };
}

/** The status of `ref` on `loop` (throws if it is not on the loop). */
export function statusOf(loop: Loop, ref: AnyRef): string {
  const info = loop.inspect(ref);
  if (info === undefined) throw new Error(`${ref} is not on ${loop.name}`);
  return info.status;
}

/** Tracks `promise`, runs the loop (without moving time) and returns what became of it. */
export async function outcomeOf<T>(reactor: VirtualReactor, promise: Promise<T>): Promise<Outcome<T>> {
  const outcome = track(promise);
  await flush(reactor);
  return outcome;
}

/**
 * Replaces every ref inside `value` (arrays and plain objects, recursively) by its description.
 * `assert.deepEqual` cannot tell refs apart (they have no own enumerable properties), so compare
 * `named(actual)` with `named(expected)` instead.
 */
export function named(value: unknown): unknown {
  if (isRef(value)) return String(value);
  if (Array.isArray(value)) return value.map(named);
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, named(inner)]));
  }
  return value;
}
