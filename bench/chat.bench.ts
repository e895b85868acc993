/**
 * Chat benchmark (`npm run bench:chat`): 1,000 simulated users in 10 rooms (messages with typing,
 * joins and leaves) driven by a load generator in a separate process against the Chorus chat
 * (actors, SQLite history on its worker loop, acks after durable writes), then the same load
 * against a minimal stock `socket.io` server in the same run. Prints the table and writes
 * `bench/results/chat.json`. Bounded well under 2 minutes.
 *
 *   node dist/bench/chat.bench.js [users] [measureMs]
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startChat } from "../examples/chat/server/chat-app.js";
import { startBaselineChat } from "./chat-baseline.js";
import type { LoadPlan, LoadResult } from "./chat-load.js";
import { type BenchRow, installWatchdog, printTable, withTimeout, writeResults } from "./harness.js";

const RUN_LIMIT_MS = 110_000;
const PHASE_LIMIT_MS = 50_000;

const plan: LoadPlan = {
  users: Number(process.argv[2] ?? 1_000),
  rooms: 10,
  sendIntervalMs: 20_000,
  movesPerSecond: 5,
  warmupMs: 2_000,
  measureMs: Number(process.argv[3] ?? 10_000),
  connectBatch: 50,
};

function runLoad(url: string): Promise<LoadResult> {
  const script = fileURLToPath(new URL("./chat-load.js", import.meta.url));
  const child = fork(script, [url, JSON.stringify(plan)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const result = new Promise<LoadResult>((resolve, reject) => {
    child.once("message", (message: LoadResult | { fatal: string }) =>
      "fatal" in message ? reject(new Error(`load generator: ${message.fatal}`)) : resolve(message),
    );
    child.once("exit", (code) => reject(new Error(`load generator exited with ${code}`)));
  });
  return withTimeout(result, PHASE_LIMIT_MS, "a load phase").finally(() => child.kill());
}

async function measureChat(): Promise<LoadResult> {
  const dataDir = mkdtempSync(join(tmpdir(), "chorus-chat-bench-"));
  // A user sends about once per sendIntervalMs, well inside the default rate limit.
  const chat = await startChat({ port: 0, host: "127.0.0.1", dataDir });
  try {
    return await runLoad(chat.url);
  } finally {
    await chat.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measureBaseline(): Promise<LoadResult> {
  const server = await startBaselineChat();
  try {
    return await runLoad(server.url);
  } finally {
    await server.close();
  }
}

function rows(chat: LoadResult, stock: LoadResult): BenchRow[] {
  const row = (
    name: string,
    unit: string,
    value: number,
    baseline: number,
    bar: number | null,
    max: boolean,
  ): BenchRow => ({
    name,
    value,
    unit,
    baseline,
    ratio: baseline === 0 ? null : value / baseline,
    bar,
    barKind: max ? "value-max" : "ratio-min",
  });
  return [
    row("chat delivered messages/s", "msg/s", chat.deliveredPerSecond, stock.deliveredPerSecond, null, false),
    row("chat acked sends/s", "msg/s", chat.ackedPerSecond, stock.ackedPerSecond, null, false),
    row("chat delivery latency p50", "ms", chat.latencyP50Ms, stock.latencyP50Ms, null, true),
    row("chat delivery latency p99", "ms", chat.latencyP99Ms, stock.latencyP99Ms, null, true),
    row("chat ack latency p99 (durable)", "ms", chat.ackP99Ms, stock.ackP99Ms, null, true),
    row("chat errors", "count", chat.errors, stock.errors, 0, true),
  ];
}

installWatchdog(RUN_LIMIT_MS, "the chat bench is still running");
try {
  process.stderr.write(`chat bench: ${plan.users} users in ${plan.rooms} rooms, Chorus chat…\n`);
  const chat = await measureChat();
  process.stderr.write("chat bench: stock socket.io baseline…\n");
  const stock = await measureBaseline();
  const table = rows(chat, stock);
  printTable(`chat: ${plan.users} users, ${plan.rooms} rooms, ${plan.measureMs / 1000} s measured`, table, [
    `baseline: the same load on a minimal stock socket.io server (no history, no persistence)`,
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
