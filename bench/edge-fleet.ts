/**
 * The parent's view of the edge bench's processes: a {@link ServerProcess} per server kind and a
 * {@link GeneratorFleet} of load-generator processes whose clients are split evenly between them.
 * Every request has a time limit; every process is killed when the parent ends (see edge-rpc).
 */
import { fileURLToPath } from "node:url";
import { LatencyHistogram } from "./edge-histogram.js";
import type {
  CollectReply,
  ConnectReply,
  ConnectRequest,
  FanoutRequest,
  MemoryReport,
  ServerKind,
  WindowReport,
} from "./edge-protocol.js";
import { BenchProcess } from "./edge-rpc.js";

/** Limit of a quick request (mark, report, window, collect…), in ms. */
const QUICK_MS = 5_000;

const SERVER_MODULE = fileURLToPath(new URL("./edge-server.js", import.meta.url));
const GENERATOR_MODULE = fileURLToPath(new URL("./edge-generator.js", import.meta.url));

/** Options of a server or generator process. */
export interface ProcessOptions {
  /** Extra node flags (`--expose-gc` is always passed to servers). */
  readonly nodeFlags?: readonly string[];
}

/** One server process of a given kind, listening on 127.0.0.1. */
export class ServerProcess {
  readonly kind: ServerKind;
  readonly url: string;
  readonly #process: BenchProcess;

  private constructor(kind: ServerKind, process: BenchProcess, port: number) {
    this.kind = kind;
    this.#process = process;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Forks the server and waits until it listens. */
  static async start(kind: ServerKind, options: ProcessOptions = {}): Promise<ServerProcess> {
    const process = BenchProcess.start(`${kind} server`, SERVER_MODULE, [kind], {
      nodeFlags: ["--expose-gc", ...(options.nodeFlags ?? [])],
    });
    try {
      return new ServerProcess(kind, process, await process.call<number>("listen", null, 10_000));
    } catch (error) {
      process.kill();
      throw error;
    }
  }

  /** Starts a measured window (resets the server's CPU mark and counters). */
  mark(): Promise<null> {
    return this.#process.call("mark", null, QUICK_MS);
  }

  /** What the server measured since `mark`. */
  report(): Promise<WindowReport> {
    return this.#process.call("report", null, QUICK_MS);
  }

  /** Connected clients. */
  sockets(): Promise<number> {
    return this.#process.call("sockets", null, QUICK_MS);
  }

  /** Memory after full GCs. */
  memory(): Promise<MemoryReport> {
    return this.#process.call("memory", null, 20_000);
  }

  /** Writes a heap snapshot to `path` (after full GCs); resolves with the path. */
  heapSnapshot(path: string): Promise<string> {
    return this.#process.call("heapSnapshot", path, 60_000);
  }

  /** Stops the server and waits for its process to end (it writes a `--cpu-prof` profile then). */
  async stop(): Promise<void> {
    try {
      await this.#process.call("stop", null, 20_000);
    } catch {
      this.#process.kill();
    }
    await this.#process.exited(20_000);
  }
}

/** What the whole fleet saw over a window. */
export interface FleetCollect {
  readonly received: number;
  readonly latency: LatencyHistogram;
  readonly disconnects: number;
}

/** Load-generator processes, each holding an even share of every group's clients. */
export class GeneratorFleet {
  readonly #processes: readonly BenchProcess[];

  private constructor(processes: readonly BenchProcess[]) {
    this.#processes = processes;
  }

  /** Forks `count` generator processes. */
  static start(count: number, options: ProcessOptions = {}): GeneratorFleet {
    const processes = Array.from({ length: count }, (_, i) =>
      BenchProcess.start(`generator ${i + 1}`, GENERATOR_MODULE, [], { nodeFlags: options.nodeFlags ?? [] }),
    );
    return new GeneratorFleet(processes);
  }

  /** Number of processes. */
  get size(): number {
    return this.#processes.length;
  }

  /**
   * Opens `total` more clients of group `target` to `url`, split evenly, `concurrency`
   * handshakes in flight per process. Resolves with how many connected and the first error.
   */
  async connect(
    request: Omit<ConnectRequest, "count"> & { readonly total: number },
    limitMs: number,
  ): Promise<{ connected: number; failed: number; firstError: string | null; elapsedMs: number }> {
    const { total, ...rest } = request;
    const replies = await Promise.all(
      this.#processes.map((p, i) =>
        p.call<ConnectReply & { failed: number; firstError: string | null }>(
          "connect",
          { ...rest, count: this.#share(total, i) } satisfies ConnectRequest,
          limitMs,
        ),
      ),
    );
    return {
      connected: replies.reduce((sum, r) => sum + r.connected, 0),
      failed: replies.reduce((sum, r) => sum + r.failed, 0),
      firstError: replies.find((r) => r.firstError !== null)?.firstError ?? null,
      elapsedMs: Math.max(...replies.map((r) => r.elapsedMs)),
    };
  }

  /**
   * Starts `total` fan-out senders of group `target`, split evenly: closed-loop, or with
   * `intervalMs` each sends once per interval, the senders' first sends spread evenly over it.
   */
  async fanout(target: string, total: number, intervalMs?: number): Promise<void> {
    const n = this.#processes.length;
    const slotMs = intervalMs === undefined ? 0 : intervalMs / total;
    await Promise.all(
      this.#processes.map((p, i) => {
        const request: FanoutRequest = {
          target,
          senders: this.#share(total, i),
          senderBase: i * 1_000,
          ...(intervalMs === undefined ? {} : { pace: { intervalMs, firstMs: i * slotMs, stepMs: n * slotMs } }),
        };
        return p.call("fanout", request, QUICK_MS);
      }),
    );
  }

  /** Starts `total` closed-loop echo clients of group `target`, split evenly. */
  async echo(target: string, total: number): Promise<void> {
    await Promise.all(
      this.#processes.map((p, i) => p.call("echo", { target, clients: this.#share(total, i) }, QUICK_MS)),
    );
  }

  /** Starts a window: every process forgets what it counted. */
  async window(): Promise<void> {
    await Promise.all(this.#processes.map((p) => p.call("window", null, QUICK_MS)));
  }

  /** What every process counted since `window`, merged. */
  async collect(): Promise<FleetCollect> {
    const replies = await Promise.all(
      this.#processes.map((p) => p.call<CollectReply & { disconnects: number }>("collect", null, QUICK_MS)),
    );
    const latency = new LatencyHistogram();
    for (const reply of replies) latency.merge(reply.latency);
    return {
      received: replies.reduce((sum, r) => sum + r.received, 0),
      latency,
      disconnects: replies.reduce((sum, r) => sum + r.disconnects, 0),
    };
  }

  /** Stops every sender and echo client and waits for what is in flight. */
  async quiet(): Promise<void> {
    await Promise.all(this.#processes.map((p) => p.call("quiet", null, QUICK_MS)));
  }

  /** Closes every client of group `target`. */
  async disconnect(target: string): Promise<void> {
    await Promise.all(this.#processes.map((p) => p.call("disconnect", target, QUICK_MS * 2)));
  }

  /** Ends every generator process. */
  async stop(): Promise<void> {
    for (const p of this.#processes) p.kill();
    await Promise.all(this.#processes.map((p) => p.exited(5_000)));
  }

  /** Process `i`'s share of `total` (the first ones take the remainder). */
  #share(total: number, i: number): number {
    const n = this.#processes.length;
    return Math.floor(total / n) + (i < total % n ? 1 : 0);
  }
}
