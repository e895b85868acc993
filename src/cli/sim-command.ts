import { createNodeReactor } from "../reactor/node/node-reactor.js";
import { formatFailure, formatReplay, formatRunHeader, formatRunLine } from "../sim/report.js";
import { runScenario } from "../sim/run-scenario.js";
import { builtInScenarios } from "../sim/scenarios/index.js";
import { shrinkPlan } from "../sim/shrink.js";
import { sweep } from "../sim/sweep.js";

/** Options of `chorus sim`. */
export interface SimCommandOptions {
  seed?: number;
  seeds?: number;
  firstSeed?: number;
  shrink?: boolean;
  /** A plan (JSON) to run instead of the one drawn from the seed, e.g. a shrunk plan. */
  plan?: string;
  list?: boolean;
  /** Where lines go. Default: stdout. */
  print?: (line: string) => void;
  /** Where the live progress line goes. Default: stderr when it is a TTY, else nothing. */
  progress?: (line: string) => void;
}

/**
 * `chorus sim <scenario>`: runs one seed (`--seed`) and prints its trace hash, or sweeps
 * `--seeds N` with a live progress line; on failure prints the report and the replay command,
 * and with `--shrink` a minimal failing plan. Returns the process exit code.
 */
export async function simCommand(name: string | undefined, options: SimCommandOptions): Promise<number> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (options.list || name === undefined) {
    for (const scenario of builtInScenarios.values()) print(`${scenario.name.padEnd(24)} ${scenario.description}`);
    return name === undefined && !options.list ? 2 : 0;
  }
  const scenario = builtInScenarios.get(name);
  if (scenario === undefined) {
    print(`chorus sim: no scenario "${name}"; known: ${[...builtInScenarios.keys()].join(", ")}`);
    return 2;
  }
  let plan: unknown;
  if (options.plan !== undefined) {
    try {
      plan = JSON.parse(options.plan);
    } catch (error) {
      print(`chorus sim: --plan is not JSON: ${(error as Error).message}`);
      return 2;
    }
    if (options.seeds !== undefined) {
      print("chorus sim: --plan replays one seed; it cannot be combined with --seeds");
      return 2;
    }
  }
  let failed = null;
  if (options.seeds === undefined) {
    const seed = options.seed ?? 1;
    const result = await runScenario(scenario, seed, plan === undefined ? {} : { plan });
    for (const line of formatRunHeader(scenario.name, seed, result.options)) print(line);
    print(formatRunLine(result));
    if (!result.ok) failed = result;
  } else {
    const progress =
      options.progress ?? (process.stderr.isTTY ? (line: string) => process.stderr.write(`\r${line}`) : () => {});
    print(`SEEDS=${options.firstSeed ?? 1}..${(options.firstSeed ?? 1) + options.seeds - 1} scenario=${scenario.name}`);
    const clock = createNodeReactor();
    const started = clock.nowMs();
    const summary = await sweep(scenario, {
      seeds: options.seeds,
      firstSeed: options.firstSeed ?? 1,
      onProgress: (done, total, failures, last) =>
        progress(`[${done}/${total}] seed ${last.seed} ${last.ok ? "ok" : "FAILED"}, ${failures} failure(s)   `),
    });
    progress("\n");
    const wallS = (clock.nowMs() - started) / 1000;
    print(
      `${summary.runs} run(s), ${summary.failures.length} failure(s), ${summary.steps} steps, ${(summary.simMs / 1000).toFixed(1)} s simulated in ${wallS.toFixed(1)} s`,
    );
    failed = summary.failures[0] ?? null;
    if (failed) for (const line of formatRunHeader(scenario.name, failed.seed, failed.options)) print(line);
  }
  if (failed === null) return 0;
  for (const line of formatFailure(failed)) print(line);
  if (options.shrink) {
    const shrunk = await shrinkPlan(scenario, failed.seed, failed.plan);
    if (shrunk === null) print("shrink: this scenario has no plan arbitrary");
    else {
      print(
        `shrunk plan (${shrunk.runs} runs): ${JSON.stringify(shrunk.plan)}; still fails: ${shrunk.result.violation?.invariant}`,
      );
      print(formatReplay(shrunk.result));
    }
  }
  return 1;
}
