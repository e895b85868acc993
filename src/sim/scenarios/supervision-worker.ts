import { type Behaviour, DEFER } from "../../kernel/behaviour.js";
import type { ActorContext, Replier, TimerRef } from "../../kernel/context.js";
import { ExitReasons } from "../../kernel/exit-reason.js";
import type { Loop } from "../../kernel/loop-api.js";
import type { Ref } from "../../kernel/ref.js";
import type { SupervisionAskLedger } from "./supervision-ask-ledger.js";
import type { WorkerOptions } from "./supervision-options.js";

/**
 * Switches the scenario flips while it runs (workers read them at the moment they act):
 * faults are off while a generation boots and after the chaos phase.
 */
export interface FaultSwitch {
  active: boolean;
  /** Chance, per mille, that a client request crashes the worker handling it. */
  crashPerMille: number;
  /** Chance, per mille, that a restarted worker's `init` throws. */
  initFailPerMille: number;
  /**
   * Workers (by id) whose next start must not fail: a start requested with `restartChild` is
   * reported as `child_start_failed` but not retried, so it must not count as a restart.
   */
  readonly spared: Set<string>;
  /** Broken variant: each worker also starts a Reactor timer that no actor holds (a leak). */
  leakTimer: boolean;
}

/** Faults a worker carries out on itself (`tell("fault", mode)`). */
export type WorkerFault =
  | "throw"
  | "throw-after-effects"
  | "timer-throw"
  | "stop-normal"
  | "stop-shutdown"
  | "terminate-throws"
  | "helper-crash";

/** What a worker accepts: client requests, its own timer messages and injected faults. */
export interface WorkerProtocol {
  /** Counts work; may crash at random. */
  work(units: number): void;
  /** Replies with `id`; may crash at random. */
  echo(id: number): number;
  /** Replies with `id` after `delayMs` (a timer and `replyLater`); may crash at random. */
  slowEcho(request: { readonly id: number; readonly delayMs: number }): number;
  /** Timer message: answers the slow echo `id`. */
  flush(id: number): void;
  /** Starts a timer (kept in state; the oldest is cancelled beyond four). */
  arm(request: { readonly delayMs: number; readonly repeat: boolean }): void;
  /** Cancels the oldest timer in state. */
  disarm(): void;
  /** Timer message. */
  beat(): void;
  /** Near call: the number of requests handled; may crash at random. */
  peek(): number;
  fault(mode: WorkerFault): void;
  /** Timer message of a delayed stop. */
  finish(): void;
}

/** The argument of a worker's `init` (the same for every restart). */
export interface WorkerArgs {
  readonly options: WorkerOptions;
  readonly faults: FaultSwitch;
  readonly ledger: SupervisionAskLedger;
  /** The loop the worker runs on (its asks are tracked per loop). */
  readonly loop: Loop;
  /** Instruments a behaviour for the checkers (live actors for the timer audit, turns for the lifecycle). */
  readonly track: <B extends Behaviour<any, any, any>>(behaviour: B) => B;
}

interface WorkerState {
  readonly args: WorkerArgs;
  readonly handled: number;
  readonly timers: readonly TimerRef[];
  readonly waiting: ReadonlyMap<number, Replier<number>>;
  readonly helper: Ref<HelperProtocol> | null;
  readonly terminateThrows: boolean;
  readonly stopping: boolean;
}

type Ctx = ActorContext<WorkerProtocol, WorkerState>;

/** Most timers a worker keeps armed through `arm`. */
export const WORKER_TIMERS_MAX = 4;

/** The worker behaviour. Its crashes are what the supervisors under test must contain. */
export const workerBehaviour: Behaviour<WorkerProtocol, WorkerState, WorkerArgs> = {
  name: "worker",
  init(args, ctx) {
    const helper = args.options.helper ? ctx.spawnLink(args.track(helperBehaviour), args.options.beatMs) : null;
    ctx.sendInterval(args.options.beatMs, "beat");
    const faults = args.faults;
    if (faults.leakTimer) ctx.reactor.setTimer(1_000_000, () => {});
    // After the effects above, so that a failed start also proves they are discarded.
    const spared = faults.spared.delete(args.options.id);
    if (faults.active && !spared && chance(ctx, faults.initFailPerMille))
      throw new Error(`init of ${args.options.id} failed`);
    return { args, handled: 0, timers: [], waiting: new Map(), helper, terminateThrows: false, stopping: false };
  },
  handlers: {
    work(state, units, ctx) {
      maybeCrash(state, ctx, "work");
      ctx.setState({ ...state, handled: state.handled + units });
    },
    echo(state, id, ctx) {
      maybeCrash(state, ctx, "echo");
      ctx.setState({ ...state, handled: state.handled + 1 });
      return id;
    },
    slowEcho(state, { id, delayMs }, ctx) {
      maybeCrash(state, ctx, "slowEcho");
      const waiting = new Map(state.waiting).set(id, ctx.replyLater<number>());
      ctx.sendAfter(delayMs, "flush", id);
      ctx.setState({ ...state, handled: state.handled + 1, waiting });
      return DEFER;
    },
    flush(state, id, ctx) {
      state.waiting.get(id)?.reply(id);
      const waiting = new Map(state.waiting);
      waiting.delete(id);
      ctx.setState({ ...state, waiting });
    },
    arm(state, { delayMs, repeat }, ctx) {
      const timer = repeat ? ctx.sendInterval(delayMs, "beat") : ctx.sendAfter(delayMs, "beat");
      const timers = [...state.timers, timer];
      while (timers.length > WORKER_TIMERS_MAX) ctx.cancelTimer(timers.shift()!);
      ctx.setState({ ...state, timers });
    },
    disarm(state, _payload, ctx) {
      const [oldest, ...rest] = state.timers;
      if (oldest === undefined) return;
      ctx.cancelTimer(oldest);
      ctx.setState({ ...state, timers: rest });
    },
    beat: () => {},
    peek(state, _payload, ctx) {
      maybeCrash(state, ctx, "peek");
      return state.handled;
    },
    fault: (state, mode, ctx) => injectFault(state, mode, ctx),
    finish(_state, _payload, ctx) {
      ctx.stop(ExitReasons.shutdown);
    },
  },
  onExit(state, signal, ctx) {
    if (state.helper !== null && signal.from === state.helper) {
      if (signal.reason.type === "normal") ctx.setState({ ...state, helper: null });
      else ctx.stop(signal.reason);
      return;
    }
    if (signal.reason.type === "normal") return;
    if (signal.reason.type !== "shutdown") {
      ctx.stop(signal.reason);
      return;
    }
    stopWhenAsked(state, ctx);
  },
  terminate(state, _reason, ctx) {
    if (state.terminateThrows) throw new Error(`terminate of ${state.args.options.id} failed`);
    // The helper's exit signal comes back while this worker is exiting (an exit the kernel must
    // not start twice: test/sim/supervision-chaos-findings.test.ts).
    if (state.helper !== null) ctx.exit(state.helper, ExitReasons.shutdown);
  },
};

// A `shutdown` from the supervisor (or from outside): stop as this worker's style says.
function stopWhenAsked(state: WorkerState, ctx: Ctx): void {
  const options = state.args.options;
  switch (options.stopStyle) {
    case "now":
      ctx.stop(ExitReasons.shutdown);
      return;
    case "delay":
      if (state.stopping) return;
      ctx.sendAfter(options.stopDelayMs, "finish");
      ctx.setState({ ...state, stopping: true });
      return;
    case "ignore":
      return;
  }
}

function injectFault(state: WorkerState, mode: WorkerFault, ctx: Ctx): void {
  const id = state.args.options.id;
  switch (mode) {
    case "throw":
      throw new Error(`${id}: injected crash`);
    case "throw-after-effects":
      return throwAfterEffects(state, ctx);
    case "timer-throw":
      ctx.sendAfter(1 + Math.floor(ctx.reactor.random() * 20), "fault", "throw");
      return;
    case "stop-normal":
      ctx.stop();
      return;
    case "stop-shutdown":
      ctx.stop(ExitReasons.shutdown);
      return;
    case "terminate-throws":
      ctx.setState({ ...state, terminateThrows: true });
      ctx.stop();
      return;
    case "helper-crash":
      state.helper?.tell("fault");
      return;
  }
}

// Everything a turn can do, then a throw: the kernel must leave no timer, child, send or reply.
function throwAfterEffects(state: WorkerState, ctx: Ctx): never {
  const { args } = state;
  ctx.sendAfter(3, "beat");
  ctx.sendInterval(4, "beat");
  ctx.spawnLink(args.track(helperBehaviour), args.options.beatMs);
  ctx.self.tell("work", 1);
  args.ledger.track(args.loop, (id) => ctx.self.ask("echo", id), "fail");
  ctx.setState({ ...state, handled: -1 });
  throw new Error(`${args.options.id}: injected crash after effects`);
}

function maybeCrash(state: WorkerState, ctx: Ctx, what: string): void {
  const faults = state.args.faults;
  if (faults.active && chance(ctx, faults.crashPerMille)) {
    throw new Error(`${state.args.options.id}: random crash handling ${what}`);
  }
}

function chance(ctx: Ctx, perMille: number): boolean {
  return perMille > 0 && ctx.reactor.random() * 1000 < perMille;
}

/** What a worker's helper accepts. */
export interface HelperProtocol {
  beat(): void;
  /** Throws (the link then takes the worker down, or tells it if it traps exits). */
  fault(): void;
}

/** A worker's linked helper: an interval timer of its own, and a way to crash. */
export const helperBehaviour: Behaviour<HelperProtocol, null, number> = {
  name: "helper",
  init(beatMs, ctx) {
    ctx.sendInterval(beatMs, "beat");
    return null;
  },
  handlers: {
    beat: () => {},
    fault() {
      throw new Error("helper: injected crash");
    },
  },
};
