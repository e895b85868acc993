import type { RunResult } from "./run-scenario.js";
import { formatTraceEvent } from "./trace.js";

/** Lines printed before a run: the seed first, then every derived option. */
export function formatRunHeader(scenario: string, seed: number, options: unknown): string[] {
  return [`SEED=${seed}`, `scenario=${scenario}`, `options=${JSON.stringify(options)}`];
}

/**
 * The failure report of a run: the violated invariant, the plan, the last `tailLength` trace
 * events, and the one-line command that replays it bit for bit.
 */
export function formatFailure(result: RunResult, tailLength = 30): string[] {
  if (result.violation === null) return [];
  const v = result.violation;
  const lines = [
    `FAILED: ${v.invariant} (${v.phase} phase, at ${v.atMs.toFixed(3)} ms)`,
    `  ${v.message.split("\n").join("\n  ")}`,
    `plan=${JSON.stringify(result.plan)}`,
    `trace: ${result.events} events, hash ${result.traceHash}; last ${Math.min(tailLength, result.tail.length)}:`,
    ...result.tail.slice(-tailLength).map((event) => `  ${formatTraceEvent(event)}`),
    formatReplay(result),
  ];
  return lines;
}

/**
 * The one-line command that replays `result` bit for bit: the seed, and the plan too when the
 * run was given one (a shrunk plan), single-quoted for a POSIX shell.
 */
export function formatReplay(result: Pick<RunResult, "scenario" | "seed" | "plan" | "planGiven">): string {
  const base = `replay: npx chorus sim ${result.scenario} --seed ${result.seed}`;
  if (!result.planGiven) return base;
  return `${base} --plan '${JSON.stringify(result.plan).replaceAll("'", "'\\''")}'`;
}

/** One summary line of a run. */
export function formatRunLine(result: RunResult): string {
  const status = result.ok ? "ok" : `FAILED (${result.violation?.invariant})`;
  return `${result.scenario} seed ${result.seed}: ${status}; ${result.steps} steps, ${result.events} events, ${result.simMs.toFixed(0)} ms simulated, trace ${result.traceHash}`;
}
