/**
 * The server side of the Engine.IO v4 heartbeat: every `pingIntervalMs` the server sends a ping;
 * if no pong arrives within `pingTimeoutMs`, the session is dead ("ping timeout"). Only the
 * server pings in v4. All timers come from the Reactor.
 *
 * ```
 * start ──pingIntervalMs──► ping() ──pingTimeoutMs──► timeout()
 *                              └── pong() ──► rearm: pingIntervalMs ──► ping() …
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

/** The heartbeat of one session: `start()` once, `pong()` on every pong, `stop()` on close. */
export class Heartbeat {
  readonly #reactor: Reactor;
  readonly #periods: HeartbeatPeriods;
  readonly #actions: HeartbeatActions;
  #pingTimer: TimerHandle | null = null;
  #pongTimer: TimerHandle | null = null;

  constructor(reactor: Reactor, periods: HeartbeatPeriods, actions: HeartbeatActions) {
    this.#reactor = reactor;
    this.#periods = periods;
    this.#actions = actions;
  }

  /** Arms the first ping, pingIntervalMs from now. */
  start(): void {
    this.#schedulePing();
  }

  /** A pong arrived: cancels the timeout and arms the next ping. */
  pong(): void {
    this.#pongTimer?.cancel();
    this.#pongTimer = null;
    this.#schedulePing();
  }

  /** Cancels every timer; the heartbeat does nothing more. */
  stop(): void {
    this.#pingTimer?.cancel();
    this.#pongTimer?.cancel();
    this.#pingTimer = this.#pongTimer = null;
  }

  #schedulePing(): void {
    this.#pingTimer?.cancel();
    this.#pingTimer = this.#reactor.setTimer(this.#periods.pingIntervalMs, () => {
      this.#pingTimer = null;
      this.#pongTimer?.cancel();
      this.#pongTimer = this.#reactor.setTimer(this.#periods.pingTimeoutMs, () => {
        this.#pongTimer = null;
        this.#actions.timeout();
      });
      this.#actions.ping();
    });
  }
}
