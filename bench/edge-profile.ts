/**
 * `node dist/bench/edge.bench.js --profile [--profile-kind=socket.io|ws]`: runs the fan-out case
 * against one server (Chorus by default) started with `node --cpu-prof`, then reads the profile
 * and prints where the server's CPU went during the measured window: self time by function and
 * by file, and inclusive time by function. Samples outside the window (start-up, the 1,000
 * handshakes, shutdown) are left out when the profile's clock matches the server's (CLOCK_MONOTONIC).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { connectAll, measureWindow } from "./edge-cases.js";
import { GeneratorFleet, ServerProcess } from "./edge-fleet.js";
import type { ServerKind, WindowReport } from "./edge-protocol.js";
import { packageRoot } from "./harness.js";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Native frames that are socket syscalls. */
const SYSCALLS = new Set(["writev", "writeUtf8String", "writeBuffer", "writeLatin1String"]);

/** Lines of each ranking printed. */
const TOP = 25;

function frameKey(frame: CallFrame, root: string): string {
  const name = frame.functionName === "" ? "(anonymous)" : frame.functionName;
  if (frame.url === "") return name;
  return `${name}  ${shortUrl(frame.url, root)}:${frame.lineNumber + 1}`;
}

function shortUrl(url: string, root: string): string {
  const path = url.startsWith("file://") ? url.slice("file://".length) : url;
  return path.startsWith(root) ? path.slice(root.length + 1) : path;
}

/** The sample indices inside [start, end] µs, or all of them when the clocks do not match. */
function windowSamples(profile: CpuProfile, window: WindowReport | null): { indices: number[]; filtered: boolean } {
  const all = profile.samples.map((_, i) => i);
  if (window === null) return { indices: all, filtered: false };
  const indices: number[] = [];
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= window.startMicros && at <= window.endMicros) indices.push(i);
  }
  return indices.length > 0 ? { indices, filtered: true } : { indices: all, filtered: false };
}

function rank(counts: Map<string, number>, total: number, title: string): string[] {
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  return [title, ...rows.map(([key, n]) => `${((100 * n) / total).toFixed(1).padStart(5)}%  ${key}`)];
}

/** Self time by function and by file, inclusive time by function, as printable lines. */
export function summarizeProfile(profile: CpuProfile, window: WindowReport | null, root: string): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const { indices, filtered } = windowSamples(profile, window);
  const self = new Map<string, number>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const i of indices) {
    const node = byId.get(profile.samples[i]!)!;
    if (node.callFrame.functionName === "(idle)") continue;
    busy++;
    const key = frameKey(node.callFrame, root);
    self.set(key, (self.get(key) ?? 0) + 1);
    const file = node.callFrame.url === "" ? node.callFrame.functionName : shortUrl(node.callFrame.url, root);
    files.set(file, (files.get(file) ?? 0) + 1);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (frame.functionName === "(root)") continue;
      const k = frameKey(frame, root);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + 1);
    }
  }
  const scope = filtered ? "the measured window" : "the whole process (profile clock did not match)";
  // Samples are wall-clock: a process preempted inside a syscall (loopback writev wakes the
  // reading client) is sampled there, so the JS ranking below leaves the syscalls out.
  const syscalls = [...self.entries()].filter(([key]) => SYSCALLS.has(key));
  const js = new Map([...self.entries()].filter(([key]) => !SYSCALLS.has(key)));
  const jsTotal = busy - syscalls.reduce((sum, [, n]) => sum + n, 0);
  return [
    `${busy} busy samples of ${indices.length} in ${scope}; percentages of busy samples`,
    ...rank(self, busy, "-- self time by function"),
    ...rank(js, jsTotal, `-- self time by function without the ${[...SYSCALLS].join("/")} syscalls (% of the rest)`),
    ...rank(files, busy, "-- self time by file"),
    ...rank(inclusive, busy, "-- inclusive time by function"),
  ];
}

function option(name: string, fallback: string): string {
  const flag = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return flag?.slice(name.length + 3) ?? fallback;
}

/**
 * Runs the fan-out (or, with `--profile-case=echo`, the echo with `echoClients`) against one
 * server (`--profile-kind=`, default chorus) under `--cpu-prof` and prints the hot spots.
 */
export async function profileCase(
  clients: number,
  senders: number,
  echoClients: number,
  generators: number,
): Promise<void> {
  const kind = option("profile-kind", "chorus") as ServerKind;
  const echo = option("profile-case", "fanout") === "echo";
  const root = packageRoot();
  const dir = join(root, "bench", "results", `edge-profile-${kind}-${echo ? "echo" : "fanout"}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await ServerProcess.start(kind, { nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
  const fleet = GeneratorFleet.start(generators);
  const log = (text: string) => process.stderr.write(`profile ${kind}: ${text}\n`);
  let window: WindowReport | null = null;
  try {
    const count = echo ? echoClients : clients;
    await connectAll(new Map([[kind, server]]), fleet, count, count, log);
    log(echo ? `echo, ${count} clients, 8 s window` : `fan-out, ${senders} senders, 8 s window`);
    const figures = await measureWindow(
      server,
      fleet,
      () => (echo ? fleet.echo(kind, count) : fleet.fanout(kind, senders)),
      { warmupMs: 2_000, windowMs: 8_000 },
      echo ? "echoes" : "deliveries",
      (report) => (window = report),
    );
    log(
      `${figures.cpuMicrosPerOp.toFixed(2)} µs CPU per ${echo ? "round trip" : "delivered msg"} (under the profiler; ` +
        `${Math.round(100 * figures.systemShare)} % in the kernel), ` +
        `${Math.round(figures.ratePerSec)}/s, p50 ${figures.p50Ms.toFixed(1)} ms, p99 ${figures.p99Ms.toFixed(1)} ms`,
    );
  } finally {
    await fleet.stop();
    await server.stop();
  }
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error(`no .cpuprofile written in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
  process.stdout.write(`${[`profile: ${join(dir, file)}`, ...summarizeProfile(profile, window, root)].join("\n")}\n`);
}
