/**
 * Edge benchmark (`npm run bench:edge`): Chorus's Socket.IO server against the stock `socket.io`
 * server and a bare `ws` server (the near-limit reference), all three in the same run, each in its
 * own process, driven by the same stock `socket.io-client` load generators in processes of their
 * own (WebSocket transport only, `perMessageDeflate` off everywhere):
 *
 * - echo: 50 clients each emit an event with an ack, closed-loop (round trips/s, p99, server CPU
 *   per round trip);
 * - fan-out: 1,000 clients in one room, 10 of them senders (each sends its next message when its
 *   previous one came back), every message broadcast to the whole room (delivered messages/s,
 *   p50/p99 latency from the sender's timestamp, server CPU per delivered message);
 * - idle: a fresh server per kind holding 10,000 connections (heap and RSS per connection after
 *   full GCs).
 *
 * Prints a table (Chorus beside the same-run socket.io, and the references) and writes
 * bench/results/edge.json. `--profile` instead runs Chorus's fan-out (`--profile-case=echo`: the echo;
 * `--profile-kind=socket.io|ws`: another server) under `node --cpu-prof` and
 * prints its hot spots (see edge-profile.ts); `--heap` prints what an idle connection keeps on the
 * heap, from two heap snapshots (see edge-heap.ts).
 */
import { GeneratorFleet, ServerProcess } from "./edge-fleet.js";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import {
  alternate,
  connectAll,
  type IdleFigures,
  idleMemory,
  type KindFigures,
  type LoadFigures,
} from "./edge-cases.js";
import { heapPerConnection } from "./edge-heap.js";
import { profileCase } from "./edge-profile.js";
import { SERVER_KINDS, type ServerKind } from "./edge-protocol.js";
import { type EdgeRow, edgeRow, printEdgeTable, writeEdgeResults } from "./edge-report.js";
import { killAllChildren, openFilesHardLimit } from "./edge-rpc.js";
import { installWatchdog, nowMs, withTimeout } from "./harness.js";
import { Progress } from "./suite.js";

const GENERATORS = 5;
const ECHO_CLIENTS = 50;
const FANOUT_CLIENTS = 1_000;
const FANOUT_SENDERS = 10;
const IDLE_CONNECTIONS = 10_000;
/** Idle connections opened before the memory baseline is read. */
const IDLE_WARM = 100;
/** Rounds of alternating windows (`--rounds=N` overrides, for quick iteration). */
const ROUNDS = roundsFlag() ?? 3;
/** Cases to run (`--only=echo,fanout,idle`, for quick iteration; default all). */
const ONLY = onlyFlag();
const ECHO_TIMING = { warmupMs: 500, windowMs: 2_500 } as const;
const FANOUT_TIMING = { warmupMs: 1_000, windowMs: 3_000 } as const;
/** Paced fan-out for latency: deliveries per second offered (about a third of what the generators take). */
const PACED_DELIVERIES_PER_SEC = 10_000;
const PACED_TIMING = { warmupMs: 500, windowMs: 2_000 } as const;
/** Each paced sender sends once per this many ms. */
const PACED_INTERVAL_MS = (FANOUT_SENDERS * FANOUT_CLIENTS * 1000) / PACED_DELIVERIES_PER_SEC;
/** The whole run, in ms (the issue asks for under about 4 minutes). */
const RUN_LIMIT_MS = 270_000;
/** Descriptors a process needs beyond its connections (listeners, IPC, stdio, files). */
const SPARE_FILES = 200;

/** Idle connections that fit the open-file hard limit (Node raises each child's soft limit to it). */
function idleConnectionsThatFit(notes: string[]): number {
  const hard = openFilesHardLimit();
  if (hard >= IDLE_CONNECTIONS + SPARE_FILES) return IDLE_CONNECTIONS;
  const connections = Math.floor((hard - SPARE_FILES) / 100) * 100;
  const warning = `ONLY ${connections} IDLE CONNECTIONS (not ${IDLE_CONNECTIONS}): the open-file hard limit is ${hard}`;
  process.stderr.write(`\n*** ${warning} ***\n`);
  notes.push(warning);
  return connections;
}

/**
 * Source addresses for the idle connections: none while they fit comfortably (half) in the
 * ephemeral port range, else enough 127.0.0.x addresses to spread them over.
 */
function sourceAddresses(connections: number, notes: string[]): string[] {
  let ports = 28_000;
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && high > low) ports = high - low + 1;
  } catch {
    // not Linux: assume the usual range
  }
  if (connections <= ports / 2) return [];
  const count = Math.ceil(connections / (ports / 2));
  const addresses = Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
  notes.push(`idle connections spread over source addresses ${addresses.join(", ")} (${ports} ephemeral ports)`);
  return addresses;
}

function roundsFlag(): number | null {
  const flag = process.argv.find((arg) => arg.startsWith("--rounds="));
  if (flag === undefined) return null;
  const rounds = Number(flag.slice("--rounds=".length));
  if (!Number.isSafeInteger(rounds) || rounds < 1 || rounds > 5) throw new RangeError(`--rounds must be 1..5`);
  return rounds;
}

type CaseName = "echo" | "fanout" | "idle";

function onlyFlag(): ReadonlySet<CaseName> {
  const flag = process.argv.find((arg) => arg.startsWith("--only="));
  const all: CaseName[] = ["echo", "fanout", "idle"];
  if (flag === undefined) return new Set(all);
  const names = flag.slice("--only=".length).split(",");
  for (const name of names) if (!all.includes(name as CaseName)) throw new RangeError(`--only: unknown case ${name}`);
  return new Set(names as CaseName[]);
}

type Figures = ReadonlyMap<ServerKind, KindFigures>;

/**
 * Chorus vs socket.io (with `bar`), then the bare references vs socket.io (informative: bare ws,
 * and bare frames — the floor), of one figure.
 */
function pairRows(
  name: string,
  unit: string,
  figures: Figures,
  pick: (f: LoadFigures) => number,
  bar: number | null,
): EdgeRow[] {
  const [chorus, stock, bare, frames] = (["chorus", "socket.io", "ws", "frames"] as const).map((k) =>
    pick(figures.get(k)!.best()),
  );
  return [
    edgeRow(`${name}, chorus vs socket.io`, unit, chorus!, stock!, bar),
    edgeRow(`${name}, bare ws vs socket.io`, unit, bare!, stock!, null),
    edgeRow(`${name}, bare frames vs socket.io`, unit, frames!, stock!, null),
  ];
}

function fanoutRows(saturated: Figures, paced: Figures): EdgeRow[] {
  const label = `fan-out ${FANOUT_CLIENTS}×${FANOUT_SENDERS}`;
  const cpu = (f: LoadFigures) => f.cpuMicrosPerOp;
  const pacedLabel = `${label} at ${PACED_DELIVERIES_PER_SEC / 1000}k msg/s`;
  const chorus = saturated.get("chorus")!.best().cpuMicrosPerOp;
  const bare = saturated.get("ws")!.best().cpuMicrosPerOp;
  const [vsStock, ...references] = pairRows(`${label}: server CPU per delivered msg`, "µs", saturated, cpu, 0.5);
  return [
    vsStock!,
    edgeRow(`${label}: server CPU per delivered msg, chorus vs bare ws`, "µs", chorus, bare, 1),
    ...references,
    ...pairRows(`${label}: delivered msg/s`, "msg/s", saturated, (f) => f.ratePerSec, null),
    ...pairRows(`${pacedLabel}: p50 latency`, "ms", paced, (f) => f.p50Ms, null),
    ...pairRows(`${pacedLabel}: p99 latency`, "ms", paced, (f) => f.p99Ms, null),
    ...pairRows(`${pacedLabel}: server CPU per delivered msg`, "µs", paced, cpu, null),
  ];
}

function echoRows(echo: Figures): EdgeRow[] {
  const label = `echo ${ECHO_CLIENTS}`;
  return [
    ...pairRows(`${label}: server CPU per round trip`, "µs", echo, (f) => f.cpuMicrosPerOp, 0.7),
    ...pairRows(`${label}: round trips/s`, "rt/s", echo, (f) => f.ratePerSec, null),
    ...pairRows(`${label}: p99 latency`, "ms", echo, (f) => f.p99Ms, null),
  ];
}

function idleRows(idle: ReadonlyMap<ServerKind, IdleFigures>): EdgeRow[] {
  const stock = idle.get("socket.io")!;
  const label = `idle ${idle.get("chorus")!.connections / 1000}k`;
  const rows: EdgeRow[] = [];
  for (const [figure, pick] of [
    ["heap", (f: IdleFigures) => f.heapBytesPerConnection],
    ["RSS", (f: IdleFigures) => f.rssBytesPerConnection],
  ] as const) {
    for (const [kind, name] of [
      ["chorus", "chorus"],
      ["ws", "bare ws"],
      ["frames", "bare frames"],
    ] as const) {
      const bar = figure === "heap" && kind === "chorus" ? 0.5 : null;
      rows.push(
        edgeRow(
          `${label}: ${figure} per connection, ${name} vs socket.io`,
          "bytes",
          pick(idle.get(kind)!),
          pick(stock),
          bar,
        ),
      );
    }
  }
  return rows;
}

function windowNotes(name: string, figures: Figures, pick: (f: LoadFigures) => number, unit: string): string {
  const parts = SERVER_KINDS.map(
    (kind) =>
      `${kind} ${figures
        .get(kind)!
        .windows.map((w) => pick(w).toFixed(1))
        .join("/")}`,
  );
  return `${name} ${unit} per window: ${parts.join("; ")}`;
}

function droppedClients(all: readonly Figures[]): string {
  return SERVER_KINDS.map((kind) => `${kind} ${Math.max(...all.map((f) => f.get(kind)!.dropped))}`).join(", ");
}

function kernelShares(figures: Figures): string {
  return SERVER_KINDS.map((kind) => `${kind} ${Math.round(100 * figures.get(kind)!.best().systemShare)} %`).join(", ");
}

type Detail = (text: string) => void;

/** Echo, then fan-out (saturated and paced), alternating the servers; stops them afterwards. */
async function loadCases(progress: Progress, detail: Detail, fleet: GeneratorFleet) {
  const servers = new Map<ServerKind, ServerProcess>();
  for (const kind of SERVER_KINDS) servers.set(kind, await ServerProcess.start(kind));

  progress.step(`echo: connecting ${ECHO_CLIENTS} clients per server`);
  await withTimeout(connectAll(servers, fleet, ECHO_CLIENTS, ECHO_CLIENTS, detail), 60_000, "echo connect");
  progress.step(`echo: ${ECHO_CLIENTS} clients, ${ONLY.has("echo") ? ROUNDS : 0} rounds`);
  const echoLoad = {
    name: "echo",
    timing: ECHO_TIMING,
    start: (kind: ServerKind) => fleet.echo(kind, ECHO_CLIENTS),
    operations: "echoes",
  } as const;
  const echoRounds = {
    rounds: ONLY.has("echo") ? ROUNDS : 0,
    loads: [echoLoad],
    windowLimitMs: 15_000,
    expectedSockets: ECHO_CLIENTS,
  };
  const echo = (await alternate(servers, fleet, echoRounds, detail)).get("echo")!;

  progress.step(`fan-out: connecting ${FANOUT_CLIENTS} clients per server`);
  const more = ONLY.has("fanout") ? FANOUT_CLIENTS - ECHO_CLIENTS : 0;
  if (more > 0) await withTimeout(connectAll(servers, fleet, more, FANOUT_CLIENTS, detail), 90_000, "fan-out connect");
  progress.step(`fan-out: ${FANOUT_CLIENTS} clients, ${FANOUT_SENDERS} senders, ${ROUNDS} rounds`);
  const fanoutLoads = [
    {
      name: "saturated",
      timing: FANOUT_TIMING,
      start: (kind: ServerKind) => fleet.fanout(kind, FANOUT_SENDERS),
      operations: "deliveries",
    },
    {
      name: "paced",
      timing: PACED_TIMING,
      start: (kind: ServerKind) => fleet.fanout(kind, FANOUT_SENDERS, PACED_INTERVAL_MS),
      operations: "deliveries",
    },
  ] as const;
  const fanoutRounds = {
    rounds: more > 0 ? ROUNDS : 0,
    loads: fanoutLoads,
    windowLimitMs: 20_000,
    expectedSockets: FANOUT_CLIENTS,
  };
  const fanout = await alternate(servers, fleet, fanoutRounds, detail);
  for (const kind of SERVER_KINDS) await fleet.disconnect(kind);
  for (const server of servers.values()) await server.stop();
  return { echo, saturated: fanout.get("saturated")!, paced: fanout.get("paced")! };
}

function loadNotes(echo: Figures, saturated: Figures, paced: Figures): string[] {
  const cpu = (f: LoadFigures) => f.cpuMicrosPerOp;
  const queue = SERVER_KINDS.map((k) => {
    const best = saturated.get(k)!.best();
    return `${k} ${best.p50Ms.toFixed(0)}/${best.p99Ms.toFixed(0)}`;
  });
  return [
    `servers and ${GENERATORS} generator processes (stock socket.io-client, websocket only) on one ${cpus().length}-core machine; every figure is the best of ${ROUNDS} windows per server, windows alternating ${SERVER_KINDS.join(" → ")}`,
    `fan-out: ${FANOUT_SENDERS} senders closed-loop (next message when the previous came back), ${FANOUT_TIMING.windowMs} ms windows after ${FANOUT_TIMING.warmupMs} ms; the generators saturate, so latency there is their queue (p50/p99 ms: ${queue.join(", ")}); latency rows come from paced windows (each sender once per ${PACED_INTERVAL_MS} ms, ${PACED_TIMING.windowMs} ms)`,
    `echo: ${ECHO_CLIENTS} clients, emit with ack, closed-loop, ${ECHO_TIMING.windowMs} ms windows after ${ECHO_TIMING.warmupMs} ms`,
    "server CPU = process.cpuUsage() delta of the server process over the window ÷ operations it performed (deliveries = broadcasts × room size)",
    "bare ws: minimal Engine.IO/Socket.IO text protocol on ws (JSON parsed and encoded once per broadcast, one Buffer sent to every member with ws.send)",
    "bare frames: the same minimal protocol on Chorus's own WebSocket layer (src/edge/websocket), nothing above it: the floor",
    windowNotes("fan-out CPU", saturated, cpu, "µs/msg"),
    windowNotes("echo CPU", echo, cpu, "µs/round trip"),
    `clients dropped by a server during the load windows: ${droppedClients([echo, saturated, paced])}`,
    `kernel (system) share of server CPU, mean of windows: fan-out ${kernelShares(saturated)}; echo ${kernelShares(echo)}`,
  ];
}

async function run(): Promise<void> {
  const startedAt = nowMs();
  const loadBefore = loadavg()[0]!.toFixed(1);
  const notes: string[] = [];
  const idleConnections = idleConnectionsThatFit(notes);
  const addresses = sourceAddresses(idleConnections, notes);
  const progress = new Progress(5 + SERVER_KINDS.length);
  const detail = (text: string) => progress.detail(text);

  progress.step("starting servers and generators");
  const fleet = GeneratorFleet.start(GENERATORS);
  const loads = ONLY.has("echo") || ONLY.has("fanout") ? await loadCases(progress, detail, fleet) : null;
  const idle = new Map<ServerKind, IdleFigures>();
  for (const kind of ONLY.has("idle") ? SERVER_KINDS : []) {
    progress.step(`idle: ${idleConnections} connections to a fresh ${kind} server`);
    const options = { connections: idleConnections, warm: IDLE_WARM, localAddresses: addresses, server: {} };
    idle.set(kind, await withTimeout(idleMemory(kind, fleet, options, detail), 90_000, `idle ${kind}`));
  }
  await fleet.stop();
  progress.done();

  const rows = [
    ...(ONLY.has("fanout") && loads !== null ? fanoutRows(loads.saturated, loads.paced) : []),
    ...(ONLY.has("echo") && loads !== null ? echoRows(loads.echo) : []),
    ...(ONLY.has("idle") ? idleRows(idle) : []),
  ];
  if (loads !== null && ONLY.has("echo") && ONLY.has("fanout")) {
    notes.push(...loadNotes(loads.echo, loads.saturated, loads.paced));
  }
  if (ONLY.has("idle")) {
    const connectTimes = SERVER_KINDS.map((k) => `${k} ${(idle.get(k)!.connectMs / 1000).toFixed(1)} s`);
    notes.push(
      `idle: heap/RSS delta after full GCs between ${IDLE_WARM} and ${idleConnections} connections, ÷ ${idleConnections - IDLE_WARM}; connect time ${connectTimes.join(", ")}`,
    );
  }
  notes.push(
    `whole run ${((nowMs() - startedAt) / 1000).toFixed(0)} s; load average before ${loadBefore}, after ${loadavg()[0]!.toFixed(1)} (other work on the machine skews absolute figures, less the ratios)`,
  );
  printEdgeTable("edge", rows, notes);
  if (ONLY.size === 3 && ROUNDS === 3) process.stdout.write(`wrote ${writeEdgeResults(rows)}\n`);
  else process.stdout.write("partial run (--only / --rounds): results file not written\n");
}

installWatchdog(RUN_LIMIT_MS, "the edge bench is still running");
try {
  const kindFlag = process.argv.find((arg) => arg.startsWith("--profile-kind="));
  const kind = (kindFlag?.slice("--profile-kind=".length) ?? "chorus") as ServerKind;
  if (process.argv.includes("--profile")) await profileCase(FANOUT_CLIENTS, FANOUT_SENDERS, ECHO_CLIENTS, GENERATORS);
  else if (process.argv.includes("--heap")) await heapPerConnection(kind, GENERATORS);
  else await run();
} catch (error) {
  process.stderr.write(
    `\nedge bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  killAllChildren();
}
