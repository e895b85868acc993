import { bytesToHex, checkDelayMs, type Reactor, type TimerHandle } from "../reactor/reactor.js";
import type { Prng } from "../reactor/virtual/prng.js";
import type { SimWorld, WorldTimer } from "./sim-world.js";

/** What a node's boot function gets: its Reactor (this incarnation's) and its durable disk. */
export interface BootContext {
  readonly node: SimNode;
  readonly reactor: SimReactor;
  /** Survives crashes and restarts (a simulated durable store); memory does not. */
  readonly disk: Map<string, unknown>;
}

/** Options of a simulated node. */
export interface SimNodeOptions {
  /** Clock rate error in parts per million (e.g. 100 = runs 0.01 % fast). Default 0. */
  driftPpm?: number;
  /** Clock offset in ms added to this node's monotonic and wall clocks. Default 0. */
  skewMs?: number;
  /** Starts the node's software; run at start and after every restart. */
  boot?: (context: BootContext) => void;
}

interface Task {
  readonly epoch: number;
  readonly run: () => void;
}

/** Lifecycle of a simulated node. */
export type SimNodeStatus = "up" | "paused" | "crashed";

/**
 * One simulated machine (a server node or a client): its clock, its FIFO task queue, its timers
 * and its disk. Each incarnation (start, then each restart) gets a fresh {@link SimReactor};
 * a crash drops every task, timer and connection of the old incarnation.
 */
export class SimNode {
  readonly world: SimWorld;
  readonly name: string;
  readonly disk = new Map<string, unknown>();
  readonly driftPpm: number;
  readonly skewMs: number;
  epoch = 0;
  status: SimNodeStatus = "up";
  inReadySet = false;
  reactor: SimReactor;
  /** Timers of the current incarnation not yet fired or cancelled. */
  liveTimers = 0;
  readonly #prng: Prng;
  #tasks: Task[] = [];
  #head = 0;
  #held: WorldTimer[] = [];
  #boot: ((context: BootContext) => void) | null;
  readonly #crashListeners = new Set<() => void>();

  constructor(world: SimWorld, name: string, options: SimNodeOptions, prng: Prng) {
    this.world = world;
    this.name = name;
    this.driftPpm = options.driftPpm ?? 0;
    this.skewMs = options.skewMs ?? 0;
    if (!(this.driftPpm > -1e6)) throw new RangeError(`driftPpm must be > -1e6, got ${this.driftPpm}`);
    this.#prng = prng;
    this.#boot = options.boot ?? null;
    this.reactor = new SimReactor(this, this.epoch, prng.fork());
    if (this.#boot !== null) this.#scheduleBoot();
  }

  /** This node's local monotonic time for the world's true time `trueMs`. */
  localTime(trueMs: number): number {
    return trueMs * (1 + this.driftPpm / 1e6) + this.skewMs;
  }

  /** True time it takes this node's clock to advance `localMs`. */
  trueDuration(localMs: number): number {
    return localMs / (1 + this.driftPpm / 1e6);
  }

  /** Sets the boot function (run on restart; also now if the node has not booted). */
  setBoot(boot: (context: BootContext) => void): void {
    const first = this.#boot === null;
    this.#boot = boot;
    if (first) this.#scheduleBoot();
  }

  /** Registers a listener told when this node crashes (the network resets its connections). */
  onCrash(listener: () => void): () => void {
    this.#crashListeners.add(listener);
    return () => this.#crashListeners.delete(listener);
  }

  // ---- faults ----

  /** Crashes the node: memory, tasks, timers and connections are lost; the disk survives. */
  crash(): void {
    if (this.status === "crashed") return;
    this.status = "crashed";
    this.epoch++;
    this.#tasks = [];
    this.#head = 0;
    this.#held = [];
    this.liveTimers = 0;
    this.world.record({ type: "fault", atMs: this.world.nowMs, fault: { kind: "crash", node: this.name } });
    for (const listener of [...this.#crashListeners]) listener();
  }

  /** Restarts a crashed node: a new incarnation boots with the same disk. */
  restart(): void {
    if (this.status !== "crashed") return;
    this.status = "up";
    this.reactor = new SimReactor(this, this.epoch, this.#prng.fork());
    this.world.record({ type: "fault", atMs: this.world.nowMs, fault: { kind: "restart", node: this.name } });
    if (this.#boot !== null) this.#scheduleBoot();
  }

  /** Pauses the node (a GC pause, a stopped VM): it runs nothing until resumed. */
  pause(): void {
    if (this.status !== "up") return;
    this.status = "paused";
    this.world.record({ type: "fault", atMs: this.world.nowMs, fault: { kind: "pause", node: this.name } });
  }

  /** Resumes a paused node; timers that came due meanwhile run as soon as it is scheduled. */
  resume(): void {
    if (this.status !== "paused") return;
    this.status = "up";
    this.world.record({ type: "fault", atMs: this.world.nowMs, fault: { kind: "resume", node: this.name } });
    const held = this.#held;
    this.#held = [];
    for (const timer of held) this.pushTask(timer.epoch, () => this.#runHeldTimer(timer));
    // Tasks queued before or during the pause are runnable again (the ready set may have dropped us).
    if (this.#head < this.#tasks.length) this.world.markReady(this);
  }

  // ---- scheduling (used by SimReactor and SimWorld) ----

  /** @internal Queues a task for incarnation `epoch`. */
  pushTask(epoch: number, run: () => void): void {
    if (epoch !== this.epoch || this.status === "crashed") return;
    this.#tasks.push({ epoch, run });
    if (this.status === "up") this.world.markReady(this);
  }

  /** @internal */
  hasRunnableTask(): boolean {
    return this.status === "up" && this.#head < this.#tasks.length;
  }

  /** @internal Runs the next task. */
  runNextTask(): void {
    const task = this.#tasks[this.#head]!;
    this.#tasks[this.#head++] = undefined as unknown as Task;
    if (this.#head === this.#tasks.length) {
      this.#tasks = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#tasks.length) {
      this.#tasks = this.#tasks.slice(this.#head);
      this.#head = 0;
    }
    if (task.epoch === this.epoch) task.run();
  }

  /** @internal A timer of this node came due. */
  fireTimer(timer: WorldTimer): void {
    if (this.status === "paused") {
      // The world marks a one-shot timer done when it comes due; until it runs, cancel must stop it.
      if (timer.periodMs === 0) timer.cancelled = false;
      this.#held.push(timer);
      return;
    }
    this.#runTimer(timer);
  }

  #runHeldTimer(timer: WorldTimer): void {
    if (timer.cancelled) return;
    if (timer.periodMs === 0) timer.cancelled = true;
    this.#runTimer(timer);
  }

  #runTimer(timer: WorldTimer): void {
    if (timer.epoch !== this.epoch) return;
    // Network deliveries (quiet) were never counted as the node's timers.
    if (timer.periodMs === 0 && !timer.quiet) this.liveTimers--;
    if (!timer.quiet) this.#traceTimer();
    timer.callback();
  }

  #traceTimer(): void {
    this.world.trace.record({ type: "timer", atMs: this.world.nowMs, node: this.name });
  }

  #scheduleBoot(): void {
    const reactor = this.reactor;
    this.pushTask(this.epoch, () => this.#boot?.({ node: this, reactor, disk: this.disk }));
  }
}

/**
 * The Reactor of one incarnation of a simulated node: local clock with the node's drift and
 * skew, timers on the world's timeline, deferred tasks on the node's FIFO queue, randomness from
 * a PRNG derived from the run's seed. A reactor of a crashed incarnation goes silent: its
 * timers never fire and its tasks never run.
 */
export class SimReactor implements Reactor {
  readonly node: SimNode;
  readonly epoch: number;
  readonly #prng: Prng;

  constructor(node: SimNode, epoch: number, prng: Prng) {
    this.node = node;
    this.epoch = epoch;
    this.#prng = prng;
  }

  nowMs(): number {
    return this.node.localTime(this.node.world.nowMs);
  }

  wallClockMs(): number {
    return this.node.world.epochMs + this.nowMs();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    return this.#timer(checkDelayMs(delayMs, "delayMs"), 0, callback);
  }

  setRepeatingTimer(periodMs: number, callback: () => void): TimerHandle {
    const period = Math.max(1, checkDelayMs(periodMs, "periodMs"));
    return this.#timer(period, period, callback);
  }

  defer(task: () => void): void {
    this.node.pushTask(this.epoch, task);
  }

  random(): number {
    return this.#prng.nextFloat();
  }

  randomByteArray(length: number): Uint8Array {
    return this.#prng.bytes(length);
  }

  uniqueId(): string {
    return bytesToHex(this.randomByteArray(16));
  }

  /** True while this reactor's incarnation is the node's current one. */
  get current(): boolean {
    return this.epoch === this.node.epoch;
  }

  #timer(delayMs: number, periodMs: number, callback: () => void): TimerHandle {
    const node = this.node;
    if (!this.current) return { cancel() {} };
    const world = node.world;
    const timer = world.addTimer(node, world.nowMs + node.trueDuration(delayMs), node.trueDuration(periodMs), callback);
    node.liveTimers++;
    return {
      cancel: () => {
        if (timer.cancelled) return;
        timer.cancelled = true;
        if (timer.epoch === node.epoch) node.liveTimers--;
      },
    };
  }
}
