import { installRealWorldGuard, microtaskBarrier } from "../reactor/node/real-world-guard.js";
import { Prng } from "../reactor/virtual/prng.js";
import type { AnyScenario, Invariant, ScenarioContext } from "./scenario.js";
import { SimNetwork } from "./sim-network.js";
import { SimWorld } from "./sim-world.js";
import type { TraceEvent } from "./trace.js";

/** Options of {@link runScenario}. */
export interface RunOptions {
  /** Use this plan instead of drawing it from the seed (replaying a shrunk plan). */
  plan?: unknown;
  /** Make real clocks, timers and randomness throw while the run steps. Default true. */
  guardRealWorld?: boolean;
  /** Keep every trace event (for tests of short runs). Default false. */
  keepTrace?: boolean;
  /** Events kept for the failure report. Default 200. */
  traceTail?: number;
}

/** What went wrong in a failed run. */
export interface Violation {
  /** The invariant's name, or "exception" for an uncaught error in simulated code. */
  readonly invariant: string;
  readonly message: string;
  readonly phase: "chaos" | "heal";
  /** True virtual time of the failure, in ms. */
  readonly atMs: number;
}

/** The outcome of one run. Equal `traceHash`es mean bit-identical runs. */
export interface RunResult {
  readonly scenario: string;
  readonly seed: number;
  readonly ok: boolean;
  readonly violation: Violation | null;
  readonly options: unknown;
  readonly plan: unknown;
  /** True when the plan was given (`RunOptions.plan`) rather than drawn from the seed. */
  readonly planGiven: boolean;
  readonly traceHash: string;
  readonly events: number;
  readonly steps: number;
  /** Virtual time simulated, in ms. */
  readonly simMs: number;
  /** The last trace events (for the failure report). */
  readonly tail: readonly TraceEvent[];
  /** Every event, when `keepTrace` was set. */
  readonly trace: readonly TraceEvent[] | null;
}

interface Action {
  readonly atMs: number;
  readonly seq: number;
  readonly label: string;
  readonly run: () => void;
}

/**
 * Runs `scenario` from `seed`: derives options and plan, builds the world, runs the chaos phase
 * (checking safety invariants after every step), heals, then runs until every liveness invariant
 * holds or the heal budget is spent. Deterministic: the same seed (and plan) gives the same
 * trace hash.
 */
export async function runScenario(scenario: AnyScenario, seed: number, options: RunOptions = {}): Promise<RunResult> {
  const world = new SimWorld({ seed, keepTrace: options.keepTrace ?? false, traceTail: options.traceTail ?? 200 });
  const scenarioPrng = new Prng(world.prng.nextUint32());
  const derived = scenario.options(scenarioPrng);
  // Draw the plan even when replaying one, so the scenario's PRNG (and so its workload) is the same.
  const drawn = scenario.plan(scenarioPrng, derived);
  const plan = options.plan !== undefined ? options.plan : drawn;
  const network = new SimNetwork(world);
  const actions: Action[] = [];
  const context: ScenarioContext<unknown> = {
    world,
    network,
    prng: scenarioPrng.fork(),
    options: derived,
    at: (atMs, label, run) => {
      // An action asked for in the past runs now (after those already run), never re-running one.
      actions.push({ atMs: Math.max(atMs, world.nowMs), seq: actions.length, label, run });
      actions.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
    },
  };
  const guard = options.guardRealWorld === false ? null : installRealWorldGuard();
  let violation: Violation | null;
  try {
    const state = scenario.setup(context, plan);
    const driver = new Driver(world, actions, scenario.maxSteps ?? 2_000_000);
    violation = await driver.run("chaos", scenario.chaosMs, (phase) =>
      firstViolation(scenario.safety, state, phase, world),
    );
    if (violation === null) {
      if (scenario.heal) scenario.heal(context, state);
      else defaultHeal(context);
      violation = await driver.run("heal", world.nowMs + scenario.healMs, (phase) => {
        const safety = firstViolation(scenario.safety, state, phase, world);
        if (safety !== null) return safety;
        return firstViolation(scenario.liveness, state, phase, world) === null ? "done" : null;
      });
      if (violation === null) {
        const live = firstViolation(scenario.liveness, state, "heal", world);
        if (live !== null)
          violation = {
            ...live,
            message: `${live.message} (not reached within the ${scenario.healMs} ms heal budget)`,
          };
      }
    }
  } catch (error) {
    violation = { invariant: "exception", message: errorText(error), phase: "chaos", atMs: world.nowMs };
  } finally {
    guard?.restore();
  }
  if (guard !== null && guard.violations.length > 0 && violation === null) {
    violation = {
      invariant: "real-world access",
      message: guard.violations.join(", "),
      phase: "chaos",
      atMs: world.nowMs,
    };
  }
  return {
    scenario: scenario.name,
    seed,
    ok: violation === null,
    violation,
    options: derived,
    plan,
    planGiven: options.plan !== undefined,
    traceHash: world.trace.hash,
    events: world.trace.count,
    steps: world.steps,
    simMs: world.nowMs,
    tail: world.trace.tail(),
    trace: world.trace.all(),
  };
}

const SETTLED: Promise<void> = Promise.resolve();

/** Steps the world, applying scheduled actions at their time and checking after each step. */
class Driver {
  #next = 0;
  constructor(
    readonly world: SimWorld,
    readonly actions: Action[],
    readonly maxSteps: number,
  ) {}

  /** Runs until `untilMs`; `check` returns a violation, "done" (stop early), or null. */
  async run(
    phase: "chaos" | "heal",
    untilMs: number,
    check: (phase: "chaos" | "heal") => Violation | "done" | null,
  ): Promise<Violation | null> {
    const world = this.world;
    for (;;) {
      if (world.steps >= this.maxSteps) {
        return { invariant: "step budget", message: `more than ${this.maxSteps} steps`, phase, atMs: world.nowMs };
      }
      const action = this.actions[this.#next];
      const limit = Math.min(untilMs, action?.atMs ?? Number.POSITIVE_INFINITY);
      if (!world.step(limit)) {
        // Nothing runs before the limit; let pending promise continuations run, then look again.
        await microtaskBarrier();
        if (world.step(limit)) {
          // a continuation scheduled work
        } else if (action !== undefined && action.atMs <= untilMs) {
          world.advanceTo(action.atMs);
          this.#next++;
          world.record({ type: "action", atMs: world.nowMs, label: action.label });
          action.run();
        } else {
          world.advanceTo(untilMs);
          const verdict = check(phase);
          return verdict === "done" ? null : verdict;
        }
      }
      // Let microtasks queued by this step run (deterministically: only those already queued).
      // Awaiting a settled promise takes the same one tick as `await null` without allocating one.
      await SETTLED;
      const verdict = check(phase);
      if (verdict === "done") return null;
      if (verdict !== null) return verdict;
    }
  }
}

function firstViolation<S>(
  invariants: readonly Invariant<S>[],
  state: S,
  phase: "chaos" | "heal",
  world: SimWorld,
): Violation | null {
  for (const invariant of invariants) {
    const message = invariant.check(state);
    if (message !== null) return { invariant: invariant.name, message, phase, atMs: world.nowMs };
  }
  return null;
}

function defaultHeal(context: ScenarioContext<unknown>): void {
  context.network.heal();
  for (const node of context.world.nodes()) {
    if (node.status === "crashed") node.restart();
    else if (node.status === "paused") node.resume();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error);
}
