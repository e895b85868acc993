import { Prng } from "../reactor/virtual/prng.js";
import { TimerHeap } from "../reactor/virtual/timer-heap.js";
import { SimNode, type SimNodeOptions } from "./sim-node.js";
import { Trace, type TraceEvent } from "./trace.js";

/** Options of {@link SimWorld}. */
export interface SimWorldOptions {
  /** The seed from which every random choice of the run is derived. */
  seed: number;
  /** Wall-clock time at virtual time 0, in ms since the epoch. Default 1.7e12. */
  epochMs?: number;
  /** Keep every trace event in memory (short runs, tests). Default false: hash + tail only. */
  keepTrace?: boolean;
  /** Number of recent events kept for failure reports. Default 200. */
  traceTail?: number;
}

/** A scheduled callback on the world's timeline. */
export interface WorldTimer {
  dueMs: number;
  seq: number;
  readonly node: SimNode;
  readonly epoch: number;
  readonly periodMs: number;
  readonly callback: () => void;
  cancelled: boolean;
  /** True for network deliveries (traced by the network, not as "timer"). */
  readonly quiet: boolean;
}

/**
 * The simulated world: one virtual timeline, one seeded PRNG, and every simulated node with its
 * own Reactor. Nothing in it touches real time. Work runs one step at a time:
 * - if any node has deferred tasks ready, the PRNG picks which node runs its next task, so
 *   different seeds explore different interleavings (each node's own tasks stay FIFO);
 * - otherwise time jumps to the earliest timer (ties broken by creation order) and it fires.
 * Paused nodes run nothing until resumed; crashed nodes lose every task and timer.
 */
export class SimWorld {
  readonly seed: number;
  readonly prng: Prng;
  readonly trace: Trace;
  readonly epochMs: number;
  #nowMs = 0;
  #seq = 0;
  readonly #timers = new TimerHeap<WorldTimer>();
  readonly #nodes = new Map<string, SimNode>();
  readonly #ready: SimNode[] = [];
  #steps = 0;

  constructor(options: SimWorldOptions) {
    if (!Number.isInteger(options.seed)) throw new TypeError(`seed must be an integer, got ${options.seed}`);
    this.seed = options.seed;
    this.prng = new Prng(options.seed);
    this.epochMs = options.epochMs ?? 1.7e12;
    this.trace = new Trace({ keepAll: options.keepTrace ?? false, tailLength: options.traceTail ?? 200 });
  }

  /** True virtual time, in ms since the start of the run. */
  get nowMs(): number {
    return this.#nowMs;
  }

  /** Steps run so far. */
  get steps(): number {
    return this.#steps;
  }

  /** Adds a node. Its clock drift and skew come from `options` (default: a perfect clock). */
  addNode(name: string, options: SimNodeOptions = {}): SimNode {
    if (this.#nodes.has(name)) throw new TypeError(`a node named ${name} already exists`);
    const node = new SimNode(this, name, options, this.prng.fork());
    this.#nodes.set(name, node);
    return node;
  }

  /** The node called `name`. @throws TypeError if there is none. */
  node(name: string): SimNode {
    const node = this.#nodes.get(name);
    if (node === undefined) throw new TypeError(`no node named ${name}`);
    return node;
  }

  /** Every node, in creation order. */
  nodes(): SimNode[] {
    return [...this.#nodes.values()];
  }

  /** Records a trace event. */
  record(event: TraceEvent): void {
    this.trace.record(event);
  }

  // ---- used by nodes ----

  /** @internal A node got a ready task. */
  markReady(node: SimNode): void {
    if (node.inReadySet) return;
    node.inReadySet = true;
    this.#ready.push(node);
  }

  /** @internal Schedules `callback` on `node`'s incarnation at true time `dueMs`. */
  addTimer(node: SimNode, dueMs: number, periodMs: number, callback: () => void, quiet = false): WorldTimer {
    const timer: WorldTimer = {
      dueMs: Math.max(dueMs, this.#nowMs),
      seq: this.#seq++,
      node,
      epoch: node.epoch,
      periodMs,
      callback,
      cancelled: false,
      quiet,
    };
    this.#timers.push(timer);
    return timer;
  }

  /**
   * Runs one step. Returns false when there is nothing left to run (no ready task, no timer) or
   * the next timer lies beyond `untilMs`.
   */
  step(untilMs = Number.POSITIVE_INFINITY): boolean {
    const node = this.#pickReady();
    if (node !== undefined) {
      this.#steps++;
      node.runNextTask();
      return true;
    }
    for (;;) {
      const timer = this.#timers.peek();
      if (timer === undefined || timer.dueMs > untilMs) return false;
      this.#timers.pop();
      if (timer.cancelled || timer.epoch !== timer.node.epoch) continue;
      if (timer.dueMs > this.#nowMs) this.#nowMs = timer.dueMs;
      if (timer.periodMs > 0) {
        timer.dueMs += timer.periodMs;
        timer.seq = this.#seq++;
        this.#timers.push(timer);
      } else timer.cancelled = true;
      this.#steps++;
      timer.node.fireTimer(timer);
      return true;
    }
  }

  /** Moves time forward to `ms` (never back) without running anything. */
  advanceTo(ms: number): void {
    if (ms > this.#nowMs) this.#nowMs = ms;
  }

  #pickReady(): SimNode | undefined {
    const ready = this.#ready;
    while (ready.length > 0) {
      const index = ready.length === 1 ? 0 : this.prng.nextInt(ready.length);
      const node = ready[index]!;
      if (node.hasRunnableTask()) return node;
      // Swap-remove a node with nothing runnable (empty queue, paused or crashed).
      ready[index] = ready[ready.length - 1]!;
      ready.pop();
      node.inReadySet = false;
    }
    return undefined;
  }
}
