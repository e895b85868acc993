/**
 * Wire benchmark (`npm run bench:wire`): 64-byte and 4 KiB messages over loopback TCP and a Unix
 * domain socket, fire-and-forget and acknowledged (pipelined), each beside a raw `node:net`
 * socket writing length-prefixed frames in the same run (the Node limit), and fire-and-forget
 * beside NATS publish/subscribe through a local `nats-server` when one is installed. The
 * receiving side runs in another process. Writes bench/results/wire.json. Pass case keys (e.g.
 * `tcp-ff`) to run a subset.
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect as connectNet, createServer, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { connect as connectNats } from "nats";
import { createNodeReactor } from "../src/reactor/node/node-reactor.js";
import { dialWire } from "../src/wire/dial-wire.js";
import { type BenchRow, compareRates, ratioRow, withTimeout } from "./harness.js";
import { type RunProgress, runSuite, type SuiteCase } from "./suite.js";
import type { PeerReady } from "./wire-peer.js";
import {
  natsPublish,
  rawAcknowledged,
  rawBatchedFireAndForget,
  rawFireAndForget,
  wireAcknowledged,
  wireClient,
  wireFireAndForget,
  wireTrySendFireAndForget,
} from "./wire-senders.js";

const SIZES = [64, 4096] as const;
/** Messages per fire-and-forget run, by size. */
const FF_COUNT: Record<number, number> = { 64: 300_000, 4096: 60_000 };
/** Messages per acknowledged run, by size. */
const ACK_COUNT: Record<number, number> = { 64: 150_000, 4096: 50_000 };
/** Receive slots the peer advertises in the acknowledged runs (the sender's window). */
const ACK_SLOTS = 128;
const RUNS = 3;
const WARMUPS = 1;
/**
 * Fire-and-forget runs are short (~0.1 s each): more of them, after more warm-ups (both sides
 * alike), so JIT tier-up and a noisy machine move the best-of figure less.
 */
const FF_RUNS = 5;
const FF_WARMUPS = 3;
const ACK_BAR_PER_S = 100_000;
const NATS_PATHS = ["/usr/bin/nats-server", "/usr/sbin/nats-server", "/usr/local/bin/nats-server"];

type Transport = "tcp" | "unix";

const reactor = createNodeReactor();

function startPeer(args: string[]): Promise<{ child: ChildProcess; ready: PeerReady["ready"] }> {
  const script = fileURLToPath(new URL("./wire-peer.js", import.meta.url));
  const child = fork(script, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return withTimeout(
    new Promise((resolve, reject) => {
      child.once("message", (message: PeerReady) => resolve({ child, ready: message.ready }));
      child.once("exit", (code) => reject(new Error(`peer ${args.join(" ")} exited with ${code}`)));
    }),
    10_000,
    `peer ${args.join(" ")}`,
  );
}

/** Lets the peer exit on its own (so `--cpu-prof` can write its profile), killing it after 2 s. */
function stopPeer(child: ChildProcess): void {
  if (child.connected) child.disconnect();
  setTimeout(() => child.kill(), 2_000).unref();
}

function rawSocket(ready: PeerReady["ready"]): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = ready.path !== undefined ? connectNet(ready.path) : connectNet(ready.port!, "127.0.0.1");
    socket.setNoDelay(true);
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

function dialPeer(ready: PeerReady["ready"]) {
  const connection = { pingIntervalMs: 0, idleMs: 0, outboundMessagesMax: 4096, sendTimeoutMs: 60_000 };
  return ready.path !== undefined
    ? dialWire(reactor, { path: ready.path, connection })
    : dialWire(reactor, { host: "127.0.0.1", port: ready.port!, connection });
}

function p99(samples: number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

function infoRow(name: string, value: number, unit: string): BenchRow {
  return { name, value, unit, baseline: null, ratio: null, bar: null, barKind: "ratio-min" };
}

async function ffCase(transport: Transport, size: number, progress: RunProgress): Promise<BenchRow[]> {
  const payload = new Uint8Array(size).fill(7);
  const n = FF_COUNT[size]!;
  const wirePeer = await startPeer(["wire", transport, "16"]);
  const rawPeer = await startPeer(["raw", transport, "ff"]);
  try {
    const connection = await dialPeer(wirePeer.ready);
    const client = wireClient(connection);
    const socket = await rawSocket(rawPeer.ready);
    const rtt: number[] = [];
    const pair = await compareRates({
      ops: n,
      subject: () => wireFireAndForget(client, payload, n, rtt),
      baseline: () => rawFireAndForget(socket, payload, n),
      runs: FF_RUNS,
      warmups: FF_WARMUPS,
      onRun: progress,
    });
    const trySend = await compareRates({
      ops: n,
      subject: () => wireTrySendFireAndForget(client, payload, n, []),
      baseline: () => rawFireAndForget(socket, payload, n),
      runs: FF_RUNS,
      warmups: 1,
      onRun: progress,
    });
    const batched = await compareRates({
      ops: n,
      subject: () => wireFireAndForget(client, payload, n, []),
      baseline: () => rawBatchedFireAndForget(socket, payload, n),
      runs: RUNS,
      warmups: WARMUPS,
      onRun: progress,
    });
    connection.close();
    socket.destroy();
    const label = `${transport} fire-and-forget ${size} B`;
    return [
      ratioRow(`${label} vs raw socket`, "msg/s", pair, 0.7),
      ratioRow(`${label} (trySend) vs raw socket`, "msg/s", trySend, null),
      ratioRow(`${label} vs raw hand-batched buffer (upper bound)`, "msg/s", batched, null),
      infoRow(`${label} p99 PING round trip under load`, p99(rtt), "ms"),
    ];
  } finally {
    stopPeer(wirePeer.child);
    stopPeer(rawPeer.child);
  }
}

async function ackCase(transport: Transport, size: number, progress: RunProgress): Promise<BenchRow[]> {
  const payload = new Uint8Array(size).fill(7);
  const n = ACK_COUNT[size]!;
  const wirePeer = await startPeer(["wire", transport, String(ACK_SLOTS)]);
  const rawPeer = await startPeer(["raw", transport, "ack"]);
  try {
    const connection = await dialPeer(wirePeer.ready);
    const client = wireClient(connection);
    await connection.whenOpen();
    const socket = await rawSocket(rawPeer.ready);
    const wireLatency: number[] = [];
    const rawLatency: number[] = [];
    const pair = await compareRates({
      ops: n,
      subject: () => wireAcknowledged(client, payload, n, wireLatency),
      baseline: () => rawAcknowledged(socket, payload, n, rawLatency),
      runs: RUNS,
      warmups: WARMUPS,
      onRun: progress,
    });
    connection.close();
    socket.destroy();
    const label = `${transport} acknowledged ${size} B (window ${ACK_SLOTS})`;
    return [
      ratioRow(`${label} vs raw request/ack`, "msg/s", pair, null),
      ratioRow(`${label} vs the 100k/s bar`, "msg/s", { value: pair.value, baseline: ACK_BAR_PER_S }, 1),
      {
        name: `${label} p99 send→ack`,
        value: p99(wireLatency),
        unit: "ms",
        baseline: p99(rawLatency),
        ratio: p99(wireLatency) / p99(rawLatency),
        bar: null,
        barKind: "value-max",
      },
    ];
  } finally {
    stopPeer(wirePeer.child);
    stopPeer(rawPeer.child);
  }
}

function natsServerPath(): string | null {
  for (const path of NATS_PATHS) if (existsSync(path)) return path;
  for (const dir of (process.env.PATH ?? "").split(":"))
    if (dir && existsSync(`${dir}/nats-server`)) return `${dir}/nats-server`;
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function natsCase(size: number, progress: RunProgress): Promise<BenchRow[]> {
  const binary = natsServerPath();
  if (binary === null) {
    process.stderr.write(
      "\n\n*** NATS comparison SKIPPED: nats-server not found (apt-get install nats-server installs it) ***\n\n",
    );
    return [];
  }
  const payload = new Uint8Array(size).fill(7);
  const n = FF_COUNT[size]!;
  const port = await freePort();
  const server = spawn(binary, ["-a", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  const wirePeer = await startPeer(["wire", "tcp", "16"]);
  let natsPeer: { child: ChildProcess } | null = null;
  try {
    const nc = await connectNats({ servers: `127.0.0.1:${port}`, waitOnFirstConnect: true, timeout: 10_000 });
    natsPeer = await startPeer(["nats", String(port)]);
    const client = wireClient(await dialPeer(wirePeer.ready));
    const pair = await compareRates({
      ops: n,
      subject: () => wireFireAndForget(client, payload, n, []),
      baseline: () => natsPublish(nc, payload, n),
      runs: RUNS,
      warmups: WARMUPS,
      onRun: progress,
    });
    client.connection.close();
    await nc.close();
    return [ratioRow(`tcp fire-and-forget ${size} B vs NATS pub/sub`, "msg/s", pair, 1)];
  } finally {
    if (natsPeer !== null) stopPeer(natsPeer.child);
    stopPeer(wirePeer.child);
    server.kill();
  }
}

const cases: SuiteCase[] = [];
for (const transport of ["tcp", "unix"] as const) {
  for (const size of SIZES) {
    cases.push({
      key: `${transport}-ff-${size}`,
      label: `${transport} fire-and-forget ${size} B`,
      run: (p) => ffCase(transport, size, p),
    });
    cases.push({
      key: `${transport}-ack-${size}`,
      label: `${transport} acknowledged ${size} B`,
      run: (p) => ackCase(transport, size, p),
    });
  }
}
for (const size of SIZES)
  cases.push({ key: `nats-ff-${size}`, label: `NATS fire-and-forget ${size} B`, run: (p) => natsCase(size, p) });

await runSuite({
  suite: "wire",
  cases,
  caseTimeoutMs: 40_000,
  suiteTimeoutMs: 170_000,
  notes: [
    "the receiver runs in another process (fork); each figure is the best of 3 runs after 1 warm-up (fire-and-forget vs raw socket: 5 after 3), alternating with its baseline",
    "wire fire-and-forget: send(payload, { ack: false }) per message (trySend row: the synchronous trySend), each turn of 1,024 written at once; the receiver takes them through onFireAndForget (the receive fast path)",
    "raw socket (the bar's baseline): node:net, one u32-length-prefixed frame built and socket.write() per message, each turn of 1,024 corked into one writev; the receiver parses frames and hands each body (a view) to a handler",
    "raw hand-batched buffer (upper bound, no bar): each turn's 1,024 frames copied into one pre-sized buffer and written at once",
    `acknowledged: ${ACK_SLOTS} receive slots advertised by the peer, 256 sends outstanding; raw request/ack: the peer answers each frame with 4 bytes`,
    "NATS: nats-server on loopback, publisher here, subscriber in another process, flush every 16 × 1,024 messages",
    "fire-and-forget p99: round trip of a PING sent among the messages (it queues behind them both ways)",
  ],
});
