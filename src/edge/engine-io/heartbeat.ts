/**
 * The server side of the Engine.IO v4 heartbeat: every `pingIntervalMs` the server sends a ping;
 * if no pong arrives within `pingTimeoutMs`, the session is dead ("ping timeout"). Only the
 * server pings in v4. All timers come from the Reactor.
 *
 * ```
 * start ──pingIntervalMs──► ping() ──pingTimeoutMs──► timeout()
 *                              └── pong() ──► rearm: pingIntervalMs ──► ping() …
 * ```
 * One {@link HeartbeatScheduler} serves every session of a server with two Reactor timers, not
 * one per session: every session waits the same period, so a session re-armed "now + period"
 * always goes to the back of its queue, and each queue stays ordered by due time. A timer is
 * armed for each queue's head only; a pong unlinks its session in O(1).
 *
 * ```
 * waiting for ping:  [s3 due 100] ⇄ [s1 due 140] ⇄ [s7 due 175]   ← one timer, for s3
 * waiting for pong:  [s2 due 120] ⇄ [s5 due 160]                  ← one timer, for s2
 * ```
 * Spec: https://github.com/socketio/engine.io-protocol#heartbeat
 */
import type { Reactor, TimerHandle } from "../../reactor/reactor.js";

/** What a {@link Heartbeat} asks its session to do. */
export interface HeartbeatActions {
  /** Send a ping packet (`2`). */
  ping(): void;
  /** No pong in time: close the session with "ping timeout". */
  timeout(): void;
}

/** Periods of a {@link Heartbeat}, in milliseconds. */
export interface HeartbeatPeriods {
  /** Milliseconds between a pong (or the start) and the next ping. */
  readonly pingIntervalMs: number;
  /** Milliseconds to wait for a pong after a ping. */
  readonly pingTimeoutMs: number;
}

/** Where a heartbeat waits. */
const IDLE = 0;
const AWAITING_PING = 1;
const AWAITING_PONG = 2;
type HeartbeatPhase = typeof IDLE | typeof AWAITING_PING | typeof AWAITING_PONG;

/**
 * A timer that fires up to this many ms before its due time still counts as due (the clock the
 * Reactor reads and the one Node's timers use are rounded differently).
 */
const TIMER_SLACK_MS = 1;

/** The heartbeat of one session: `start()` once, `pong()` on every pong, `stop()` on close. */
export class Heartbeat {
  /** Neighbours in the scheduler's queue (managed by the scheduler). @internal */
  prev: Heartbeat | null = null;
  /** @internal */
  next: Heartbeat | null = null;
  /** When the awaited event is due (Reactor ms). @internal */
  dueMs = 0;
  /** Which queue it is in. @internal */
  phase: HeartbeatPhase = IDLE;
  readonly #scheduler: HeartbeatScheduler;
  /** What to do on a ping or a timeout. @internal */
  readonly actions: HeartbeatActions;

  /**
   * A heartbeat driven by `scheduler`, which calls `actions` (default: the heartbeat itself, for
   * a subclass that implements {@link HeartbeatActions}).
   * @throws TypeError when there are no actions to call.
   */
  constructor(scheduler: HeartbeatScheduler, actions?: HeartbeatActions) {
    this.#scheduler = scheduler;
    const self = this as Partial<HeartbeatActions>;
    if (actions === undefined && (typeof self.ping !== "function" || typeof self.timeout !== "function")) {
      throw new TypeError("a heartbeat needs actions (ping and timeout)");
    }
    this.actions = actions ?? (this as unknown as HeartbeatActions);
  }

  /** Arms the first ping, pingIntervalMs from now. */
  start(): void {
    this.#scheduler.awaitPing(this);
  }

  /** A pong arrived: cancels the timeout and arms the next ping. */
  pong(): void {
    if (this.phase !== IDLE) this.#scheduler.awaitPing(this);
  }

  /** Cancels every timer; the heartbeat does nothing more. */
  stop(): void {
    this.#scheduler.remove(this);
  }
}

/** A queue of heartbeats ordered by due time, doubly linked through the heartbeats. */
class HeartbeatQueue {
  head: Heartbeat | null = null;
  tail: Heartbeat | null = null;
  timer: TimerHandle | null = null;

  append(beat: Heartbeat): void {
    beat.prev = this.tail;
    beat.next = null;
    if (this.tail === null) this.head = beat;
    else this.tail.next = beat;
    this.tail = beat;
  }

  unlink(beat: Heartbeat): void {
    if (beat.prev === null) this.head = beat.next;
    else beat.prev.next = beat.next;
    if (beat.next === null) this.tail = beat.prev;
    else beat.next.prev = beat.prev;
    beat.prev = beat.next = null;
  }
}

/** Every heartbeat of one server (see the module comment). */
export class HeartbeatScheduler {
  readonly #reactor: Reactor;
  readonly #periods: HeartbeatPeriods;
  readonly #pings = new HeartbeatQueue();
  readonly #pongs = new HeartbeatQueue();
  readonly #firePings = (): void => this.#fire(this.#pings);
  readonly #firePongs = (): void => this.#fire(this.#pongs);

  constructor(reactor: Reactor, periods: HeartbeatPeriods) {
    this.#reactor = reactor;
    this.#periods = { pingIntervalMs: periods.pingIntervalMs, pingTimeoutMs: periods.pingTimeoutMs };
  }

  /** Number of heartbeats waiting to ping, and waiting for a pong (for tests and metrics). */
  get counts(): { readonly awaitingPing: number; readonly awaitingPong: number } {
    return { awaitingPing: countOf(this.#pings), awaitingPong: countOf(this.#pongs) };
  }

  /** (Re)arms `beat`'s next ping, pingIntervalMs from now. @internal */
  awaitPing(beat: Heartbeat): void {
    this.remove(beat);
    this.#enqueue(this.#pings, beat, AWAITING_PING, this.#periods.pingIntervalMs);
  }

  /** Takes `beat` out of its queue. @internal */
  remove(beat: Heartbeat): void {
    const queue = beat.phase === AWAITING_PING ? this.#pings : beat.phase === AWAITING_PONG ? this.#pongs : null;
    beat.phase = IDLE;
    if (queue === null) return;
    queue.unlink(beat);
    if (queue.head === null && queue.timer !== null) {
      // Nothing left to wait for: no timer keeps the process (or the simulation) busy.
      queue.timer.cancel();
      queue.timer = null;
    }
  }

  #enqueue(queue: HeartbeatQueue, beat: Heartbeat, phase: HeartbeatPhase, delayMs: number): void {
    beat.phase = phase;
    beat.dueMs = this.#reactor.nowMs() + delayMs;
    queue.append(beat);
    if (queue.timer === null) this.#arm(queue);
  }

  #arm(queue: HeartbeatQueue): void {
    const head = queue.head;
    if (head === null) return;
    const fire = queue === this.#pings ? this.#firePings : this.#firePongs;
    queue.timer = this.#reactor.setTimer(Math.max(0, head.dueMs - this.#reactor.nowMs()), fire);
  }

  /** Runs every due heartbeat of `queue` (a ping, or a timeout), then arms for the next. */
  #fire(queue: HeartbeatQueue): void {
    queue.timer = null;
    const now = this.#reactor.nowMs();
    for (let beat = queue.head; beat !== null && beat.dueMs <= now + TIMER_SLACK_MS; beat = queue.head) {
      queue.unlink(beat);
      beat.phase = IDLE;
      if (queue === this.#pings) {
        this.#enqueue(this.#pongs, beat, AWAITING_PONG, this.#periods.pingTimeoutMs);
        beat.actions.ping();
      } else {
        beat.actions.timeout();
      }
    }
    if (queue.timer === null) this.#arm(queue);
  }
}

function countOf(queue: HeartbeatQueue): number {
  let count = 0;
  for (let beat = queue.head; beat !== null; beat = beat.next) count++;
  return count;
}
