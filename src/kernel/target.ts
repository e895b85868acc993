import type { ExitReason } from "./exit-reason.js";
import type { LoopRuntime as Loop } from "./loop.js";
import type { AnyRef } from "./ref.js";

/**
 * Where a reply goes: a local pending ask (a promise) or an ask that came from another loop.
 * `settle` is called at most once per request by the kernel; implementations ignore repeats.
 */
export interface ReplyTo {
  settle(ok: boolean, value: unknown): void;
}

/** Receives a down notification for a monitor. */
export interface Watcher {
  down(monitorId: number, reason: ExitReason): void;
}

/**
 * What a ref points at: an actor cell on this loop, an actor on another loop, or a facet
 * (caretaker/attenuation) wrapping another target. Internal: users only ever see `Ref`.
 */
export interface Target {
  /** The loop through which this target is reached (the loop the ref lives in). */
  readonly loop: Loop;
  /** True when a near call is possible (the actor lives on `loop`). */
  readonly isNear: boolean;
  /** Human-readable description, such as `counter#3@main`. */
  describe(): string;
  /** Delivers an eventual message now. Throws a KernelError when it cannot be accepted. */
  deliverTell(tag: string, payload: unknown): void;
  /** Delivers a request now; the reply (or error) goes to `reply`. Never throws. */
  deliverAsk(tag: string, payload: unknown, reply: ReplyTo): void;
  /** Runs the handler synchronously and returns its reply (near targets only). */
  callNow(tag: string, payload: unknown): unknown;
  /**
   * Called when a send to this target is buffered inside a turn: throws at once if the send
   * could never be accepted (full mailbox with `reject`, revoked, not allowed, a payload the
   * transport to another process cannot carry), and otherwise reserves room until
   * {@link release} (commit or abort).
   */
  reserve(tag: string, payload: unknown): void;
  /** Releases one reservation taken by {@link reserve}. */
  release(): void;
  /** Sets a monitor; `watcher.down` runs (deferred) when the actor stops. Returns its id. */
  monitor(watcher: Watcher): number;
  /** Removes a monitor set by {@link monitor}. */
  demonitor(monitorId: number): void;
  /** Sends an exit signal to the actor, as if from `from` (null: from nobody in particular). */
  signalExit(reason: ExitReason, from: AnyRef | null): void;
  /** The capability token under which this target is exported to other loops. */
  exportToken(): string;
}
