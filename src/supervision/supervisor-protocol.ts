import type { AnyBehaviour } from "../kernel/behaviour.js";
import type { AnyRef } from "../kernel/ref.js";
import type { ChildSpec, ChildType, RestartType } from "./child-spec.js";
import type { CrashReporter } from "./crash-reporter.js";
import type { SupervisorFlags } from "./supervisor-flags.js";

/** The argument of the supervisor behaviour's `init`. */
export interface SupervisorArgs {
  /** Name used in reports. Default: the supervisor's ref description (e.g. `Ref<supervisor#1@main>`). */
  name?: string;
  /** Strategy and restart intensity. Defaults: `one_for_one`, 1 restart per 5,000 ms. */
  flags?: SupervisorFlags;
  /** Children started in this order when the supervisor starts. Default none. */
  children?: readonly ChildSpec[];
  /**
   * Where crash and supervisor reports go. Default: the parent supervisor's reporter when started
   * as a child of a supervisor, otherwise none (reports are dropped).
   */
  reporter?: CrashReporter;
}

/**
 * Status of a child in {@link ChildInfo}: `running`; `terminated` (stopped and not restarted, but
 * its spec is kept: `restartChild` or `deleteChild` it); `restarting` (a start after a crash
 * failed and is being retried).
 */
export type ChildStatus = "running" | "terminated" | "restarting";

/** One child, as reported by `whichChildren`. */
export interface ChildInfo {
  readonly id: string;
  /** The current incarnation (a restart makes a new actor with a new ref), or null when not running. */
  readonly ref: AnyRef | null;
  readonly status: ChildStatus;
  readonly type: ChildType;
  readonly restart: RestartType;
}

/** Child counts, as reported by `countChildren` (OTP's `count_children`). */
export interface ChildCounts {
  /** Children known to the supervisor, running or not. */
  readonly specs: number;
  /** Running children. */
  readonly active: number;
  /** Children of type `supervisor`, running or not. */
  readonly supervisors: number;
  /** Children of type `worker`, running or not. */
  readonly workers: number;
}

/**
 * What a supervisor accepts. The four requests that change children reply later (they may have
 * to wait for children to stop), so use `ask`: a near `call` of them fails with BadMessageError.
 * A request that cannot be carried out rejects with a {@link SupervisionError}; the supervisor
 * keeps running. Requests that arrive while the supervisor is stopping children for a restart
 * or a `terminateChild` are handled, in order, once it is done.
 */
export interface SupervisorProtocol {
  /**
   * Starts a new child (appended to the start order) and replies with its ref.
   * Rejects with TypeError/RangeError for an invalid spec, ChildAlreadyStartedError or
   * ChildAlreadyPresentError for a known id, ChildStartError if its `init` throws.
   */
  startChild(spec: ChildSpec): AnyRef;
  /**
   * Stops a child with its `shutdownMs` policy and replies once it is dead. The spec is kept
   * (and can be restarted) unless the child is `temporary`. Rejects with ChildNotFoundError.
   */
  terminateChild(id: string): void;
  /**
   * Starts a terminated child again and replies with its new ref. Rejects with
   * ChildNotFoundError, ChildRunningError, ChildRestartingError or ChildStartError.
   */
  restartChild(id: string): AnyRef;
  /** Forgets a terminated child. Rejects with ChildNotFoundError, ChildRunningError or ChildRestartingError. */
  deleteChild(id: string): void;
  /** Every child, in start order. Answers at once (a near call works). */
  whichChildren(): readonly ChildInfo[];
  /** Child counts. Answers at once (a near call works). */
  countChildren(): ChildCounts;
}

/** @internal The supervisor's full protocol: {@link SupervisorProtocol} plus messages to itself. */
export interface SupervisorMessages extends SupervisorProtocol {
  /** Retries the restart of a child whose start failed (each retry counts against the intensity). */
  retryRestart(id: string): void;
  /** The `shutdownMs` of the child being stopped under stop number `stopId` has passed. */
  shutdownTimeout(stopId: number): void;
}

/** @internal Marks the supervisor behaviour, so that child supervisors can inherit the reporter. */
export const SUPERVISOR_BRAND: unique symbol = Symbol("chorus.supervisor");

/** @internal True when `behaviour` is the supervisor behaviour (or a copy of it). */
export function isSupervisorBehaviour(behaviour: AnyBehaviour): boolean {
  return (behaviour as { [SUPERVISOR_BRAND]?: boolean })[SUPERVISOR_BRAND] === true;
}
