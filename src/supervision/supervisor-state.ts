import type { ActorContext, Replier, TimerRef } from "../kernel/context.js";
import type { ExitReason } from "../kernel/exit-reason.js";
import type { AnyRef } from "../kernel/ref.js";
import type { ResolvedChildSpec } from "./child-spec.js";
import type { StopQueue } from "./stop-queue.js";
import type { ChildTable } from "./child-table.js";
import { type CrashReporter, type SupervisorReportContext, stackOf } from "./crash-reporter.js";
import type { RestartIntensity } from "./restart-intensity.js";
import type { ResolvedSupervisorFlags } from "./supervisor-flags.js";
import type { SupervisorMessages } from "./supervisor-protocol.js";

/**
 * Lifecycle of a supervisor:
 *
 * ```text
 *   running ──stop_children──▶ stopping_children ──children_stopped──▶ running
 *      │                              │
 *      └──────────shut_down───────────┴──▶ shutting_down ──children_stopped──▶ stopped (exits)
 * ```
 * - `running`: handles exits and requests at once;
 * - `stopping_children`: stopping children one at a time, for a restart or a `terminateChild`;
 *   requests and further restarts wait in `pending`;
 * - `shutting_down`: stopping every child in reverse start order before exiting; requests fail;
 * - `stopped`: all children are dead; the supervisor exits at the end of this turn.
 */
export type SupervisorPhase = "running" | "stopping_children" | "shutting_down" | "stopped";

/** What moves a supervisor from one phase to the next. */
export type PhaseEvent = "stop_children" | "children_stopped" | "shut_down";

const TRANSITIONS: Readonly<Record<SupervisorPhase, Partial<Record<PhaseEvent, SupervisorPhase>>>> = {
  running: { stop_children: "stopping_children", shut_down: "shutting_down" },
  stopping_children: { children_stopped: "running", shut_down: "shutting_down" },
  shutting_down: { children_stopped: "stopped" },
  stopped: {},
};

/**
 * The one transition function of the supervisor lifecycle.
 * @throws Error for a transition the diagram does not have (a supervisor bug: it crashes).
 */
export function nextPhase(phase: SupervisorPhase, event: PhaseEvent): SupervisorPhase {
  const next = TRANSITIONS[phase][event];
  if (next === undefined) throw new Error(`supervisor: no transition from ${phase} on ${event}`);
  return next;
}

/** One child as the supervisor tracks it. Immutable: changes replace the record. */
export interface ChildRecord {
  readonly spec: ResolvedChildSpec;
  /** The running incarnation, or null. */
  readonly ref: AnyRef | null;
  /** A restart is due (queued, or retried after a failed start). */
  readonly restarting: boolean;
  /** Starts of this child after its first one. */
  readonly restartCount: number;
}

/** A child waiting to be stopped; `replier` answers the `terminateChild` that asked for it. */
export interface StopOp {
  readonly id: string;
  readonly replier: Replier<void> | null;
}

/** The child being stopped now. */
export interface ActiveStop extends StopOp {
  readonly ref: AnyRef;
  /** Identifies this stop in `shutdownTimeout` messages (a stale timeout is ignored). */
  readonly stopId: number;
  /** The `shutdownMs` timer, or null (brutal_kill, infinity, or already fired). */
  readonly timer: TimerRef | null;
  /** True when the child was killed at once (`brutal_kill`): then `killed` is the expected reason. */
  readonly brutal: boolean;
}

/** What the supervisor does once a stop job has stopped all its children. */
export type AfterStop =
  | { readonly type: "resume" }
  | { readonly type: "restart"; readonly ids: readonly string[] }
  | { readonly type: "exit"; readonly reason: ExitReason };

/** Children to stop one at a time, in order, then `after`. */
export interface StopJob {
  readonly queue: StopQueue;
  active: ActiveStop | null;
  after: AfterStop;
}

/** A request or a restart that waits while the supervisor is stopping children. */
export type PendingRequest =
  | { readonly type: "startChild"; readonly spec: unknown; readonly replier: Replier<AnyRef> }
  | { readonly type: "terminateChild"; readonly id: string; readonly replier: Replier<void> }
  | { readonly type: "restartChild"; readonly id: string; readonly replier: Replier<AnyRef> }
  | { readonly type: "deleteChild"; readonly id: string; readonly replier: Replier<void> }
  | { readonly type: "restart"; readonly id: string };

/**
 * The supervisor's state. Each turn works on a copy made by {@link forkState} and commits it
 * with `setState`, so a turn that throws leaves the previous state untouched.
 */
export interface SupervisorState {
  readonly name: string;
  readonly flags: ResolvedSupervisorFlags;
  readonly reporter: CrashReporter | null;
  phase: SupervisorPhase;
  /** In start order, indexed by id and ref; shared by a turn's fork (see {@link forkState}). */
  readonly children: ChildTable;
  intensity: RestartIntensity;
  job: StopJob | null;
  pending: PendingRequest[];
  nextStopId: number;
}

/** The supervisor's actor context. */
export type SupervisorContext = ActorContext<SupervisorMessages, SupervisorState>;

/**
 * A copy of `state` that a turn may change freely (records are immutable and shared). The child
 * table and the stop queue are not copied (that made every turn O(children)): the turn opens a
 * transaction on them (`begin()`), and commits or rolls back with the turn.
 */
export function forkState(state: SupervisorState): SupervisorState {
  const job = state.job === null ? null : { ...state.job };
  return { ...state, pending: state.pending.slice(), job };
}

/** The child with this id, if any. */
export function childById(s: SupervisorState, id: string): ChildRecord | undefined {
  return s.children.get(id);
}

/** The child whose running incarnation is `ref`, if any. */
export function childByRef(s: SupervisorState, ref: AnyRef): ChildRecord | undefined {
  return s.children.byRef(ref);
}

/** Replaces the record of `child.spec.id`, or appends it. */
export function putChild(s: SupervisorState, child: ChildRecord): void {
  s.children.put(child);
}

/** Forgets child `id`. */
export function removeChild(s: SupervisorState, id: string): void {
  s.children.delete(id);
}

/** Marks a child dead: a temporary child is forgotten, any other is kept as terminated. */
export function childStopped(s: SupervisorState, child: ChildRecord): void {
  if (child.spec.restart === "temporary") removeChild(s, child.spec.id);
  else putChild(s, { ...child, ref: null, restarting: false });
}

/** Publishes a crash report for `child`, which exited with `reason`. */
export function reportCrash(s: SupervisorState, ctx: SupervisorContext, child: ChildRecord, reason: ExitReason): void {
  if (s.reporter === null) return;
  const stack = stackOf(reason);
  s.reporter.publish({
    type: "crash_report",
    supervisor: s.name,
    childId: child.spec.id,
    ref: String(child.ref),
    reason,
    ...(stack === undefined ? {} : { stack }),
    restartCount: child.restartCount,
    atMs: ctx.reactor.nowMs(),
    wallClockMs: ctx.reactor.wallClockMs(),
  });
}

/** Publishes a supervisor report about child `childId`. */
export function reportSupervisor(
  s: SupervisorState,
  ctx: SupervisorContext,
  context: SupervisorReportContext,
  childId: string,
  reason: ExitReason,
): void {
  if (s.reporter === null) return;
  const stack = stackOf(reason);
  s.reporter.publish({
    type: "supervisor_report",
    supervisor: s.name,
    context,
    childId,
    reason,
    ...(stack === undefined ? {} : { stack }),
    atMs: ctx.reactor.nowMs(),
    wallClockMs: ctx.reactor.wallClockMs(),
  });
}
