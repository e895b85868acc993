import type { Arbitrary } from "fast-check";
import type { Prng } from "../reactor/virtual/prng.js";
import type { SimNetwork } from "./sim-network.js";
import type { SimWorld } from "./sim-world.js";

/** What a scenario's setup gets: the world, its network, and a PRNG for the workload. */
export interface ScenarioContext<O> {
  readonly world: SimWorld;
  readonly network: SimNetwork;
  /** The scenario's own random stream (derived from the run's seed). */
  readonly prng: Prng;
  /** The options derived from the seed (printed first). */
  readonly options: O;
  /**
   * Runs `action` at true virtual time `atMs` (a fault, a workload burst). Actions run between
   * steps, in (time, registration) order.
   */
  at(atMs: number, label: string, action: () => void): void;
}

/** A property of the system: returns null when it holds, or a message saying what is wrong. */
export interface Invariant<S> {
  readonly name: string;
  check(state: S): string | null;
}

/**
 * A simulation scenario: nodes, clients, a workload and faults, with invariants. Everything is
 * derived from one seed: first the options, then the plan (faults and workload, which shrinking
 * minimizes), then every random choice of the run.
 *
 * @typeParam O - options (sizes, rates) drawn from the seed.
 * @typeParam P - the plan: what shrinking minimizes (a fault schedule, a workload).
 * @typeParam S - the observable state the invariants read.
 */
export interface Scenario<O, P, S> {
  /** Name used on the command line: `chorus sim <name>`. */
  readonly name: string;
  /** One line: what it exercises. */
  readonly description: string;
  /** Derives the options from the seed's PRNG. */
  options(prng: Prng): O;
  /** Draws the plan from the seed's PRNG. */
  plan(prng: Prng, options: O): P;
  /** The plan as a fast-check arbitrary, for shrinking a failing plan. Optional. */
  planArbitrary?(options: O): Arbitrary<P>;
  /** Builds the world and schedules the plan; returns the state invariants read. */
  setup(context: ScenarioContext<O>, plan: P): S;
  /** Checked after every step. */
  readonly safety: readonly Invariant<S>[];
  /** Must all hold (at the same time) before the heal phase's budget runs out. */
  readonly liveness: readonly Invariant<S>[];
  /** Length of the chaos phase, in virtual ms. */
  readonly chaosMs: number;
  /** Budget of the heal phase, in virtual ms, after faults stop. */
  readonly healMs: number;
  /** Ends the chaos phase: heal the network, restart or resume nodes. Default: heal everything. */
  heal?(context: ScenarioContext<O>, state: S): void;
  /** Most steps of one run (a runaway guard). Default 2,000,000. */
  readonly maxSteps?: number;
}

/** A scenario with its types erased, for registries. */
// biome-ignore lint/suspicious/noExplicitAny: erased scenario.
export type AnyScenario = Scenario<any, any, any>;
