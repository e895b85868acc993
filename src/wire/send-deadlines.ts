/**
 * The per-send deadlines of one connection, with one Reactor timer for all of them: armed for the
 * earliest deadline of a queued, waiting or in-flight send; when it fires, every send past its
 * deadline rejects with `send_timeout` (a timed-out in-flight MSG stays in the window until its
 * late ACK) and the timer is re-armed for the next one.
 */
import type { Reactor, TimerHandle } from "../reactor/reactor.js";
import type { OutboundEntry } from "./outbound-entry.js";
import type { OutboundQueue } from "./outbound-queue.js";
import { WireSendError } from "./send-error.js";

/** One timer for every send deadline of a connection. */
export class SendDeadlines {
  #timer: TimerHandle | null = null;
  #atMs = Number.POSITIVE_INFINITY;
  #stopped = false;

  /**
   * @param reactor - the clock and the timer.
   * @param queue - queued and waiting sends.
   * @param inFlight - ack-requested sends written and not yet answered, by message id.
   * @param expired - runs after the timer fired and expired sends were rejected (room may have appeared).
   */
  constructor(
    readonly reactor: Reactor,
    readonly queue: OutboundQueue,
    readonly inFlight: ReadonlyMap<number, OutboundEntry>,
    readonly expired: () => void,
  ) {}

  /** Makes sure the timer fires by `deadlineMs` (monotonic ms). */
  arm(deadlineMs: number): void {
    if (deadlineMs >= this.#atMs || this.#stopped) return;
    this.#timer?.cancel();
    this.#atMs = deadlineMs;
    this.#timer = this.reactor.setTimer(Math.max(0, deadlineMs - this.reactor.nowMs()), this.#fire);
  }

  /** Cancels the timer for good. */
  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = null;
  }

  // With one timeout for every send the deadlines only grow, so the timer is re-armed about once
  // per timeout, not once per send.
  readonly #fire = (): void => {
    this.#timer = null;
    this.#atMs = Number.POSITIVE_INFINITY;
    const nowMs = this.reactor.nowMs();
    for (const entry of this.queue.expire(nowMs)) entry.fail(timeoutError(entry));
    let next = this.queue.earliestDeadlineMs();
    for (const entry of this.inFlight.values()) {
      if (entry.settled) continue;
      if (entry.deadlineMs <= nowMs) entry.fail(timeoutError(entry));
      else next = Math.min(next, entry.deadlineMs);
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
    this.expired();
  };
}

function timeoutError(entry: OutboundEntry): WireSendError {
  return new WireSendError(
    "send_timeout",
    entry.id === 0
      ? "no room in the outbound queue before the send's deadline"
      : `no ACK for message ${entry.id} before its deadline`,
  );
}
