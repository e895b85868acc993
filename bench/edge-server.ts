/**
 * A server process of the edge bench (forked by `edge.bench.ts`, never run by hand):
 * `node --expose-gc edge-server.js <chorus|socket.io|ws>`. It serves one kind on 127.0.0.1 and
 * answers the parent's requests: `listen` (→ port), `mark` / `report` (its own CPU time and
 * counters over a window), `sockets` (connected clients), `memory` (after full GCs),
 * `heapSnapshot`, `stop`.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { writeHeapSnapshot } from "node:v8";
import { startBareFramesServer, startBareServer } from "./edge-bare-server.js";
import type { MemoryReport, ServerKind, WindowReport } from "./edge-protocol.js";
import { EXIT_AFTER_REPLY, serveRequests } from "./edge-rpc.js";
import { type BenchServer, type ServerCounters, startChorusServer, startStockServer } from "./edge-server-kinds.js";

/** Pending TCP connections the listener queues (the same for every kind). */
const LISTEN_BACKLOG = 2_048;

const STARTERS: Record<ServerKind, (http: HttpServer, counters: ServerCounters) => BenchServer> = {
  chorus: startChorusServer,
  "socket.io": startStockServer,
  ws: startBareServer,
  frames: startBareFramesServer,
};

const kind = process.argv[2] as ServerKind;
const start = STARTERS[kind];
if (start === undefined) throw new Error(`unknown server kind ${String(kind)}`);

const counters: ServerCounters = { broadcasts: 0, deliveries: 0, echoes: 0 };
const http = createServer((_req, res) => res.writeHead(404).end());
// Stock socket.io and ws serve idle connections forever; keep Node's HTTP timers out of the way.
http.headersTimeout = 0;
http.requestTimeout = 0;
const server = start(http, counters);

let markCpu = process.cpuUsage();
let markAt = performance.now();
let markMicros = monotonicMicros();

/** CLOCK_MONOTONIC in µs: the clock of V8's CPU profile timestamps on Linux. */
function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function mark(): null {
  counters.broadcasts = 0;
  counters.deliveries = 0;
  counters.echoes = 0;
  markAt = performance.now();
  markMicros = monotonicMicros();
  markCpu = process.cpuUsage();
  return null;
}

function report(): WindowReport {
  const cpu = process.cpuUsage(markCpu);
  return {
    cpuMicros: cpu.user + cpu.system,
    systemMicros: cpu.system,
    elapsedMs: performance.now() - markAt,
    broadcasts: counters.broadcasts,
    deliveries: counters.deliveries,
    echoes: counters.echoes,
    startMicros: markMicros,
    endMicros: monotonicMicros(),
  };
}

function memory(): MemoryReport {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error("the server process needs --expose-gc");
  let heapUsed = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 6; round++) {
    gc();
    const now = process.memoryUsage().heapUsed;
    if (now >= heapUsed) break;
    heapUsed = now;
  }
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external };
}

serveRequests({
  listen: () =>
    new Promise<number>((resolve, reject) => {
      http.once("error", reject);
      http.listen(0, "127.0.0.1", LISTEN_BACKLOG, () => resolve((http.address() as AddressInfo).port));
    }),
  mark,
  report,
  sockets: () => server.connected,
  memory,
  /** Writes a heap snapshot (after full GCs) to `path`; for finding what a connection holds. */
  heapSnapshot: (path: string) => {
    memory();
    return writeHeapSnapshot(path);
  },
  stop: () => {
    server.close();
    http.closeAllConnections();
    http.close();
    return EXIT_AFTER_REPLY;
  },
});
