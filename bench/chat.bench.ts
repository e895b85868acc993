/**
 * Chat benchmark (`npm run bench:chat`): 1,000 simulated users in 10 rooms (messages with typing,
 * joins and leaves) against the Chorus chat (actors, SQLite history on its worker loop, acks
 * after durable writes) and the same load against a minimal stock `socket.io` server, each driven
 * by its own load-generator process. Prints the table and writes `bench/results/chat.json`.
 * Bounded well under 2 minutes.
 *
 * Both servers run for the whole bench and their generators take turns in short slices (ABBA
 * order: chat, stock, stock, chat, …), so a burst of background load on a shared machine falls
 * on both sides alike instead of on whichever phase happened to run then. Besides latency the
 * table has the CPU this process (the server side, every thread) and each generator used while
 * active, and the notes the load average: a generator short of CPU delivers late and inflates
 * every latency it measures, whatever the server does.
 *
 *   node dist/bench/chat.bench.js [users] [measureMs per side] [sliceMs]
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { startChat } from "../examples/chat/server/chat-app.js";
import { startBaselineChat } from "./chat-baseline.js";
import type { LoadCommand, LoadPlan, LoadReady, LoadResult } from "./chat-load.js";
import { type BenchRow, installWatchdog, printTable, withTimeout, writeResults } from "./harness.js";

const RUN_LIMIT_MS = 110_000;
/** Longest a generator may take to connect its users, or to report at the end, in ms. */
const GENERATOR_LIMIT_MS = 40_000;
/** Active time of each side before measuring starts, in ms. */
const WARMUP_MS = 2_000;

const plan: LoadPlan = {
  users: Number(process.argv[2] ?? 1_000),
  rooms: 10,
  sendIntervalMs: 20_000,
  movesPerSecond: 5,
  connectBatch: 50,
};
/** Measured active time of each side, in ms. */
const measureMs = Number(process.argv[3] ?? 10_000);
/** Length of one turn, in ms. */
const sliceMs = Number(process.argv[4] ?? 1_000);

/** One side of the comparison: its generator and the server CPU counted while it was active. */
interface Side {
  readonly name: string;
  readonly child: ChildProcess;
  readonly connectMs: number;
  serverCpuMicros: number;
  serverActiveMs: number;
}

/** What a side measured: its generator's result and the server process's CPU while active. */
interface SideResult extends LoadResult {
  /** CPU time of this process (the servers, all threads) while this side was active, in % of one core. */
  readonly serverCpuPercent: number;
}

type FromGenerator = LoadReady | LoadResult | { fatal: string };

function nextMessage(side: { child: ChildProcess }, what: string): Promise<FromGenerator> {
  const message = new Promise<FromGenerator>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`load generator exited with ${code}`));
    side.child.once("exit", onExit);
    side.child.once("message", (m: FromGenerator) => {
      side.child.off("exit", onExit);
      if ("fatal" in m) reject(new Error(`load generator: ${m.fatal}`));
      else resolve(m);
    });
  });
  return withTimeout(message, GENERATOR_LIMIT_MS, what);
}

async function startSide(name: string, url: string): Promise<Side> {
  const script = fileURLToPath(new URL("./chat-load.js", import.meta.url));
  const child = fork(script, [url, JSON.stringify(plan)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const ready = (await nextMessage({ child }, `connecting the ${name} users`)) as LoadReady;
  return { name, child, connectMs: ready.connectMs, serverCpuMicros: 0, serverActiveMs: 0 };
}

function tell(side: Side, type: LoadCommand["type"]): void {
  side.child.send({ type } satisfies LoadCommand);
}

/** Lets `side` run alone for `ms`; counts this process's CPU against it when `measured`. */
async function turn(side: Side, ms: number, measured: boolean): Promise<void> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  tell(side, "active");
  await new Promise((resolve) => setTimeout(resolve, ms));
  tell(side, "idle");
  if (!measured) return;
  const cpu = process.cpuUsage(cpuStart);
  side.serverCpuMicros += cpu.user + cpu.system;
  side.serverActiveMs += performance.now() - start;
}

async function finish(side: Side): Promise<SideResult> {
  const reported = nextMessage(side, `the ${side.name} generator's report`);
  tell(side, "finish");
  const result = (await reported) as LoadResult;
  return { ...result, serverCpuPercent: side.serverCpuMicros / 10 / side.serverActiveMs };
}

/** Runs both sides in ABBA turns and returns what each measured. */
async function compare(chatUrl: string, stockUrl: string): Promise<[SideResult, SideResult]> {
  const sides: Side[] = [];
  try {
    // One after the other: two connection storms at once would measure each other.
    sides.push(await startSide("chat", chatUrl));
    sides.push(await startSide("stock", stockUrl));
    const [chat, stock] = sides as [Side, Side];
    await turn(chat, WARMUP_MS, false);
    await turn(stock, WARMUP_MS, false);
    tell(chat, "measure");
    tell(stock, "measure");
    const pairs = Math.max(1, Math.round(measureMs / sliceMs));
    for (let i = 0; i < pairs; i++) {
      const order = i % 2 === 0 ? [chat, stock] : [stock, chat];
      for (const side of order) await turn(side, sliceMs, true);
    }
    return [await finish(chat), await finish(stock)];
  } finally {
    for (const side of sides) side.child.kill();
  }
}

function rows(chat: SideResult, stock: SideResult): BenchRow[] {
  const row = (
    name: string,
    unit: string,
    value: number,
    baseline: number,
    max: boolean,
    bar = null as number | null,
  ) =>
    ({
      name,
      value,
      unit,
      baseline,
      ratio: baseline === 0 ? null : value / baseline,
      bar,
      barKind: max ? "value-max" : "ratio-min",
    }) satisfies BenchRow;
  return [
    row("chat delivered messages/s", "msg/s", chat.deliveredPerSecond, stock.deliveredPerSecond, false),
    row("chat acked sends/s", "msg/s", chat.ackedPerSecond, stock.ackedPerSecond, false),
    row("chat delivery latency p50", "ms", chat.latencyP50Ms, stock.latencyP50Ms, true),
    row("chat delivery latency p99", "ms", chat.latencyP99Ms, stock.latencyP99Ms, true),
    row("chat ack latency p99 (durable)", "ms", chat.ackP99Ms, stock.ackP99Ms, true),
    row("chat errors", "count", chat.errors, stock.errors, true, 0),
    row("chat server CPU", "% core", chat.serverCpuPercent, stock.serverCpuPercent, true),
    row("chat generator CPU", "% core", chat.generatorCpuPercent, stock.generatorCpuPercent, true),
    row("chat generator loop delay p99", "ms", chat.generatorLoopDelayP99Ms, stock.generatorLoopDelayP99Ms, true),
  ];
}

function load(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
}

installWatchdog(RUN_LIMIT_MS, "the chat bench is still running");
const dataDir = mkdtempSync(join(tmpdir(), "chorus-chat-bench-"));
try {
  const loadBefore = load();
  process.stderr.write(`chat bench: ${plan.users} users in ${plan.rooms} rooms, chat and stock taking turns…\n`);
  const chatServer = await startChat({ port: 0, host: "127.0.0.1", dataDir });
  const stockServer = await startBaselineChat();
  let results: [SideResult, SideResult];
  try {
    results = await compare(chatServer.url, stockServer.url);
  } finally {
    await Promise.all([chatServer.close(), stockServer.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const [chat, stock] = results;
  const table = rows(chat, stock);
  printTable(`chat: ${plan.users} users, ${plan.rooms} rooms, ${measureMs / 1000} s measured per side`, table, [
    `baseline: the same load on a minimal stock socket.io server (no history, no persistence)`,
    `turns of ${sliceMs} ms, ABBA; load average (1, 5, 15 min) on ${availableParallelism()} cores: ${loadBefore} before, ${load()} after`,
    `Chorus chat: connected in ${Math.round(chat.connectMs)} ms, ${chat.sent} sends, ${chat.moves} room moves; stock: ${Math.round(stock.connectMs)} ms, ${stock.sent} sends, ${stock.moves} moves`,
    ...chat.firstErrors.map((e) => `chat error: ${e}`),
    ...stock.firstErrors.map((e) => `stock error: ${e}`),
  ]);
  process.stdout.write(`results: ${writeResults("chat", table)}\n`);
  process.exit(chat.errors === 0 ? 0 : 1);
} catch (error) {
  process.stderr.write(
    `\nchat bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}
