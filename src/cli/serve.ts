import type { Behaviour } from "../kernel/behaviour.js";
import type { Loop } from "../kernel/loop.js";
import type { AnyRef, Ref } from "../kernel/ref.js";
import { startWorkerLoop, type WorkerLoop } from "../kernel/worker-loop.js";
import { createNodeReactor } from "../reactor/node/node-reactor.js";
import { childSpec } from "../supervision/child-spec.js";
import { formatReport } from "../supervision/crash-reporter.js";
import { type ChorusNode, startNode } from "../supervision/node.js";
import { joinWireLoop, type WireLoopNode } from "../wire/wire-loop-node.js";
import type { WirePeerEvent } from "../wire/wire-peer.js";
import { statusReporterBehaviour } from "./status-reporter.js";

/** Options of {@link serve}. */
export interface ServeOptions {
  /** Worker-thread loops to start beside the main loop. Default 0. */
  workers: number;
  /** Status line period in ms. Default 10,000. */
  statusIntervalMs: number;
  /** Where log lines go. Default: stderr. */
  print?: (line: string) => void;
  /** Listen for wire peers on `host:port` (port 0 picks one) or `unix:/path`. Default: no listener. */
  listen?: string;
  /** Addresses of nodes to join (dialed at start). Default none. */
  join?: readonly string[];
  /** After joining, exchange demo actor messages with each joined node and watch its echo actor. */
  demo?: boolean;
}

/** A running `chorus serve`: stop it gracefully, or wait for it to end. */
export interface ServeHandle {
  readonly node: ChorusNode;
  readonly workers: readonly WorkerLoop[];
  /** The node on the wire (with `--listen` or `--join`), or null. */
  readonly wire: WireLoopNode | null;
  /** Leaves the wire, stops the supervision tree (newest first), the worker loops, then the main loop. */
  stop(): Promise<void>;
}

/** What every wire-enabled node publishes as `echo`: replies with what it got. */
export interface NodeEcho {
  echo(value: unknown): unknown;
}

/** What a node reports as `status`. */
export interface NodeStatusReport {
  readonly name: string;
  /** The node id (its main loop's id). */
  readonly id: string;
  readonly actors: number;
  /** Node ids of the peers connected now. */
  readonly peers: readonly string[];
}

/** What every wire-enabled node publishes as `status`. */
export interface NodeStatus {
  status(): NodeStatusReport;
}

interface Printer {
  readonly print: (line: string) => void;
}

/** Replies with its payload and logs its `text` field (so a demo shows up on both nodes). */
const echoBehaviour: Behaviour<NodeEcho, Printer, Printer> = {
  name: "echo",
  init: (args) => args,
  handlers: {
    echo(state, value) {
      const text = (value as { text?: unknown } | null)?.text;
      if (typeof text === "string") state.print(`echo: received "${text}"`);
      return value;
    },
  },
};

interface StatusArgs {
  readonly loop: Loop;
  readonly wire: () => WireLoopNode | null;
}

const nodeStatusBehaviour: Behaviour<NodeStatus, StatusArgs, StatusArgs> = {
  name: "node-status",
  init: (args) => args,
  handlers: {
    status: ({ loop, wire }) => ({
      name: loop.name,
      id: loop.id,
      actors: loop.actorCount,
      peers: (wire()?.peers ?? []).map((p) => p.nodeId),
    }),
  },
};

/**
 * Starts a node: the main loop with its root supervisor, `workers` worker-thread loops, and a
 * supervised status reporter. Crash reports are printed as they happen. With `listen` or `join`
 * the main loop goes on the wire ({@link joinWireLoop}) and publishes a supervised `echo` and
 * `status` actor; each address in `join` is dialed and its status printed.
 * @throws RangeError for bad options; the listen or join error (after stopping the node).
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
  let wire: WireLoopNode | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await wire?.close();
      await node.stop();
      await Promise.all(workers.map((w) => w.stop()));
    })();
    return stopping;
  };
  try {
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
    if (options.listen !== undefined || (options.join ?? []).length > 0) {
      wire = await startWire(node, options, print, () => wire);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { node, workers, wire, stop };
}

async function startWire(
  node: ChorusNode,
  options: ServeOptions,
  print: (line: string) => void,
  current: () => WireLoopNode | null,
): Promise<WireLoopNode> {
  const wire = await joinWireLoop(node.loop, options.listen === undefined ? {} : { listen: options.listen });
  wire.onEvent((event) => print(describeEvent(event)));
  const echo = await node.startChild(childSpec("echo", echoBehaviour, { print }));
  const status = await node.startChild(
    childSpec("node-status", nodeStatusBehaviour, { loop: node.loop, wire: current }),
  );
  await wire.publish("echo", echo);
  await wire.publish("status", status);
  if (wire.address !== null) print(`chorus: wire listening on ${wire.address}`);
  for (const address of options.join ?? []) {
    const remote = await wire.lookup<NodeStatus>(address, "status");
    if (remote === null) throw new Error(`the node at ${address} publishes no status actor`);
    const report = await remote.ask("status");
    print(
      `chorus: joined node ${report.id.slice(0, 8)} (${report.name}) at ${address}: ` +
        `${report.actors} actors, ${report.peers.length} peer(s)`,
    );
    if (options.demo === true) await demo(node.loop, wire, address, status, print);
  }
  return wire;
}

/** Asks the joined node's echo with a ref inside, and monitors it: shows far refs both ways. */
async function demo(
  loop: Loop,
  wire: WireLoopNode,
  address: string,
  ownStatus: AnyRef,
  print: (line: string) => void,
): Promise<void> {
  const echo = await wire.lookup<NodeEcho>(address, "echo");
  if (echo === null) throw new Error(`the node at ${address} publishes no echo actor`);
  const sent = { text: `hello from ${loop.id.slice(0, 8)}`, from: ownStatus };
  const reply = (await echo.ask("echo", sent)) as { text: string; from: Ref<NodeStatus> };
  print(`demo: ${address} echoed "${reply.text}"; our ref came back ${reply.from.isNear ? "near" : "far"}`);
  loop.monitor(echo, (reason) => print(`demo: the echo actor at ${address} is down (${reason.type})`));
}

function describeEvent(event: WirePeerEvent): string {
  switch (event.type) {
    case "restarted":
      return `chorus: node at ${event.address} restarted (${event.previousNodeId.slice(0, 8)} → ${event.nodeId.slice(0, 8)})`;
    case "up":
    case "switched":
      return `chorus: peer ${event.peer.nodeId.slice(0, 8)} (${event.peer.nodeName}) ${event.type}`;
    case "down":
      return `chorus: peer ${event.peer.nodeId.slice(0, 8)} (${event.peer.nodeName}) down: ${event.info.reason}`;
  }
}
