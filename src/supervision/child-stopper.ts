import { type ExitReason, ExitReasons } from "../kernel/exit-reason.js";
import { SupervisorShuttingDownError } from "./errors.js";
import { StopQueue } from "./stop-queue.js";
import {
  type ActiveStop,
  type AfterStop,
  type ChildRecord,
  childById,
  childStopped,
  nextPhase,
  reportSupervisor,
  type StopJob,
  type StopOp,
  type SupervisorContext,
  type SupervisorState,
} from "./supervisor-state.js";

/**
 * The supervisor's stop job: children are stopped one at a time, in the order given (reverse
 * start order), each with its `shutdownMs` policy:
 *
 * ```text
 *  supervisor                          child
 *      │── exit signal `shutdown` ───────▶│   (brutal_kill: `killed` at once)
 *      │── sendAfter(shutdownMs) ─┐       │   a non-trapping child dies at once;
 *      │                          │       │   a trapping one gets onExit and should stop
 *      │◀──── exit signal (link) ─┼───────│   → cancel the timer, stop the next child
 *      │◀── shutdownTimeout ──────┘       │   (if it came first)
 *      │── exit signal `killed` ─────────▶│   → its exit signal follows
 * ```
 * Every function works on a forked state inside one turn and returns the job's continuation
 * when the job is finished, or null while children remain to be stopped.
 */

/**
 * Starts a stop job while running: the supervisor enters `stopping_children`.
 * @returns `after` if there was nothing to stop, otherwise null.
 */
export function stopChildren(
  s: SupervisorState,
  ctx: SupervisorContext,
  ops: StopOp[],
  after: AfterStop,
): AfterStop | null {
  s.phase = nextPhase(s.phase, "stop_children");
  s.job = { queue: new StopQueue(ops), active: null, after };
  return advance(s, ctx);
}

/**
 * Starts the supervisor's own shutdown: every running child is stopped in reverse start order,
 * then the supervisor exits with `reason`. A child already being stopped finishes first (and its
 * `terminateChild` is still answered); pending requests fail; pending restarts are dropped.
 * Does nothing if the supervisor is already shutting down.
 */
export function shutDown(s: SupervisorState, ctx: SupervisorContext, reason: ExitReason): AfterStop | null {
  if (s.phase === "shutting_down" || s.phase === "stopped") return null;
  s.phase = nextPhase(s.phase, "shut_down");
  for (const request of s.pending) {
    if (request.type !== "restart") request.replier.fail(new SupervisorShuttingDownError(`${s.name} is shutting down`));
  }
  s.pending = [];
  const active = s.job?.active ?? null;
  const repliers = new Map(s.job === null ? [] : [...s.job.queue.ops()].map((op) => [op.id, op.replier]));
  const queue = s.children
    .list()
    .filter((child) => child.ref !== null && child.spec.id !== active?.id)
    .reverse()
    .map((child) => ({ id: child.spec.id, replier: repliers.get(child.spec.id) ?? null }));
  s.job = { queue: new StopQueue(queue), active, after: { type: "exit", reason } };
  return advance(s, ctx);
}

/** True when `child` is being stopped or waits in the stop queue. */
export function isBeingStopped(s: SupervisorState, child: ChildRecord): boolean {
  const job = s.job;
  if (job === null) return false;
  return job.active?.id === child.spec.id || job.queue.has(child.spec.id);
}

/**
 * A child of the stop job exited with `reason`: either the one being stopped (then the next one
 * is stopped), or one still queued that died on its own (it is simply taken off the queue).
 * Reasons other than the expected ones are published as `shutdown_error` (as OTP does).
 */
export function stoppedChildExited(
  s: SupervisorState,
  ctx: SupervisorContext,
  child: ChildRecord,
  reason: ExitReason,
): AfterStop | null {
  const job = s.job as StopJob;
  const active = job.active;
  if (active !== null && active.id === child.spec.id) {
    if (active.timer !== null) ctx.cancelTimer(active.timer);
    job.active = null;
    finish(s, ctx, child, reason, active.brutal, active);
    return advance(s, ctx);
  }
  finish(s, ctx, child, reason, false, job.queue.remove(child.spec.id));
  return null;
}

/** The `shutdownMs` of stop `stopId` has passed: kill the child (a stale timeout is ignored). */
export function shutdownTimedOut(s: SupervisorState, ctx: SupervisorContext, stopId: number): void {
  const job = s.job;
  const active = job === null ? null : job.active;
  if (job === null || active === null || active.stopId !== stopId) return;
  ctx.exit(active.ref, ExitReasons.killed);
  job.active = { ...active, timer: null };
}

function finish(
  s: SupervisorState,
  ctx: SupervisorContext,
  child: ChildRecord,
  reason: ExitReason,
  brutal: boolean,
  op: StopOp | undefined,
): void {
  const expected =
    reason.type === "shutdown" ||
    (brutal && reason.type === "killed") ||
    (reason.type === "normal" && child.spec.restart !== "permanent");
  if (!expected) reportSupervisor(s, ctx, "shutdown_error", child.spec.id, reason);
  childStopped(s, child);
  op?.replier?.reply();
}

// Stops the next queued child, skipping those that are no longer running.
function advance(s: SupervisorState, ctx: SupervisorContext): AfterStop | null {
  const job = s.job as StopJob;
  while (job.active === null) {
    const op = job.queue.shift();
    if (op === undefined) {
      s.job = null;
      s.phase = nextPhase(s.phase, "children_stopped");
      return job.after;
    }
    const child = childById(s, op.id);
    if (child === undefined || child.ref === null) op.replier?.reply();
    else job.active = beginStop(s, ctx, child, op);
  }
  return null;
}

function beginStop(s: SupervisorState, ctx: SupervisorContext, child: ChildRecord, op: StopOp): ActiveStop {
  const ref = child.ref as NonNullable<ChildRecord["ref"]>;
  const stopId = s.nextStopId++;
  const shutdownMs = child.spec.shutdownMs;
  if (shutdownMs === "brutal_kill") {
    ctx.exit(ref, ExitReasons.killed);
    return { id: op.id, replier: op.replier, ref, stopId, timer: null, brutal: true };
  }
  ctx.exit(ref, ExitReasons.shutdown);
  const timer = shutdownMs === "infinity" ? null : ctx.sendAfter(shutdownMs, "shutdownTimeout", stopId);
  return { id: op.id, replier: op.replier, ref, stopId, timer, brutal: false };
}
