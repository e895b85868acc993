import type { Reactor } from "../reactor/reactor.js";
import {
  ACTOR_THROUGHPUT_DEFAULT,
  ASK_TIMEOUT_MS_DEFAULT,
  DRAIN_BUDGET_DEFAULT,
  type ActorInfo,
  type DeadLetter,
  type ExitEvent,
  type Loop,
  type LoopOptions,
} from "./loop-api.js";
import { ActorCell } from "./actor-cell.js";
import type { AnyBehaviour, Behaviour } from "./behaviour.js";
import type { SpawnArgs, SpawnOptions } from "./context.js";
import { LoopClosedError } from "./errors.js";
import type { FarLinks } from "./far-link.js";
import { type ExitReason, ExitReasons } from "./exit-reason.js";
import { type MailboxOptions, resolveMailboxOptions } from "./mailbox.js";
import { linkCount } from "./links.js";
import type { ModuleSpawner, PeerConnection } from "./peer-connection.js";
import { PendingAsk } from "./pending-ask.js";
import type { Protocol } from "./protocol.js";
import { type AnyRef, type MonitorRef, type Ref, targetOf } from "./ref.js";
import type { Target, Watcher } from "./target.js";
import type { KernelTracer } from "./trace-event.js";
import { TimeoutWheel } from "./timeout-wheel.js";
import { OUT_ASK, OUT_TELL } from "./turn.js";
import { TurnStack } from "./turn-stack.js";

export {
  ACTOR_THROUGHPUT_DEFAULT,
  ASK_TIMEOUT_MS_DEFAULT,
  DRAIN_BUDGET_DEFAULT,
  type ActorInfo,
  type DeadLetter,
  type ExitEvent,
  type Loop,
  type LoopOptions,
} from "./loop-api.js";

/** The kernel's loop implementation. Internal: users see {@link Loop}. */
export class LoopRuntime implements Loop {
  readonly id: string;
  readonly name: string;
  readonly reactor: Reactor;
  readonly askTimeoutMs: number;
  readonly wheel: TimeoutWheel;
  readonly #drainBudget: number;
  readonly #throughput: number;
  // Live actors as an intrusive doubly-linked list (oldest first): O(1) add and remove and no
  // per-actor allocation, which keeps spawning cheap.
  #newest: ActorCell | null = null;
  #liveCount = 0;
  readonly #runQueue: ActorCell[] = [];
  #runHead = 0;
  #drainScheduled = false;
  /** The running turns and their transaction rules. */
  readonly turns: TurnStack = new TurnStack(this);
  #nextCellId = 0;
  #nextMonitorId = 0;
  readonly #monitors = new Map<number, Target>();
  readonly #deferredDowns = new Set<number>();
  readonly #exports = new Map<string, Target>();
  #exportsEpoch = 0;
  readonly #exitListeners = new Set<(event: ExitEvent) => void>();
  readonly #deadLetterListeners = new Set<(letter: DeadLetter) => void>();
  readonly #mailboxCache = new WeakMap<AnyBehaviour, Required<MailboxOptions>>();
  #lastBehaviour: AnyBehaviour | null = null;
  #lastConfig: Required<MailboxOptions> | null = null;
  #deadLetters = 0;
  #closed = false;
  /** Hooks for other loops (see peer-connection.ts); set when the first peer connects. */
  peerHooks: { onShutdown(): void } | null = null;
  /** Links to actors on other loops (see far-link.ts); null until the first one. */
  farLinks: FarLinks | null = null;
  /** Sees every spawn, turn, state change and exit; null when not tracing. */
  tracer: KernelTracer | null = null;
  /** Connections to other loops, by loop id. */
  readonly peers = new Map<string, PeerConnection>();
  /** Spawns module-exported behaviours for other loops; null refuses spawn requests. */
  moduleSpawner: ModuleSpawner | null = null;

  constructor(options: LoopOptions) {
    if (options.reactor === undefined) throw new TypeError("createLoop: options.reactor is required");
    this.reactor = options.reactor;
    this.name = options.name ?? "main";
    this.id = options.id ?? options.reactor.uniqueId();
    this.askTimeoutMs = positive(options.askTimeoutMs ?? ASK_TIMEOUT_MS_DEFAULT, "askTimeoutMs");
    this.#drainBudget = positive(options.drainBudget ?? DRAIN_BUDGET_DEFAULT, "drainBudget");
    this.#throughput = positive(options.actorThroughput ?? ACTOR_THROUGHPUT_DEFAULT, "actorThroughput");
    this.wheel = new TimeoutWheel(this.reactor);
  }

  get actorCount(): number {
    return this.#liveCount;
  }

  get deadLetterCount(): number {
    return this.#deadLetters;
  }

  get closed(): boolean {
    return this.#closed;
  }

  // ---- spawning ----

  spawn<M extends Protocol<M>, S, A>(behaviour: Behaviour<M, S, A>, ...rest: SpawnArgs<A>): Ref<M>;
  // Plain parameters in the implementation: a rest array would be allocated on every spawn.
  spawn(behaviour: AnyBehaviour, args?: unknown, options?: SpawnOptions): AnyRef {
    return this.spawnCell(behaviour, args, options, null).ref;
  }

  spawnCell(
    behaviour: AnyBehaviour,
    args: unknown,
    options: SpawnOptions | undefined,
    linkTo: ActorCell | null,
  ): ActorCell {
    if (this.#closed) throw new LoopClosedError(`loop ${this.name} is shut down`);
    if (behaviour === null || typeof behaviour !== "object" || typeof behaviour.init !== "function") {
      throw new TypeError("spawn: behaviour must have an init function and handlers");
    }
    // Validated at spawn (RangeError/TypeError naming the option), cached per behaviour.
    const defaults = this.mailboxConfigFor(behaviour);
    const mailbox = options?.mailbox === undefined ? null : resolveMailboxOptions({ ...defaults, ...options.mailbox });
    const trap = options?.trapExits ?? behaviour.trapExits ?? false;
    const named = options?.name === undefined ? behaviour : { ...behaviour, name: options.name };
    const cell = new ActorCell(this, ++this.#nextCellId, named, mailbox, trap);
    cell.older = this.#newest;
    if (this.#newest !== null) this.#newest.newer = cell;
    this.#newest = cell;
    this.#liveCount++;
    // Link before init (as OTP's start_link does), so a child that stops during init signals its
    // parent; if init throws, start() removes the link again and the spawn throws instead.
    if (linkTo !== null) cell.linkWith(linkTo);
    cell.start(args);
    this.tracer?.({ type: "spawn", actor: cell.describe() });
    // Whoever spawns during a turn (ctx.spawn, or loop.spawn from inside a handler), the child
    // belongs to that turn: its init effects joined the turn, and it stops if the turn is discarded.
    const turn = this.turns.current;
    if (turn !== null) {
      if (turn.spawned === null) turn.spawned = [cell];
      else turn.spawned.push(cell);
    }
    return cell;
  }

  /** The resolved mailbox options of `behaviour` (validated once, then cached). */
  mailboxConfigFor(behaviour: AnyBehaviour): Required<MailboxOptions> {
    // Spawning mostly repeats one behaviour: a one-entry cache in front of the WeakMap.
    if (behaviour === this.#lastBehaviour) return this.#lastConfig!;
    let config = this.#mailboxCache.get(behaviour);
    if (config === undefined) {
      config = resolveMailboxOptions(behaviour.mailbox);
      this.#mailboxCache.set(behaviour, config);
    }
    this.#lastBehaviour = behaviour;
    this.#lastConfig = config;
    return config;
  }

  // ---- sending (called by Ref) ----

  tell(target: Target, tag: string, payload: unknown): void {
    const turn = this.turns.current;
    if (turn === null || target.loop !== this) {
      target.deliverTell(tag, payload);
      return;
    }
    target.reserve(tag, payload);
    turn.pushSend(OUT_TELL, target, tag, payload, null);
  }

  ask(target: Target, tag: string, payload: unknown, timeoutMs: number | undefined): Promise<unknown> {
    if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs >= 0 && Number.isFinite(timeoutMs))) {
      return Promise.reject(new RangeError(`ask timeoutMs must be a finite number >= 0, got ${String(timeoutMs)}`));
    }
    const pending = new PendingAsk(this.wheel, `"${tag}" to ${target.describe()}`, timeoutMs ?? this.askTimeoutMs);
    const turn = this.turns.current;
    if (turn === null || target.loop !== this) {
      target.deliverAsk(tag, payload, pending);
      return pending.promise;
    }
    try {
      target.reserve(tag, payload);
    } catch (error) {
      pending.settle(false, error);
      return pending.promise;
    }
    turn.pushSend(OUT_ASK, target, tag, payload, pending);
    return pending.promise;
  }

  call(target: Target, tag: string, payload: unknown): unknown {
    return target.callNow(tag, payload);
  }

  // ---- scheduling ----

  schedule(cell: ActorCell): void {
    cell.scheduled = true;
    this.#runQueue.push(cell);
    if (!this.#drainScheduled) {
      this.#drainScheduled = true;
      this.reactor.defer(this.#drain);
    }
  }

  readonly #drain = (): void => {
    this.#drainScheduled = false;
    const queue = this.#runQueue;
    let budget = this.#drainBudget;
    while (budget > 0 && this.#runHead < queue.length) {
      const cell = queue[this.#runHead]!;
      queue[this.#runHead++] = undefined as unknown as ActorCell;
      let quota = this.#throughput;
      while (quota > 0 && budget > 0 && cell.status !== "dead" && cell.handleNext()) {
        quota--;
        budget--;
      }
      if (cell.status !== "dead" && cell.queued > 0) queue.push(cell);
      else cell.scheduled = false;
    }
    if (this.#runHead >= queue.length) {
      queue.length = 0;
      this.#runHead = 0;
    } else {
      if (this.#runHead > 1024) {
        queue.splice(0, this.#runHead);
        this.#runHead = 0;
      }
      if (!this.#drainScheduled) {
        this.#drainScheduled = true;
        this.reactor.defer(this.#drain);
      }
    }
  };

  // ---- exits, monitors, dead letters ----

  exit(ref: AnyRef, reason: ExitReason): void {
    const target = targetOf(ref);
    const turn = this.turns.current;
    if (turn === null) target.signalExit(reason, null);
    else turn.pushEffect(() => target.signalExit(reason, null));
  }

  monitor(ref: AnyRef, onDown: (reason: ExitReason) => void): MonitorRef {
    const target = targetOf(ref);
    const monitorId = target.monitor({
      down: (id, reason) => {
        this.#monitors.delete(id);
        onDown(reason);
      },
    });
    this.#monitors.set(monitorId, target);
    return { monitorId };
  }

  demonitor(monitor: MonitorRef | number): void {
    const id = typeof monitor === "number" ? monitor : monitor.monitorId;
    const target = this.#monitors.get(id);
    if (target === undefined) return;
    this.#monitors.delete(id);
    target.demonitor(id);
  }

  /**
   * Delivers `reason` to `watcher` on the next task, unless {@link cancelDeferredDown} is called
   * first (a monitor set on an actor that is already dead, then demonitored). Returns the id.
   */
  deferDown(watcher: Watcher, reason: ExitReason): number {
    const monitorId = this.nextMonitorId();
    this.#deferredDowns.add(monitorId);
    this.reactor.defer(() => {
      if (this.#deferredDowns.delete(monitorId)) watcher.down(monitorId, reason);
    });
    return monitorId;
  }

  /** Cancels a down scheduled by {@link deferDown}. */
  cancelDeferredDown(monitorId: number): void {
    this.#deferredDowns.delete(monitorId);
  }

  nextMonitorId(): number {
    return ++this.#nextMonitorId;
  }

  deadLetter(target: Target, tag: string, why: DeadLetter["why"]): void {
    this.#deadLetters++;
    this.tracer?.({ type: "dead_letter", actor: target.describe(), tag, why });
    if (this.#deadLetterListeners.size === 0) return;
    const letter: DeadLetter = { to: target.describe(), tag, why };
    for (const listener of this.#deadLetterListeners) listener(letter);
  }

  notifyExit(cell: ActorCell, reason: ExitReason): void {
    this.tracer?.({ type: "exit", actor: cell.describe(), reason: reason.type });
    if (this.#exitListeners.size === 0) return;
    const event: ExitEvent = { ref: cell.ref, description: cell.describe(), reason, atMs: this.reactor.nowMs() };
    for (const listener of this.#exitListeners) listener(event);
  }

  onExit(listener: (event: ExitEvent) => void): () => void {
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }

  onDeadLetter(listener: (letter: DeadLetter) => void): () => void {
    this.#deadLetterListeners.add(listener);
    return () => this.#deadLetterListeners.delete(listener);
  }

  forget(cell: ActorCell): void {
    if (cell.older === null && cell.newer === null && this.#newest !== cell) return;
    if (cell.newer !== null) cell.newer.older = cell.older;
    else this.#newest = cell.older;
    if (cell.older !== null) cell.older.newer = cell.newer;
    cell.older = null;
    cell.newer = null;
    this.#liveCount--;
    if (cell.token !== null) this.unexport(cell.token);
  }

  // ---- inspection ----

  cellOf(target: Target): ActorCell | null {
    return target instanceof ActorCell && target.loop === this ? target : null;
  }

  inspect(ref: AnyRef): ActorInfo | undefined {
    const cell = this.cellOf(targetOf(ref));
    if (cell === null) return undefined;
    return {
      description: cell.describe(),
      status: cell.status,
      state: cell.state,
      mailboxLength: cell.inbox?.messageCount ?? 0,
      signalsQueued: cell.inbox?.signals ?? 0,
      messagesHandled: cell.messagesHandled,
      trapExits: cell.trapExits,
      linkCount: linkCount(cell) + (this.farLinks?.countOf(cell) ?? 0),
      timerCount: cell.timers?.size ?? 0,
      exitReason: cell.exitReason,
    };
  }

  // ---- capability export (for other loops) ----

  /** Registers `target` under a fresh unguessable token and returns the token. */
  exportTarget(target: Target): string {
    const token = this.reactor.uniqueId();
    this.#exports.set(token, target);
    return token;
  }

  /** The target exported under `token`, if any. */
  resolveToken(token: string): Target | undefined {
    return this.#exports.get(token);
  }

  /** Drops an exported token (a revoked capability). */
  unexport(token: string): void {
    if (this.#exports.delete(token)) this.#exportsEpoch++;
  }

  /** Changes whenever a token stops resolving: lets peers cache a resolved token safely. */
  get exportsEpoch(): number {
    return this.#exportsEpoch;
  }

  setTracer(tracer: KernelTracer | null): void {
    this.tracer = tracer;
  }

  // ---- lifecycle ----

  shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    const cells: ActorCell[] = [];
    for (let cell = this.#newest; cell !== null; cell = cell.older) cells.push(cell);
    for (const cell of cells) cell.exit(ExitReasons.shutdown);
    this.wheel.stop();
    this.peerHooks?.onShutdown();
  }
}

/** Creates a loop on the current thread. */
export function createLoop(options: LoopOptions): Loop {
  return new LoopRuntime(options);
}

function positive(value: number, name: string): number {
  if (typeof value !== "number" || !(value > 0))
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
