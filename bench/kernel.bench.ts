/**
 * Kernel benchmark (`npm run bench:kernel`): tell, ring, near call, ask, spawn, idle heap and
 * cross-loop tell, each beside a baseline measured in the same run, on the real Node reactor.
 * Prints a table, writes bench/results/kernel.json. Pass case keys (e.g. `ring ask`) to run a
 * subset; a subset prints its table but does not overwrite the results file. Each case runs in
 * its own child process (see runSuite).
 */
import type { Loop } from "../src/kernel/loop.js";
import { createLoop } from "../src/kernel/loop.js";
import type { Ref } from "../src/kernel/ref.js";
import { createNodeReactor } from "../src/reactor/node/node-reactor.js";
import {
  type BenchRow,
  ceilingRow,
  compareRates,
  nowMs,
  ratioRow,
  settledHeapBytes,
  timeSync,
  withTimeout,
} from "./harness.js";
import { bareDispatchMs, bareRingMs, bareSpawn, bareTellMs } from "./kernel-baselines.js";
import {
  consumerBehaviour,
  idleBehaviour,
  idleState,
  type Probe,
  producerBehaviour,
  ringNodeBehaviour,
  type Sink,
  sinkBehaviour,
} from "./kernel-bench-actors.js";
import { crossLoopTell } from "./kernel-cross-loop.js";
import { type RunProgress, runSuite, type SuiteCase } from "./suite.js";

const TELL_TOTAL = 1_000_000;
const TELL_CHUNK = 1_000;
/** Chunks in flight: 8 × 1,000 stays under the default mailbox bound (10,000, reject). */
const TELL_WINDOW = 8;
const RING_SIZE = 1_000;
const RING_HOPS = 1_000_000;
const CALLS = 1_000_000;
const ASKS_SEQUENTIAL = 100_000;
const ASKS_PIPELINED = 300_000;
const ASK_WINDOW = 100;
const SPAWN_COUNT = 100_000;
const CROSS_LOOP_TOTAL = 500_000;
/** Handler calls per run of the bare-queue baselines of ring, near call and ask (long enough to time well). */
const BARE_OPS = 4_000_000;
const RUN_LIMIT_MS = 30_000;
/** Measured runs per figure (the best counts); spawning, whose time swings with GC, gets more. */
const RUNS = 7;
const SPAWN_RUNS = 15;

const NOTES = [
  `each case runs in its own node process; each figure is the best of ${RUNS} runs (spawn: ${SPAWN_RUNS}) after 2 warm-ups, alternating with its baseline`,
  "baseline: a bare JS array queue (push; take from the head by index; dispatch by tag to a handler returning the next state)",
  `tell: a producer actor tells ${TELL_CHUNK} per turn; the consumer grants a credit per chunk; window ${TELL_WINDOW} chunks (default mailbox 10,000, reject)`,
  `ask baselines: the bare queue with 1 (sequential) / ${ASK_WINDOW} (pipelined) messages in flight; near call: 1,000; ring, call, ask baselines run ${BARE_OPS / 1e6}M calls`,
  `spawn: ${SPAWN_COUNT} idle actors (numeric state) vs ${SPAWN_COUNT} {id, {state, handlers}, mailbox} records set in a Map; heap: gc'd heapUsed delta per actor / record, mean of runs`,
  "cross-loop: far tells main loop → worker loop in blocks of 4,096 with a count ask per block (≤ 2 blocks unhandled); baseline: raw MessagePort, arrays of 512 {t,to,tag,p}",
];

/** Calls `kick`, then waits for the probe; returns the elapsed ms up to `probe.done()`. */
async function untilDone(probe: { done: () => void }, kick: () => void, what: string): Promise<number> {
  let end = 0;
  const finished = new Promise<void>((resolve) => {
    probe.done = () => {
      end = nowMs();
      resolve();
    };
  });
  const start = nowMs();
  kick();
  await withTimeout(finished, RUN_LIMIT_MS, what);
  return end - start;
}

async function tellCase(loop: Loop, progress: RunProgress): Promise<BenchRow[]> {
  const probe: Probe = { done() {} };
  const consumer = loop.spawn(consumerBehaviour, TELL_CHUNK);
  const producer = loop.spawn(producerBehaviour, { consumer, probe, chunk: TELL_CHUNK, window: TELL_WINDOW });
  consumer.call("attach", producer);
  const pair = await compareRates({
    ops: TELL_TOTAL,
    subject: () => untilDone(probe, () => producer.tell("start", TELL_TOTAL), "tell 1 → 1"),
    baseline: () => bareTellMs(TELL_TOTAL, TELL_CHUNK, TELL_WINDOW),
    runs: RUNS,
    onRun: progress,
  });
  return [ratioRow("tell 1 → 1", "msg/s", pair, 0.33)];
}

async function ringCase(loop: Loop, progress: RunProgress): Promise<BenchRow[]> {
  const probe: Probe = { done() {} };
  const nodes = Array.from({ length: RING_SIZE }, () => loop.spawn(ringNodeBehaviour, probe));
  for (let i = 0; i < RING_SIZE; i++) nodes[i]!.call("setNext", nodes[(i + 1) % RING_SIZE]!);
  const pair = await compareRates({
    ops: RING_HOPS,
    baselineOps: BARE_OPS,
    subject: () => untilDone(probe, () => nodes[0]!.tell("token", RING_HOPS), "ring"),
    baseline: () => bareRingMs(RING_SIZE, BARE_OPS),
    runs: RUNS,
    onRun: progress,
  });
  return [ratioRow(`ring ${RING_SIZE} × ${RING_HOPS / 1e6}M hops`, "hops/s", pair, null)];
}

function nearCalls(sink: Ref<Sink>, total: number): number {
  const before = sink.call("count");
  const elapsed = timeSync(() => {
    for (let i = 0; i < total; i++) sink.call("add", 1);
  });
  if (sink.call("count") - before !== total) throw new Error("near call: lost calls");
  return elapsed;
}

async function nearCallCase(loop: Loop, progress: RunProgress): Promise<BenchRow[]> {
  const sink = loop.spawn(sinkBehaviour, null);
  const pair = await compareRates({
    ops: CALLS,
    baselineOps: BARE_OPS,
    subject: () => nearCalls(sink, CALLS),
    baseline: () => bareDispatchMs(BARE_OPS, 1_000),
    runs: RUNS,
    onRun: progress,
  });
  return [ratioRow("near call", "calls/s", pair, null)];
}

/** `window` callers each awaiting one ask at a time until `total` asks were made; returns ms. */
async function askWindow(sink: Ref<Sink>, total: number, window: number): Promise<number> {
  let issued = 0;
  const caller = async () => {
    while (issued < total) {
      issued++;
      await sink.ask("add", 1);
    }
  };
  const start = nowMs();
  await withTimeout(Promise.all(Array.from({ length: window }, caller)), RUN_LIMIT_MS, "asks");
  return nowMs() - start;
}

async function askCase(loop: Loop, progress: RunProgress, total: number, window: number): Promise<BenchRow[]> {
  const sink = loop.spawn(sinkBehaviour, null);
  const pair = await compareRates({
    ops: total,
    baselineOps: BARE_OPS,
    subject: () => askWindow(sink, total, window),
    baseline: () => bareDispatchMs(BARE_OPS, window),
    runs: RUNS,
    onRun: progress,
  });
  const name = window === 1 ? "ask, sequential" : `ask, ${window} in flight`;
  return [ratioRow(name, "asks/s", pair, null)];
}

/** Heap bytes per spawned item, collected across runs. */
class HeapSamples {
  readonly bytesPerItem: number[] = [];

  /** Measures `spawn` (timed) and the settled heap it leaves (untimed); returns ms. */
  measure(count: number, spawn: () => unknown): number {
    const before = settledHeapBytes();
    let kept: unknown;
    const elapsed = timeSync(() => {
      kept = spawn();
    });
    this.bytesPerItem.push((settledHeapBytes() - before) / count);
    if (kept === undefined) throw new Error("spawn kept nothing");
    return elapsed;
  }

  /** Mean of the last `runs` samples (warm-ups excluded). */
  mean(runs: number): number {
    const last = this.bytesPerItem.slice(-runs);
    return last.reduce((sum, bytes) => sum + bytes, 0) / last.length;
  }
}

function spawnActors(samples: HeapSamples): number {
  const loop = createLoop({ reactor: createNodeReactor(), name: "spawn" });
  const elapsed = samples.measure(SPAWN_COUNT, () => {
    for (let id = 1; id <= SPAWN_COUNT; id++) loop.spawn(idleBehaviour, id);
    return loop;
  });
  if (loop.actorCount !== SPAWN_COUNT) throw new Error(`spawned ${loop.actorCount} actors`);
  loop.shutdown();
  return elapsed;
}

async function spawnCase(progress: RunProgress): Promise<BenchRow[]> {
  // Spawning is dominated by scavenges promoting the new cells, whose timing varies from run to run.
  const runs = SPAWN_RUNS;
  const actors = new HeapSamples();
  const records = new HeapSamples();
  const pair = await compareRates({
    ops: SPAWN_COUNT,
    subject: () => spawnActors(actors),
    baseline: () => records.measure(SPAWN_COUNT, () => bareSpawn(SPAWN_COUNT, idleState)),
    runs,
    onRun: progress,
  });
  return [
    ratioRow(`spawn ${SPAWN_COUNT / 1e3}k`, "actors/s", pair, 0.2),
    ceilingRow("heap per idle actor", "bytes", actors.mean(runs), records.mean(runs), 1024),
  ];
}

async function crossLoopCase(loop: Loop, progress: RunProgress): Promise<BenchRow[]> {
  const pair = await crossLoopTell(loop, CROSS_LOOP_TOTAL, RUNS, progress);
  return [ratioRow("cross-loop tell", "msg/s", pair, 0.5)];
}

const CASES: readonly SuiteCase[] = [
  { key: "tell", label: "tell 1 → 1", run: (p) => withLoop((loop) => tellCase(loop, p)) },
  { key: "ring", label: "ring", run: (p) => withLoop((loop) => ringCase(loop, p)) },
  { key: "call", label: "near call", run: (p) => withLoop((loop) => nearCallCase(loop, p)) },
  { key: "ask-seq", label: "ask, sequential", run: (p) => withLoop((loop) => askCase(loop, p, ASKS_SEQUENTIAL, 1)) },
  {
    key: "ask-pipe",
    label: "ask, pipelined",
    run: (p) => withLoop((loop) => askCase(loop, p, ASKS_PIPELINED, ASK_WINDOW)),
  },
  { key: "spawn", label: "spawn and heap", run: spawnCase },
  { key: "cross", label: "cross-loop tell", run: (p) => withLoop((loop) => crossLoopCase(loop, p)) },
];

/** Runs `work` on a fresh main loop with the real reactor, checks no message was lost, shuts the loop down. */
async function withLoop(work: (loop: Loop) => Promise<BenchRow[]>): Promise<BenchRow[]> {
  const loop = createLoop({ reactor: createNodeReactor() });
  try {
    const rows = await work(loop);
    if (loop.deadLetterCount > 0)
      throw new Error(`${loop.deadLetterCount} dead letters: the workload overflowed a mailbox`);
    return rows;
  } finally {
    loop.shutdown();
  }
}

await runSuite({ suite: "kernel", cases: CASES, notes: NOTES });
