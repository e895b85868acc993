import type { OverflowPolicy } from "../../kernel/mailbox.js";
import type { Prng } from "../../reactor/virtual/prng.js";
import type { ShutdownMs } from "../../supervision/child-spec.js";
import type { RestartStrategy } from "../../supervision/restart-strategy.js";

/**
 * How a worker that traps exits reacts to a `shutdown` signal from its supervisor:
 * - `now`: stops at once (in the same virtual instant);
 * - `delay`: stops `stopDelayMs` later (a timer), possibly after its `shutdownMs` kill;
 * - `ignore`: never stops by itself; its supervisor kills it after `shutdownMs`.
 */
export type StopStyle = "now" | "delay" | "ignore";

/** One worker of the tree, as drawn from the seed. */
export interface WorkerOptions {
  readonly kind: "worker";
  /** Child id and actor name (`w0`, `w1`, …), unique in the tree. */
  readonly id: string;
  readonly restart: "permanent" | "transient";
  readonly shutdownMs: ShutdownMs;
  readonly trapExits: boolean;
  readonly stopStyle: StopStyle;
  /** For `delay`: how long the worker takes to stop, in ms. */
  readonly stopDelayMs: number;
  /** Spawns a linked helper actor with its own interval timer. */
  readonly helper: boolean;
  /** Period of the worker's (and its helper's) heartbeat timer, in ms. */
  readonly beatMs: number;
  readonly mailboxLengthMax: number;
  readonly overflow: OverflowPolicy;
}

/** One supervisor of the tree (the root, or a supervisor under it). */
export interface SupervisorOptions {
  readonly kind: "supervisor";
  /** Child id and actor name (`root`, `s0`, `s1`), unique in the tree. */
  readonly id: string;
  readonly strategy: RestartStrategy;
  readonly intensity: number;
  readonly periodMs: number;
  /** In start order. */
  readonly children: readonly (WorkerOptions | SupervisorOptions)[];
}

/** Everything about a run of the supervision scenario that the seed decides before the plan. */
export interface SupervisionOptions {
  readonly tree: SupervisorOptions;
  /**
   * Workers may take virtual time to stop (`delay`/`ignore`). Only drawn when no supervisor uses
   * `rest_for_one`: a `rest_for_one` supervisor can defer a restart behind a stop job, and the
   * intensity checker counts restarts at crash-report time, which is exact only if jobs take no time.
   */
  readonly slowStops: boolean;
  /** Client actors generating load. */
  readonly clients: number;
  /** How often each client acts, in ms. */
  readonly clientIntervalMs: number;
  /** Requests per client tick. */
  readonly opsPerTick: number;
  /** Default ask timeout of the loop, in ms. */
  readonly askTimeoutMs: number;
  /** Longest delay of a `slowEcho` reply, in ms. */
  readonly slowEchoMaxMs: number;
  /** Node clock rate error, in parts per million. */
  readonly driftPpm: number;
  /** Node clock offset, in ms. */
  readonly skewMs: number;
}

const STRATEGIES: readonly RestartStrategy[] = ["one_for_one", "one_for_all", "rest_for_one"];
const OVERFLOWS: readonly OverflowPolicy[] = ["reject", "drop-newest", "drop-oldest"];

/** Draws the options of one run from the seed's PRNG. */
export function drawSupervisionOptions(prng: Prng): SupervisionOptions {
  const shapes = drawShape(prng);
  const strategies = shapes.map(() => STRATEGIES[prng.nextInt(STRATEGIES.length)]!);
  const slowStops = !strategies.includes("rest_for_one") && prng.nextInt(2) === 0;
  const supervisors = shapes.map((workers, index) =>
    drawSupervisor(prng, index === 0 ? "root" : `s${index - 1}`, strategies[index]!, workers),
  );
  const [root, ...subs] = supervisors as [SupervisorOptions, ...SupervisorOptions[]];
  const children = [...root.children, ...subs];
  shuffle(prng, children);
  const tree = withWorkers(prng, { ...root, children }, slowStops, { next: 0 }) as SupervisorOptions;
  return {
    tree,
    slowStops,
    clients: 1 + prng.nextInt(3),
    clientIntervalMs: 2 + prng.nextInt(19),
    opsPerTick: 1 + prng.nextInt(3),
    askTimeoutMs: 20 + prng.nextInt(281),
    slowEchoMaxMs: 1 + prng.nextInt(100),
    driftPpm: prng.nextInt(3) === 0 ? 0 : prng.nextInt(2001) - 1000,
    skewMs: prng.nextInt(2) === 0 ? 0 : prng.nextInt(10_000),
  };
}

// Worker counts per supervisor: index 0 is the root, the others hang under it.
function drawShape(prng: Prng): number[] {
  if (prng.nextInt(3) === 0) return [2 + prng.nextInt(4)];
  const subs = 1 + prng.nextInt(2);
  return [prng.nextInt(3), ...Array.from({ length: subs }, () => 1 + prng.nextInt(3))];
}

// Workers are placeholders, drawn by withWorkers once the start order is known (ids follow it).
function drawSupervisor(prng: Prng, id: string, strategy: RestartStrategy, workers: number): SupervisorOptions {
  const intensity = prng.nextInt(10) === 0 ? 0 : 1 + prng.nextInt(5);
  const children = Array.from({ length: workers }, () => PLACEHOLDER);
  return { kind: "supervisor", id, strategy, intensity, periodMs: 10 + prng.nextInt(291), children };
}

const PLACEHOLDER: WorkerOptions = {
  kind: "worker",
  id: "",
  restart: "permanent",
  shutdownMs: "brutal_kill",
  trapExits: false,
  stopStyle: "now",
  stopDelayMs: 0,
  helper: false,
  beatMs: 1,
  mailboxLengthMax: 1,
  overflow: "reject",
};

function withWorkers(
  prng: Prng,
  node: WorkerOptions | SupervisorOptions,
  slowStops: boolean,
  ids: { next: number },
): WorkerOptions | SupervisorOptions {
  if (node.kind === "worker") return drawWorker(prng, `w${ids.next++}`, slowStops);
  return { ...node, children: node.children.map((child) => withWorkers(prng, child, slowStops, ids)) };
}

function drawWorker(prng: Prng, id: string, slowStops: boolean): WorkerOptions {
  const trapExits = prng.nextInt(2) === 0;
  const stopStyle: StopStyle = trapExits && slowStops ? (["now", "delay", "ignore"] as const)[prng.nextInt(3)]! : "now";
  const shutdownMs: ShutdownMs = drawShutdown(prng, stopStyle);
  const small = prng.nextInt(4) === 0;
  return {
    kind: "worker",
    id,
    restart: prng.nextInt(5) === 0 ? "transient" : "permanent",
    shutdownMs,
    trapExits,
    stopStyle,
    stopDelayMs: 1 + prng.nextInt(120),
    helper: prng.nextInt(2) === 0,
    beatMs: 5 + prng.nextInt(46),
    mailboxLengthMax: small ? 2 + prng.nextInt(8) : 10_000,
    overflow: small ? OVERFLOWS[prng.nextInt(OVERFLOWS.length)]! : "reject",
  };
}

// `infinity` only for workers that do stop by themselves.
function drawShutdown(prng: Prng, stopStyle: StopStyle): ShutdownMs {
  const pick = prng.nextInt(4);
  if (pick === 0) return "brutal_kill";
  if (pick === 1 && stopStyle !== "ignore") return "infinity";
  return 1 + prng.nextInt(100);
}

function shuffle<T>(prng: Prng, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = prng.nextInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/** A worker with the chain of supervisor ids from the root down to its supervisor. */
export interface WorkerAddress {
  /** Supervisor child ids below the root, outermost first (empty for the root's own workers). */
  readonly path: readonly string[];
  readonly worker: WorkerOptions;
}

/** Every worker of the tree, in start order, with its address. */
export function workerAddresses(tree: SupervisorOptions, path: readonly string[] = []): WorkerAddress[] {
  return tree.children.flatMap((child) =>
    child.kind === "worker" ? [{ path, worker: child }] : workerAddresses(child, [...path, child.id]),
  );
}

/** Every supervisor of the tree (the root first), with the path of child ids that leads to it. */
export function supervisorAddresses(
  tree: SupervisorOptions,
  path: readonly string[] = [],
): { readonly path: readonly string[]; readonly supervisor: SupervisorOptions }[] {
  const below = tree.children.flatMap((child) =>
    child.kind === "supervisor" ? supervisorAddresses(child, [...path, child.id]) : [],
  );
  return [{ path, supervisor: tree }, ...below];
}
