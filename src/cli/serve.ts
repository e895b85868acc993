import { startWorkerLoop, type WorkerLoop } from "../kernel/worker-loop.js";
import { createNodeReactor } from "../reactor/node/node-reactor.js";
import { childSpec } from "../supervision/child-spec.js";
import { formatReport } from "../supervision/crash-reporter.js";
import { type ChorusNode, startNode } from "../supervision/node.js";
import { statusReporterBehaviour } from "./status-reporter.js";

/** Options of {@link serve}. */
export interface ServeOptions {
  /** Worker-thread loops to start beside the main loop. Default 0. */
  workers: number;
  /** Status line period in ms. Default 10,000. */
  statusIntervalMs: number;
  /** Where log lines go. Default: stderr. */
  print?: (line: string) => void;
}

/** A running `chorus serve`: stop it gracefully, or wait for it to end. */
export interface ServeHandle {
  readonly node: ChorusNode;
  readonly workers: readonly WorkerLoop[];
  /** Stops the supervision tree (newest first), the worker loops, then the main loop. */
  stop(): Promise<void>;
}

/**
 * Starts a node: the main loop with its root supervisor, `workers` worker-thread loops, and a
 * supervised status reporter. Crash reports are printed as they happen.
 */
export async function serve(options: ServeOptions): Promise<ServeHandle> {
  if (!Number.isInteger(options.workers) || options.workers < 0) {
    throw new RangeError(`workers must be an integer >= 0, got ${options.workers}`);
  }
  if (!(options.statusIntervalMs >= 100)) {
    throw new RangeError(`statusIntervalMs must be >= 100, got ${options.statusIntervalMs}`);
  }
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const reactor = createNodeReactor({ unrefTimers: false });
  const node = startNode({ reactor, name: "main" });
  node.reports.subscribe((report) => print(formatReport(report)));
  const workers: WorkerLoop[] = [];
  for (let i = 1; i <= options.workers; i++) workers.push(await startWorkerLoop(node.loop, { name: `worker-${i}` }));
  await node.startChild(
    childSpec("status", statusReporterBehaviour, {
      loop: node.loop,
      workerLoops: workers.map((w) => w.name),
      intervalMs: options.statusIntervalMs,
      print,
    }),
  );
  print(`chorus: node up (main loop ${node.loop.id.slice(0, 8)}, ${workers.length} worker loop(s)); Ctrl-C to stop`);
  let stopping: Promise<void> | null = null;
  return {
    node,
    workers,
    stop: () => {
      stopping ??= (async () => {
        await node.stop();
        await Promise.all(workers.map((w) => w.stop()));
      })();
      return stopping;
    },
  };
}
