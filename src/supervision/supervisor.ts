import { type Behaviour, DEFER, type ExitSignal } from "../kernel/behaviour.js";
import type { Replier } from "../kernel/context.js";
import { type ExitReason, isCleanExit } from "../kernel/exit-reason.js";
import { type ChildRequest, countChildren, executeRequest, whichChildren } from "./child-requests.js";
import { type ChildSpec, type RestartType, resolveChildSpecs, type ShutdownMs, shouldRestart } from "./child-spec.js";
import { spawnChild, startGroup } from "./child-starter.js";
import { isBeingStopped, shutDown, shutdownTimedOut, stopChildren, stoppedChildExited } from "./child-stopper.js";
import type { CrashReporter } from "./crash-reporter.js";
import { ChildStartError, SupervisorShuttingDownError } from "./errors.js";
import { ChildTable } from "./child-table.js";
import { RestartIntensity } from "./restart-intensity.js";
import { restartPlan } from "./restart-strategy.js";
import { resolveSupervisorFlags, type SupervisorFlags } from "./supervisor-flags.js";
import { SUPERVISOR_BRAND, type SupervisorArgs, type SupervisorMessages } from "./supervisor-protocol.js";
import {
  type AfterStop,
  type ChildRecord,
  childById,
  childByRef,
  childStopped,
  forkState,
  putChild,
  reportCrash,
  reportSupervisor,
  type SupervisorContext,
  type SupervisorState,
} from "./supervisor-state.js";

/** The reason a supervisor exits with after one restart too many (OTP: `shutdown`, reported as `reached_max_restart_intensity`). */
export const REACHED_MAX_RESTART_INTENSITY: ExitReason = Object.freeze({
  type: "shutdown",
  detail: "reached_max_restart_intensity",
});

/**
 * The supervisor behaviour (Erlang/OTP's `supervisor`). Spawn it with {@link SupervisorArgs}, or
 * make it a child of another supervisor with {@link supervisorSpec}. It traps exits, starts its
 * children in order in `init`, restarts them by strategy and restart type within the restart
 * intensity, and stops them in reverse start order when it is asked to stop (any exit signal
 * that is not from one of its children and not `normal`, such as `shutdown` from its parent).
 *
 * `init` throws (so `spawn` throws SpawnError) when the args are invalid (TypeError/RangeError
 * naming the field) or a child fails to start (ChildStartError; the children already started stop
 * in reverse start order with `shutdown`, running their terminate).
 */
export const supervisorBehaviour: Behaviour<SupervisorMessages, SupervisorState, SupervisorArgs | undefined> = {
  name: "supervisor",
  trapExits: true,
  init,
  handlers: {
    startChild: (state, spec, ctx) => request(state, ctx, (replier) => ({ type: "startChild", spec, replier })),
    terminateChild: (state, id, ctx) => request(state, ctx, (replier) => ({ type: "terminateChild", id, replier })),
    restartChild: (state, id, ctx) => request(state, ctx, (replier) => ({ type: "restartChild", id, replier })),
    deleteChild: (state, id, ctx) => request(state, ctx, (replier) => ({ type: "deleteChild", id, replier })),
    whichChildren: (state) => whichChildren(state),
    countChildren: (state) => countChildren(state),
    retryRestart: (state, id, ctx) => turn(state, ctx, (s) => restartOrDefer(s, ctx, id)),
    shutdownTimeout: (state, stopId, ctx) =>
      turn(state, ctx, (s) => {
        shutdownTimedOut(s, ctx, stopId);
        return null;
      }),
  },
  onExit: (state, signal, ctx) => turn(state, ctx, (s) => onExitSignal(s, ctx, signal)),
};
Object.defineProperty(supervisorBehaviour, SUPERVISOR_BRAND, { value: true, enumerable: true });

function init(args: SupervisorArgs | undefined, ctx: SupervisorContext): SupervisorState {
  const a = args ?? {};
  if (typeof a !== "object" || a === null) throw new TypeError(`supervisor args must be an object, got ${a}`);
  if (a.name !== undefined && typeof a.name !== "string") throw new TypeError("args.name must be a string");
  if (a.reporter !== undefined && typeof a.reporter?.publish !== "function") {
    throw new TypeError("args.reporter must be a CrashReporter");
  }
  const flags = resolveSupervisorFlags(a.flags, "args.flags");
  const specs = resolveChildSpecs(a.children ?? [], "args.children");
  const s: SupervisorState = {
    name: a.name ?? String(ctx.self),
    flags,
    reporter: a.reporter ?? null,
    phase: "running",
    children: new ChildTable(),
    intensity: new RestartIntensity(flags.intensity, flags.periodMs),
    job: null,
    pending: [],
    nextStopId: 1,
  };
  ctx.trapExits(true);
  for (const spec of specs) {
    const result = spawnChild(s, ctx, spec);
    if (!result.ok) {
      throw new ChildStartError(`${s.name}: child "${spec.id}" failed to start`, { cause: result.error });
    }
    s.children.put({ spec, ref: result.ref, restarting: false, restartCount: 0 });
  }
  return s;
}

// One turn: work on a fork of the state, run continuations and pending requests, commit.
function turn(state: SupervisorState, ctx: SupervisorContext, body: (s: SupervisorState) => AfterStop | null): void {
  const s = forkState(state);
  const queue = state.job?.queue ?? null;
  s.children.begin();
  queue?.begin();
  try {
    settle(s, ctx, body(s));
  } catch (error) {
    s.children.rollback(); // the previous state stays as it was, children and stop queue included
    queue?.rollback();
    throw error;
  }
  s.children.commit();
  queue?.commit();
  ctx.setState(s);
}

function request<R>(
  state: SupervisorState,
  ctx: SupervisorContext,
  make: (replier: Replier<R>) => ChildRequest,
): typeof DEFER {
  const req = make(ctx.replyLater<R>());
  turn(state, ctx, (s) => {
    switch (s.phase) {
      case "running":
        return executeRequest(s, ctx, req);
      case "stopping_children":
        s.pending.push(req);
        return null;
      case "shutting_down":
      case "stopped":
        req.replier.fail(new SupervisorShuttingDownError(`${s.name} is shutting down`));
        return null;
    }
  });
  return DEFER;
}

function onExitSignal(s: SupervisorState, ctx: SupervisorContext, signal: ExitSignal): AfterStop | null {
  const child = childByRef(s, signal.from);
  if (child === undefined) {
    // Not a child: the parent (or whoever linked to us) asks us to stop.
    return signal.reason.type === "normal" ? null : shutDown(s, ctx, signal.reason);
  }
  if (isBeingStopped(s, child)) return stoppedChildExited(s, ctx, child, signal.reason);
  return childExited(s, ctx, child, signal.reason);
}

// A running child exited by itself: report, then restart it (now or after the current stop job).
function childExited(s: SupervisorState, ctx: SupervisorContext, child: ChildRecord, reason: ExitReason) {
  if (child.spec.restart === "permanent" || !isCleanExit(reason)) reportCrash(s, ctx, child, reason);
  if (!shouldRestart(child.spec.restart, reason)) {
    childStopped(s, child);
    return null;
  }
  putChild(s, { ...child, ref: null, restarting: true });
  return restartOrDefer(s, ctx, child.spec.id);
}

function restartOrDefer(s: SupervisorState, ctx: SupervisorContext, id: string): AfterStop | null {
  if (s.phase === "running") return restart(s, ctx, id);
  if (s.phase === "stopping_children") s.pending.push({ type: "restart", id });
  return null;
}

// Counts the restart against the intensity, then stops what the strategy says and restarts.
function restart(s: SupervisorState, ctx: SupervisorContext, id: string): AfterStop | null {
  const child = childById(s, id);
  if (child === undefined || !child.restarting) return null;
  s.intensity = s.intensity.record(ctx.reactor.nowMs());
  if (s.intensity.exceeded) {
    reportSupervisor(s, ctx, "reached_max_restart_intensity", id, REACHED_MAX_RESTART_INTENSITY);
    return shutDown(s, ctx, REACHED_MAX_RESTART_INTENSITY);
  }
  const ids = s.children.list().map((c) => c.spec.id);
  const plan = restartPlan(s.flags.strategy, ids, id);
  const ops = plan.stopIds.map((stopId) => ({ id: stopId, replier: null }));
  return stopChildren(s, ctx, ops, { type: "restart", ids: plan.startIds });
}

// Runs a finished job's continuation, then pending requests, until one starts a new job.
function settle(s: SupervisorState, ctx: SupervisorContext, first: AfterStop | null): void {
  let after = first;
  for (;;) {
    if (after?.type === "exit") {
      ctx.stop(after.reason);
      return;
    }
    if (after?.type === "restart") startGroup(s, ctx, after.ids);
    if (s.phase !== "running") return;
    const next = s.pending.shift();
    if (next === undefined) return;
    after = next.type === "restart" ? restart(s, ctx, next.id) : executeRequest(s, ctx, next);
  }
}

/** Options of {@link supervisorSpec}. */
export interface SupervisorSpecOptions {
  /** Default `permanent`. */
  restart?: RestartType;
  /** Default `infinity`: a supervisor gets all the time its own children need. */
  shutdownMs?: ShutdownMs;
  /** Name in reports. Default: `id`. */
  name?: string;
  /** Default: the parent supervisor's reporter. */
  reporter?: CrashReporter;
}

/**
 * The child spec of a supervisor, for nesting supervisors: `type: "supervisor"`, its behaviour
 * is {@link supervisorBehaviour}, and its actor is named after it (`inner#7@main`). Validated
 * when the parent starts it.
 */
export function supervisorSpec(
  id: string,
  flags: SupervisorFlags,
  children: readonly ChildSpec[],
  options: SupervisorSpecOptions = {},
): ChildSpec {
  const name = options.name ?? id;
  const args: SupervisorArgs = { name, flags, children };
  if (options.reporter !== undefined) args.reporter = options.reporter;
  return {
    id,
    type: "supervisor",
    restart: options.restart ?? "permanent",
    shutdownMs: options.shutdownMs ?? "infinity",
    start: { behaviour: supervisorBehaviour, args, options: { name } },
  };
}
