import fc from "fast-check";
import { type RunResult, runScenario } from "./run-scenario.js";
import type { AnyScenario } from "./scenario.js";

/** The outcome of {@link shrinkPlan}. */
export interface ShrinkResult {
  /** The smallest failing plan found (the original if it could not be shrunk). */
  readonly plan: unknown;
  /** The run of that plan. */
  readonly result: RunResult;
  /** Runs tried while shrinking. */
  readonly runs: number;
}

/**
 * Shrinks the plan of a failing run to a minimal one that still fails, keeping the seed (so
 * every other random choice is the same). Uses fast-check's shrinkers on the scenario's
 * `planArbitrary`, starting from the failing plan. Returns null if the scenario has no plan
 * arbitrary or the given plan does not fail. Shrinking stops after `timeLimitMs` (default 60 s)
 * with the smallest failing plan found so far.
 */
export async function shrinkPlan(
  scenario: AnyScenario,
  seed: number,
  plan: unknown,
  options: { timeLimitMs?: number } = {},
): Promise<ShrinkResult | null> {
  if (scenario.planArbitrary === undefined) return null;
  const first = await runScenario(scenario, seed, { plan });
  if (first.ok) return null;
  let smallest: { plan: unknown; result: RunResult } = { plan, result: first };
  let runs = 1;
  const arbitrary = scenario.planArbitrary(first.options);
  const property = fc.asyncProperty(arbitrary, async (candidate: unknown) => {
    runs++;
    const result = await runScenario(scenario, seed, { plan: candidate });
    if (!result.ok && size(candidate) <= size(smallest.plan)) smallest = { plan: candidate, result };
    return result.ok;
  });
  await fc.check(property, {
    examples: [[plan]],
    numRuns: 1,
    seed,
    endOnFailure: false,
    maxSkipsPerRun: 0,
    interruptAfterTimeLimit: options.timeLimitMs ?? 60_000,
    markInterruptAsFailure: false,
  });
  return { plan: smallest.plan, result: smallest.result, runs };
}

// A plan's size for "smaller": its JSON length, which shrinks as arrays and numbers shrink.
function size(plan: unknown): number {
  return JSON.stringify(plan)?.length ?? 0;
}
