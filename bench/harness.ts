/**
 * Shared helpers for the benchmark programs in `bench/`: timing, rows and their bars, the
 * results table, `bench/results/<suite>.json`, heap measurement with `--expose-gc`, watchdogs.
 *
 * Every figure is printed beside a baseline measured in the same run: on a shared, noisy machine
 * a ratio holds where an absolute number does not. `suite.ts` runs the cases of a suite.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

/** How a row's bar is checked: the ratio must reach it, or the value must not exceed it. */
export type BarKind = "ratio-min" | "value-max";

/** One figure of a suite. `bar` is the target for the ratio or the value, or null. */
export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: number | null;
  readonly ratio: number | null;
  readonly bar: number | null;
  readonly barKind: BarKind;
}

/** Best (largest) rates of a subject and its baseline, in operations per second. */
export interface RatePair {
  readonly value: number;
  readonly baseline: number;
}

/** A timed run: does the work and returns its elapsed time in ms (setup excluded). */
export type TimedRun = () => number | Promise<number>;

/** Monotonic time in ms. Benches may read the clock directly; `src/` goes through the Reactor. */
export function nowMs(): number {
  return performance.now();
}

/** Runs `work` and returns its elapsed time in ms. */
export function timeSync(work: () => void): number {
  const start = nowMs();
  work();
  return nowMs() - start;
}

/** Rejects with a message naming `what` when `promise` takes longer than `limitMs`. */
export async function withTimeout<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Options of {@link compareRates}. */
export interface CompareOptions {
  /** Operations done by one run of the subject. */
  readonly ops: number;
  /** Operations done by one run of the baseline (more for a baseline too quick to time well). Default `ops`. */
  readonly baselineOps?: number;
  /** Measured runs of each side (after `warmups`); the best is kept. Default 5. */
  readonly runs?: number;
  /** Unmeasured runs of each side first (JIT tiers settle). Default 2. */
  readonly warmups?: number;
  readonly subject: TimedRun;
  readonly baseline: TimedRun;
  /** Called before each run, e.g. to update the progress line. */
  readonly onRun?: (run: number, runs: number) => void;
}

/**
 * Times a subject and its baseline in alternation (so both see the same background load) and
 * returns the best rate of each: the run least disturbed by other processes.
 */
export async function compareRates(options: CompareOptions): Promise<RatePair> {
  const runs = options.runs ?? 5;
  const warmups = options.warmups ?? 2;
  let subjectMs = Number.POSITIVE_INFINITY;
  let baselineMs = Number.POSITIVE_INFINITY;
  for (let run = 0; run < warmups + runs; run++) {
    options.onRun?.(run + 1, warmups + runs);
    const b = await options.baseline();
    const s = await options.subject();
    if (run < warmups) continue;
    baselineMs = Math.min(baselineMs, b);
    subjectMs = Math.min(subjectMs, s);
  }
  return {
    value: perSecond(options.ops, subjectMs),
    baseline: perSecond(options.baselineOps ?? options.ops, baselineMs),
  };
}

/** Operations per second. */
export function perSecond(ops: number, elapsedMs: number): number {
  return (ops * 1000) / elapsedMs;
}

/** A row whose bar (if any) is a minimum ratio of value to baseline. */
export function ratioRow(name: string, unit: string, pair: RatePair, bar: number | null): BenchRow {
  return {
    name,
    value: pair.value,
    unit,
    baseline: pair.baseline,
    ratio: pair.value / pair.baseline,
    bar,
    barKind: "ratio-min",
  };
}

/** A row whose bar is a maximum for the value itself (the ratio is informative). */
export function ceilingRow(name: string, unit: string, value: number, baseline: number, bar: number): BenchRow {
  return { name, value, unit, baseline, ratio: value / baseline, bar, barKind: "value-max" };
}

/** "pass", "FAIL", or "-" when the row has no bar. */
export function verdict(row: BenchRow): string {
  if (row.bar === null) return "-";
  const ok = row.barKind === "value-max" ? row.value <= row.bar : (row.ratio ?? 0) >= row.bar;
  return ok ? "pass" : "FAIL";
}

/** Formats a figure with a k/M/G suffix and three significant digits. */
export function formatNumber(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "-";
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toPrecision(3)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  // Trailing zeros go only after a decimal point: 1860 stays "1860", 2.500 becomes "2.5".
  return value
    .toPrecision(4)
    .replace(/(\.\d*?)0+$/, "$1")
    .replace(/\.$/, "");
}

/** Prints the rows as an aligned table on stdout, then the notes. */
export function printTable(title: string, rows: readonly BenchRow[], notes: readonly string[] = []): void {
  const header = ["name", "value", "unit", "baseline", "ratio", "bar", "pass"];
  const cells = rows.map((row) => [
    row.name,
    formatNumber(row.value),
    row.unit,
    formatNumber(row.baseline),
    row.ratio === null ? "-" : row.ratio.toFixed(3),
    row.bar === null ? "-" : `${row.barKind === "value-max" ? "≤" : "≥"}${row.bar}`,
    verdict(row),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]) => c.map((text, i) => text.padEnd(widths[i] as number)).join("  ");
  const out = [title, line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
  for (const note of notes) out.push(`  * ${note}`);
  process.stdout.write(`${out.join("\n")}\n`);
}

/**
 * The package root: the nearest folder above this (compiled) file holding both a package.json and
 * the bench sources (build folders such as dist/ or .out/ may hold a package.json of their own).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "bench", "harness.ts"))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** Writes `bench/results/<suite>.json` (an array of name/value/unit/baseline/ratio/bar) and returns its path. */
export function writeResults(suite: string, rows: readonly BenchRow[]): string {
  const folder = join(packageRoot(), "bench", "results");
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${suite}.json`);
  const records = rows.map(({ name, value, unit, baseline, ratio, bar }) => ({
    name,
    value,
    unit,
    baseline,
    ratio,
    bar,
  }));
  writeFileSync(path, `${JSON.stringify(records, null, 2)}\n`);
  return path;
}

/** Runs full garbage collections until the heap stops shrinking (at most 4), and returns heapUsed in bytes. */
export function settledHeapBytes(): number {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error("heap figures need node --expose-gc (runSuite passes it to each case)");
  let used = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 4; round++) {
    gc();
    const now = process.memoryUsage().heapUsed;
    if (now >= used) return now;
    used = now;
  }
  return used;
}

/**
 * Exits with code 2 and `why` if the program is still running after `limitMs` (every bench is
 * bounded). The timer does not keep the process alive. Returns a function that disarms it.
 */
export function installWatchdog(limitMs: number, why = "still running"): () => void {
  const timer = setTimeout(() => {
    process.stderr.write(`\nbench watchdog: ${why} after ${limitMs} ms, giving up\n`);
    process.exit(2);
  }, limitMs);
  timer.unref();
  return () => clearTimeout(timer);
}
