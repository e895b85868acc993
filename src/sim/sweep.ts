import { type RunResult, runScenario } from "./run-scenario.js";
import type { AnyScenario } from "./scenario.js";

/** Options of {@link sweep}. */
export interface SweepOptions {
  /** Number of seeds to run. */
  seeds: number;
  /** First seed. Default 1. */
  firstSeed?: number;
  /** Stop at the first failure. Default true. */
  stopOnFailure?: boolean;
  /** Called after each run (for a live progress line). */
  onProgress?: (done: number, total: number, failures: number, last: RunResult) => void;
}

/** The outcome of {@link sweep}. */
export interface SweepResult {
  readonly runs: number;
  readonly failures: readonly RunResult[];
  readonly steps: number;
  readonly simMs: number;
}

/** Runs `scenario` for consecutive seeds, collecting failures. */
export async function sweep(scenario: AnyScenario, options: SweepOptions): Promise<SweepResult> {
  if (!Number.isInteger(options.seeds) || options.seeds < 1)
    throw new RangeError(`seeds must be an integer >= 1, got ${options.seeds}`);
  const first = options.firstSeed ?? 1;
  const failures: RunResult[] = [];
  let steps = 0;
  let simMs = 0;
  let runs = 0;
  for (let seed = first; seed < first + options.seeds; seed++) {
    const result = await runScenario(scenario, seed);
    runs++;
    steps += result.steps;
    simMs += result.simMs;
    if (!result.ok) failures.push(result);
    options.onProgress?.(runs, options.seeds, failures.length, result);
    if (!result.ok && (options.stopOnFailure ?? true)) break;
  }
  return { runs, failures, steps, simMs };
}
