/**
 * Runs a benchmark suite: each case in a fresh `node --expose-gc` child process of the bench
 * script (so JIT feedback and heap left by one case cannot skew the next), a live progress line
 * on stderr, then the table and `bench/results/<suite>.json` (see harness.ts).
 */
import { fork } from "node:child_process";
import { type BenchRow, installWatchdog, printTable, writeResults } from "./harness.js";

/** A live "[3/9] near call… run 2/6" line on stderr (rewritten in place on a terminal). */
export class Progress {
  readonly #total: number;
  #step = 0;
  #label = "";

  constructor(total: number) {
    this.#total = total;
  }

  /** Starts the next step. */
  step(label: string): void {
    this.#step++;
    this.#label = label;
    this.#write("");
  }

  /** Adds a detail (such as the run number) to the current step. */
  detail(text: string): void {
    this.#write(` ${text}`);
  }

  /** Ends the line. */
  done(): void {
    if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  }

  #write(suffix: string): void {
    const line = `[${this.#step}/${this.#total}] ${this.#label}…${suffix}`;
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
    else process.stderr.write(`${line}\n`);
  }
}

/** Reports the current run of a case (for the progress line). */
export type RunProgress = (run: number, runs: number) => void;

/** One case of a suite; it runs alone in a child process. */
export interface SuiteCase {
  /** Unique key; command-line words select the cases whose key starts with them. */
  readonly key: string;
  /** Shown on the progress line. */
  readonly label: string;
  run(progress: RunProgress): Promise<BenchRow[]>;
}

/** Options of {@link runSuite}. */
export interface SuiteOptions {
  /** Suite name: the table title and `bench/results/<suite>.json`. */
  readonly suite: string;
  readonly cases: readonly SuiteCase[];
  /** Printed under the table. */
  readonly notes?: readonly string[];
  /** Longest a case may take, in ms. Default 60,000. */
  readonly caseTimeoutMs?: number;
  /** Longest the whole suite may take, in ms. Default 170,000. */
  readonly suiteTimeoutMs?: number;
}

type ChildMessage =
  | { readonly type: "run"; readonly run: number; readonly runs: number }
  | { readonly type: "rows"; readonly rows: BenchRow[] };

const CASE_FLAG = "--bench-case=";

/**
 * Runs a suite: each selected case in its own `node --expose-gc` child process of this script,
 * with a live progress line; prints the table and, when every case ran and none was filtered
 * out, writes `bench/results/<suite>.json`. Sets a non-zero exit code when a case fails.
 * `node --expose-gc <script> --bench-case=<key>` runs one case in-process and prints its rows
 * (for profiling).
 */
export async function runSuite(options: SuiteOptions): Promise<void> {
  const caseArg = process.argv.find((arg) => arg.startsWith(CASE_FLAG));
  try {
    if (caseArg === undefined) await runParent(options);
    else await runChild(options, caseArg.slice(CASE_FLAG.length));
  } catch (error) {
    process.stderr.write(
      `\n${options.suite} bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}

async function runParent(options: SuiteOptions): Promise<void> {
  installWatchdog(options.suiteTimeoutMs ?? 170_000);
  const words = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
  const cases = options.cases.filter((c) => words.length === 0 || words.some((word) => c.key.startsWith(word)));
  const progress = new Progress(cases.length);
  const rows: BenchRow[] = [];
  const failed: string[] = [];
  for (const benchCase of cases) {
    progress.step(benchCase.label);
    try {
      rows.push(...(await runInChild(benchCase.key, progress, options.caseTimeoutMs ?? 60_000)));
    } catch (error) {
      failed.push(benchCase.key);
      process.stderr.write(
        `\ncase ${benchCase.key} failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
  }
  progress.done();
  printTable(options.suite, rows, options.notes);
  if (failed.length > 0) throw new Error(`cases failed: ${failed.join(", ")}; results not written`);
  if (cases.length === options.cases.length) process.stdout.write(`wrote ${writeResults(options.suite, rows)}\n`);
}

function runInChild(key: string, progress: Progress, limitMs: number): Promise<BenchRow[]> {
  const child = fork(process.argv[1] as string, [`${CASE_FLAG}${key}`], {
    execArgv: [...process.execArgv, "--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    let rows: BenchRow[] | null = null;
    const timer = setTimeout(() => child.kill(), limitMs);
    child.on("message", (message: ChildMessage) => {
      if (message.type === "run") progress.detail(`run ${message.run}/${message.runs}`);
      else rows = message.rows;
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (rows !== null && code === 0) resolve(rows);
      else reject(new Error(`child ended with ${signal ?? `code ${code}`}${rows === null ? " before reporting" : ""}`));
    });
  });
}

async function runChild(options: SuiteOptions, key: string): Promise<void> {
  const benchCase = options.cases.find((c) => c.key === key);
  if (benchCase === undefined) throw new Error(`no case "${key}" in suite ${options.suite}`);
  installWatchdog(options.caseTimeoutMs ?? 60_000);
  const send = process.send?.bind(process);
  const rows = await benchCase.run((run, runs) => send?.({ type: "run", run, runs } satisfies ChildMessage));
  // Run by hand (e.g. under --cpu-prof) there is no parent: print the rows instead.
  if (send === undefined) return printTable(`${options.suite} / ${key}`, rows);
  await new Promise<void>((resolve, reject) => {
    send({ type: "rows", rows } satisfies ChildMessage, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
  process.disconnect();
  // A case that leaves handles open would keep its child alive: exit with an error instead.
  installWatchdog(10_000, "handles still open after the case ended");
}
