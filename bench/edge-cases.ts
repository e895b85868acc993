/**
 * The edge bench's three cases, each bounded in time: acknowledged echo and fan-out (measured
 * windows alternating between the servers, round after round, so each sees the same background
 * load) and memory per idle connection (a fresh server process per kind).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { GeneratorFleet, type ProcessOptions, ServerProcess } from "./edge-fleet.js";
import { SERVER_KINDS, type ServerKind, type WindowReport } from "./edge-protocol.js";
import { withTimeout } from "./harness.js";

/** One measured window of a closed-loop load. */
export interface LoadFigures {
  /** Client-side completions per second (delivered messages, or echo round trips). */
  readonly ratePerSec: number;
  /** Server CPU (user + system) per server-side operation, in µs. */
  readonly cpuMicrosPerOp: number;
  /** The kernel's share of `cpuMicrosPerOp` (0..1). */
  readonly systemShare: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Figures of one server kind: every window, and the best of each figure. */
export interface KindFigures {
  readonly windows: LoadFigures[];
  /** Most clients found missing on the server after a window (0 when none was dropped). */
  dropped: number;
  best(): LoadFigures;
}

function kindFigures(): KindFigures {
  const windows: LoadFigures[] = [];
  return {
    windows,
    dropped: 0,
    best: () => ({
      ratePerSec: Math.max(...windows.map((w) => w.ratePerSec)),
      cpuMicrosPerOp: Math.min(...windows.map((w) => w.cpuMicrosPerOp)),
      systemShare: windows.reduce((sum, w) => sum + w.systemShare, 0) / windows.length,
      p50Ms: Math.min(...windows.map((w) => w.p50Ms)),
      p99Ms: Math.min(...windows.map((w) => w.p99Ms)),
    }),
  };
}

/** Durations of a measured window, in ms. */
export interface WindowTiming {
  readonly warmupMs: number;
  readonly windowMs: number;
}

/** Reports progress ("round 2/3, chorus…"). */
export type Detail = (text: string) => void;

/**
 * Starts a closed-loop load with `start`, lets it warm up, then measures the server's CPU and the
 * clients' completions over the window, and stops the load.
 */
export async function measureWindow(
  server: ServerProcess,
  fleet: GeneratorFleet,
  start: () => Promise<void>,
  timing: WindowTiming,
  operations: "deliveries" | "echoes",
  onReport: (report: WindowReport) => void = () => {},
): Promise<LoadFigures> {
  await start();
  try {
    await sleep(timing.warmupMs);
    await Promise.all([server.mark(), fleet.window()]);
    await sleep(timing.windowMs);
    const [report, seen] = await Promise.all([server.report(), fleet.collect()]);
    onReport(report);
    const ops = report[operations];
    if (ops === 0) throw new Error(`${server.kind}: no ${operations} in the window`);
    return {
      ratePerSec: (seen.received * 1000) / report.elapsedMs,
      cpuMicrosPerOp: report.cpuMicros / ops,
      systemShare: report.systemMicros / report.cpuMicros,
      p50Ms: seen.latency.quantile(0.5) / 1000,
      p99Ms: seen.latency.quantile(0.99) / 1000,
    };
  } finally {
    await fleet.quiet();
  }
}

/** Connects `total` more clients to every server (group = kind) and checks each server sees `expected`. */
export async function connectAll(
  servers: ReadonlyMap<ServerKind, ServerProcess>,
  fleet: GeneratorFleet,
  total: number,
  expected: number,
  detail: Detail,
): Promise<void> {
  for (const [kind, server] of servers) {
    detail(`${kind}: ${total} clients`);
    const result = await fleet.connect(
      { target: kind, url: server.url, total, concurrency: 20, localAddresses: [] },
      30_000,
    );
    if (result.failed > 0) throw new Error(`${kind}: ${result.failed} connections failed: ${result.firstError}`);
    await untilSockets(server, expected, 10_000);
  }
}

/** Polls the server until it counts `expected` connected clients, at most `limitMs`. */
export async function untilSockets(server: ServerProcess, expected: number, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  let seen = await server.sockets();
  while (seen !== expected) {
    if (Date.now() > deadline) throw new Error(`${server.kind} sees ${seen} clients, expected ${expected}`);
    await sleep(50);
    seen = await server.sockets();
  }
}

/** One load measured in every round on every server. */
export interface AlternatingLoad {
  readonly name: string;
  readonly timing: WindowTiming;
  /** Starts the load on group `kind`. */
  readonly start: (kind: ServerKind) => Promise<void>;
  readonly operations: "deliveries" | "echoes";
}

/** Options of {@link alternate}. */
export interface AlternatingOptions {
  readonly rounds: number;
  /** Measured one after the other on a server before the next server's turn. */
  readonly loads: readonly AlternatingLoad[];
  /** Longest one window may take (warm-up, window and quiet included), in ms. */
  readonly windowLimitMs: number;
  /** Clients each server should still hold after every window (fewer: some were dropped). */
  readonly expectedSockets: number;
}

/**
 * Measures every load on every server `rounds` times, alternating ws → socket.io → chorus within
 * each round. Returns the figures by load name, then by kind.
 */
export async function alternate(
  servers: ReadonlyMap<ServerKind, ServerProcess>,
  fleet: GeneratorFleet,
  options: AlternatingOptions,
  detail: Detail,
): Promise<Map<string, Map<ServerKind, KindFigures>>> {
  const figures = new Map(
    options.loads.map((load) => [load.name, new Map(SERVER_KINDS.map((kind) => [kind, kindFigures()]))]),
  );
  for (let round = 1; round <= options.rounds; round++) {
    for (const kind of SERVER_KINDS) {
      const server = servers.get(kind)!;
      for (const load of options.loads) {
        detail(`round ${round}/${options.rounds}, ${kind}, ${load.name}`);
        const window = measureWindow(server, fleet, () => load.start(kind), load.timing, load.operations);
        const measured = await withTimeout(window, options.windowLimitMs, `${kind} ${load.name} window`);
        const kindFigures = figures.get(load.name)!.get(kind)!;
        kindFigures.windows.push(measured);
        const dropped = options.expectedSockets - (await server.sockets());
        if (dropped > kindFigures.dropped) {
          process.stderr.write(
            `\n*** ${kind} dropped ${dropped} clients during ${load.name}: its figures are suspect ***\n`,
          );
          kindFigures.dropped = dropped;
        }
      }
    }
  }
  return figures;
}

/** Memory of one server kind per idle connection. */
export interface IdleFigures {
  readonly connections: number;
  readonly heapBytesPerConnection: number;
  readonly rssBytesPerConnection: number;
  readonly connectMs: number;
}

/** Options of {@link idleMemory}. */
export interface IdleOptions {
  /** Connections in total (the first `warm` are opened before the baseline is read). */
  readonly connections: number;
  readonly warm: number;
  readonly localAddresses: readonly string[];
  readonly server: ProcessOptions;
}

/**
 * Starts a fresh server of `kind`, opens `warm` connections (one-time costs such as compiled
 * code land before the baseline), reads the baseline after full GCs, opens the rest, waits
 * until the server counts them all, reads memory again, then closes everything.
 */
export async function idleMemory(
  kind: ServerKind,
  fleet: GeneratorFleet,
  options: IdleOptions,
  detail: Detail,
): Promise<IdleFigures> {
  const server = await ServerProcess.start(kind, options.server);
  try {
    const open = async (total: number, expected: number) => {
      const request = { target: `idle-${kind}`, url: server.url, total, concurrency: 20, client: "raw" as const };
      const result = await fleet.connect({ ...request, localAddresses: options.localAddresses }, 60_000);
      if (result.failed > 0) throw new Error(`${kind}: ${result.failed} connections failed: ${result.firstError}`);
      await untilSockets(server, expected, 15_000);
      return result.elapsedMs;
    };
    await open(options.warm, options.warm);
    const before = await server.memory();
    detail(`${kind}: ${options.connections} connections`);
    const connectMs = await open(options.connections - options.warm, options.connections);
    await sleep(500);
    const after = await server.memory();
    const added = options.connections - options.warm;
    return {
      connections: options.connections,
      heapBytesPerConnection: (after.heapUsed - before.heapUsed) / added,
      rssBytesPerConnection: (after.rss - before.rss) / added,
      connectMs,
    };
  } finally {
    await fleet.disconnect(`idle-${kind}`).catch(() => {});
    await server.stop();
  }
}
