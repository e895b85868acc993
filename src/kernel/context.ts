import { checkDelayMs, type Reactor } from "../reactor/reactor.js";
import type { ActorCell } from "./actor-cell.js";
import type { AnyBehaviour, Behaviour } from "./behaviour.js";
import { DOWN_SIGNAL } from "./envelope.js";
import { BadMessageError } from "./errors.js";
import { type ExitReason, ExitReasons } from "./exit-reason.js";
import { checkLinkRoom, farLinksOf } from "./far-link.js";
import type { PayloadArgs, PayloadOf, Protocol, Tag } from "./protocol.js";
import { type AnyRef, type MonitorRef, type Ref, targetOf } from "./ref.js";
import { DeadTarget, RemoteTarget } from "./remote-target.js";
import type { ReplyTo } from "./target.js";

/** Options of `spawn`. */
export interface SpawnOptions {
  /** Overrides the behaviour's name in descriptions and logs. */
  name?: string;
  /** Overrides the behaviour's mailbox bound and policy. */
  mailbox?: import("./mailbox.js").MailboxOptions;
  /** Start trapping exits (overrides the behaviour's `trapExits`). */
  trapExits?: boolean;
}

/** The arguments of spawn after the behaviour: `args` may be omitted when `init` takes none. */
export type SpawnArgs<A> = [A] extends [void] ? [args?: A, options?: SpawnOptions] : [args: A, options?: SpawnOptions];

/** Identifies a per-actor timer; pass it to {@link ActorContext.cancelTimer}. */
export interface TimerRef {
  readonly timerId: number;
}

/** Sends the reply of a request later (see {@link ActorContext.replyLater}). Settles once. */
export interface Replier<R> {
  /** Replies with `value`. Later calls are ignored. */
  reply(value: R): void;
  /** Fails the request with `error`. Later calls are ignored. */
  fail(error: unknown): void;
}

/** The outcome of a piped promise, delivered as a message payload. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * What a handler may do besides computing a reply. Inside a turn every effect (state change,
 * sends, spawns, timers, stops, exits) is buffered and happens only if the handler returns.
 */
export interface ActorContext<M extends Protocol<M>, S> {
  /** This actor's own ref. */
  readonly self: Ref<M>;
  /** The Reactor: the only source of time and randomness for actor code. */
  readonly reactor: Reactor;
  /** Sets the state the actor will have after this turn. */
  setState(next: S): void;
  /** Stops this actor after the turn, with `reason` (default `normal`). */
  stop(reason?: ExitReason): void;
  /** Spawns an actor on this loop. If this turn throws, the child is killed. */
  spawn<M2 extends Protocol<M2>, S2, A2>(behaviour: Behaviour<M2, S2, A2>, ...rest: SpawnArgs<A2>): Ref<M2>;
  /** Spawns an actor on this loop and links it to this one. */
  spawnLink<M2 extends Protocol<M2>, S2, A2>(behaviour: Behaviour<M2, S2, A2>, ...rest: SpawnArgs<A2>): Ref<M2>;
  /**
   * Links this actor with `ref`, on this loop or (through a far ref) on another loop: when one
   * exits, the other gets the exit signal with the same reason (trapped: `onExit`; otherwise
   * `normal` is ignored and any other reason stops it). A dead actor signals `noproc`; losing the
   * connection to the other loop signals `noconnection`. Made when the turn commits.
   * @throws BadMessageError for a facet (caretaker, attenuated ref) or an actor of an unconnected loop.
   * @throws MailboxFullError when the outbound queue to the far actor's loop is full.
   */
  link(ref: AnyRef): void;
  /** Removes a link (on this loop or across loops); no exit signal crosses it afterwards. */
  unlink(ref: AnyRef): void;
  /** Monitors `ref`: `onDown` runs once when it stops (at once with `noproc` if it is dead). */
  monitor(ref: AnyRef): MonitorRef;
  /** Removes a monitor; no down signal will arrive for it. */
  demonitor(monitor: MonitorRef): void;
  /** Sends an exit signal to `ref` (a `killed` reason cannot be trapped). */
  exit(ref: AnyRef, reason: ExitReason): void;
  /**
   * Starts or stops trapping exit signals (they then arrive at `onExit`). Takes effect at once,
   * not at the end of the turn, like Erlang's `process_flag(trap_exit, …)`.
   */
  trapExits(on: boolean): void;
  /** Sends `tag` to self after `delayMs`. The timer dies with the actor. */
  sendAfter<K extends Tag<M>>(delayMs: number, tag: K, ...payload: PayloadArgs<M, K>): TimerRef;
  /** Sends `tag` to self every `periodMs`. The timer dies with the actor. */
  sendInterval<K extends Tag<M>>(periodMs: number, tag: K, ...payload: PayloadArgs<M, K>): TimerRef;
  /** Cancels a timer of this actor. */
  cancelTimer(timer: TimerRef): void;
  /**
   * Takes the current request's reply slot so the reply can be sent later (e.g. after a batch
   * is written): the handler must then return `DEFER`. If the actor stops first, the asker gets
   * an `ActorExitedError`. For a tell, the replier does nothing.
   */
  replyLater<R>(): Replier<R>;
  /** When `promise` settles, sends `tag` to self with a {@link Settled} payload. */
  pipe<T, K extends Tag<M>>(promise: Promise<T>, tag: K & (Settled<T> extends PayloadOf<M, K> ? unknown : never)): void;
}

const noopReplier: Replier<unknown> = { reply() {}, fail() {} };

class ReplierImpl implements Replier<unknown> {
  constructor(
    readonly cell: ActorCell,
    readonly target: ReplyTo,
  ) {}
  reply(value: unknown): void {
    this.#settle(true, value);
  }
  fail(error: unknown): void {
    this.#settle(false, error);
  }
  #settle(ok: boolean, value: unknown): void {
    const turn = this.cell.turn;
    const done = () => {
      this.cell.repliers?.delete(this.target);
      this.target.settle(ok, value);
    };
    if (turn !== null) turn.pushEffect(done);
    else done();
  }
}

/** The context handed to one actor's handlers. Internal; users see {@link ActorContext}. */
export class ContextImpl implements ActorContext<AnyProtocolShape, unknown> {
  readonly #cell: ActorCell;

  constructor(cell: ActorCell) {
    this.#cell = cell;
  }

  get self(): AnyRef {
    return this.#cell.ref;
  }

  get reactor(): Reactor {
    return this.#cell.loop.reactor;
  }

  #turn(what: string) {
    const turn = this.#cell.turn;
    if (turn === null) {
      throw new BadMessageError(`ctx.${what} can only be used inside a turn of ${this.#cell.describe()}`);
    }
    return turn;
  }

  setState(next: unknown): void {
    const turn = this.#turn("setState");
    turn.stateSet = true;
    turn.nextState = next;
  }

  stop(reason: ExitReason = ExitReasons.normal): void {
    const turn = this.#cell.turn;
    if (turn === null) this.#cell.exit(reason);
    else turn.stopReason = reason;
  }

  spawn(behaviour: AnyBehaviour, args?: unknown, options?: SpawnOptions): AnyRef {
    return this.#spawn(behaviour, args, options, false);
  }

  spawnLink(behaviour: AnyBehaviour, args?: unknown, options?: SpawnOptions): AnyRef {
    return this.#spawn(behaviour, args, options, true);
  }

  #spawn(behaviour: AnyBehaviour, args: unknown, options: SpawnOptions | undefined, link: boolean): AnyRef {
    const cell = this.#cell;
    return cell.loop.spawnCell(behaviour, args, options, link ? cell : null).ref;
  }

  link(ref: AnyRef): void {
    const cell = this.#cell;
    const target = targetOf(ref);
    const other = cell.loop.cellOf(target);
    if (other !== null) {
      this.#effect(() => cell.linkWith(other));
    } else if (target instanceof RemoteTarget && target.loop === cell.loop) {
      checkLinkRoom(target);
      this.#effect(() => farLinksOf(cell.loop).link(cell, target, ref));
    } else if (target instanceof DeadTarget) {
      this.#effect(() => cell.exitSignal(ref, ExitReasons.noproc, true));
    } else {
      throw notLinkable(ref, "link");
    }
  }

  unlink(ref: AnyRef): void {
    const cell = this.#cell;
    const target = targetOf(ref);
    const other = cell.loop.cellOf(target);
    if (other !== null) this.#effect(() => cell.unlinkFrom(other));
    else if (target instanceof RemoteTarget && target.loop === cell.loop)
      this.#effect(() => cell.loop.farLinks?.unlink(cell, target));
    else if (!(target instanceof DeadTarget)) throw notLinkable(ref, "unlink");
  }

  monitor(ref: AnyRef): MonitorRef {
    const cell = this.#cell;
    const target = targetOf(ref);
    const holder: { monitorId: number } = { monitorId: 0 };
    const monitorRef: MonitorRef = holder;
    holder.monitorId = target.monitor({
      down: (_id, reason) => {
        cell.monitoring?.delete(holder.monitorId);
        cell.deliverSignal(DOWN_SIGNAL, { type: "down", monitor: monitorRef, ref, reason });
      },
    });
    if (cell.monitoring === null) cell.monitoring = new Map();
    cell.monitoring.set(holder.monitorId, target);
    const turn = cell.turn;
    if (turn !== null) turn.pushEffect(noop, () => cell.dropMonitor(holder.monitorId));
    return monitorRef;
  }

  demonitor(monitor: MonitorRef): void {
    const cell = this.#cell;
    this.#effect(() => cell.dropMonitor(monitor.monitorId));
  }

  exit(ref: AnyRef, reason: ExitReason): void {
    const target = targetOf(ref);
    const from = this.#cell.ref;
    this.#effect(() => target.signalExit(reason, from));
  }

  trapExits(on: boolean): void {
    this.#cell.trapExits = on;
  }

  sendAfter(delayMs: number, tag: string, payload?: unknown): TimerRef {
    return this.#timer(delayMs, tag, payload, false);
  }

  sendInterval(periodMs: number, tag: string, payload?: unknown): TimerRef {
    return this.#timer(periodMs, tag, payload, true);
  }

  #timer(ms: number, tag: string, payload: unknown, repeat: boolean): TimerRef {
    checkDelayMs(ms, repeat ? "periodMs" : "delayMs");
    const cell = this.#cell;
    const timerId = cell.loop.nextMonitorId();
    this.#effect(() => {
      if (cell.status === "dead") return;
      const fire = () => {
        if (!repeat) cell.timers?.delete(timerId);
        if (cell.status === "dead") return;
        try {
          cell.deliverTell(tag, payload);
        } catch {
          cell.loop.deadLetter(cell, tag, "mailbox_full");
        }
      };
      const reactor = cell.loop.reactor;
      const handle = repeat ? reactor.setRepeatingTimer(ms, fire) : reactor.setTimer(ms, fire);
      if (cell.timers === null) cell.timers = new Map();
      cell.timers.set(timerId, handle);
    });
    return { timerId };
  }

  cancelTimer(timer: TimerRef): void {
    const cell = this.#cell;
    this.#effect(() => {
      const handle = cell.timers?.get(timer.timerId);
      if (handle === undefined) return;
      handle.cancel();
      cell.timers?.delete(timer.timerId);
    });
  }

  replyLater<R>(): Replier<R> {
    const turn = this.#turn("replyLater");
    if (turn.reply === null || turn.replyTaken) {
      turn.replyTaken = true;
      return noopReplier as Replier<R>;
    }
    turn.replyTaken = true;
    const reply = turn.reply;
    const cell = this.#cell;
    turn.pushEffect(() => cell.trackReplier(reply));
    return new ReplierImpl(cell, reply) as Replier<R>;
  }

  pipe(promise: Promise<unknown>, tag: string): void {
    const self = this.#cell.ref;
    const attach = () => {
      promise.then(
        (value) => tellQuietly(self, tag, { ok: true, value }),
        (error) => tellQuietly(self, tag, { ok: false, error }),
      );
    };
    this.#effect(attach, () => {
      promise.catch(noop);
    });
  }

  #effect(run: () => void, undo: (() => void) | null = null): void {
    const turn = this.#cell.turn;
    if (turn === null) run();
    else turn.pushEffect(run, undo);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the implementation serves every protocol.
type AnyProtocolShape = Record<string, (payload: any) => any>;

function tellQuietly(ref: AnyRef, tag: string, payload: unknown): void {
  const target = targetOf(ref);
  try {
    target.deliverTell(tag, payload);
  } catch {
    // A full mailbox drops the piped result; the loop counts it as a dead letter.
    target.loop.deadLetter(target, tag, "mailbox_full");
  }
}

function noop(): void {}

function notLinkable(ref: AnyRef, what: string): BadMessageError {
  return new BadMessageError(
    `${what}: ${ref} is neither an actor of this loop nor a far ref (a facet, or an actor of an unconnected loop)`,
  );
}
