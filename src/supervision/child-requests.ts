import type { Replier } from "../kernel/context.js";
import type { AnyRef } from "../kernel/ref.js";
import { resolveChildSpec } from "./child-spec.js";
import { spawnChild } from "./child-starter.js";
import { stopChildren } from "./child-stopper.js";
import {
  ChildAlreadyPresentError,
  ChildAlreadyStartedError,
  ChildNotFoundError,
  ChildRestartingError,
  ChildRunningError,
  ChildStartError,
} from "./errors.js";
import type { ChildCounts, ChildInfo } from "./supervisor-protocol.js";
import {
  type AfterStop,
  type ChildRecord,
  childById,
  childStopped,
  type PendingRequest,
  putChild,
  removeChild,
  type SupervisorContext,
  type SupervisorState,
} from "./supervisor-state.js";

/** A dynamic-children request (everything in {@link PendingRequest} but a restart). */
export type ChildRequest = Exclude<PendingRequest, { type: "restart" }>;

/**
 * Carries out a dynamic-children request while the supervisor is running (OTP semantics of
 * `start_child`, `terminate_child`, `restart_child`, `delete_child`). Failures reject the
 * request; they never crash the supervisor.
 * @returns the continuation of a stop job that finished at once, or null.
 */
export function executeRequest(s: SupervisorState, ctx: SupervisorContext, request: ChildRequest): AfterStop | null {
  switch (request.type) {
    case "startChild":
      startChild(s, ctx, request.spec, request.replier);
      return null;
    case "terminateChild":
      return terminateChild(s, ctx, request.id, request.replier);
    case "restartChild":
      restartChild(s, ctx, request.id, request.replier);
      return null;
    case "deleteChild":
      deleteChild(s, request.id, request.replier);
      return null;
  }
}

function startChild(s: SupervisorState, ctx: SupervisorContext, spec: unknown, replier: Replier<AnyRef>): void {
  let resolved: ReturnType<typeof resolveChildSpec>;
  try {
    resolved = resolveChildSpec(spec, "spec");
  } catch (error) {
    replier.fail(error);
    return;
  }
  const existing = childById(s, resolved.id);
  if (existing !== undefined) {
    const id = resolved.id;
    replier.fail(
      existing.ref !== null
        ? new ChildAlreadyStartedError(`${s.name}: child "${id}" is already running as ${existing.ref}`)
        : new ChildAlreadyPresentError(`${s.name}: child "${id}" is already present; restartChild or deleteChild it`),
    );
    return;
  }
  const result = spawnChild(s, ctx, resolved);
  if (!result.ok) {
    replier.fail(startError(s, resolved.id, result.error));
    return;
  }
  s.children.put({ spec: resolved, ref: result.ref, restarting: false, restartCount: 0 });
  replier.reply(result.ref);
}

function terminateChild(
  s: SupervisorState,
  ctx: SupervisorContext,
  id: string,
  replier: Replier<void>,
): AfterStop | null {
  const child = childById(s, id);
  if (child === undefined) {
    replier.fail(notFound(s, id));
    return null;
  }
  if (child.ref === null) {
    // Also cancels a restart being retried, as in OTP.
    childStopped(s, child);
    replier.reply();
    return null;
  }
  return stopChildren(s, ctx, [{ id, replier }], { type: "resume" });
}

function restartChild(s: SupervisorState, ctx: SupervisorContext, id: string, replier: Replier<AnyRef>): void {
  const child = childById(s, id);
  const problem = stoppedChildProblem(s, id, child);
  if (problem !== null || child === undefined) {
    replier.fail(problem);
    return;
  }
  const result = spawnChild(s, ctx, child.spec);
  if (!result.ok) {
    replier.fail(startError(s, id, result.error));
    return;
  }
  putChild(s, { ...child, ref: result.ref, restartCount: child.restartCount + 1 });
  replier.reply(result.ref);
}

function deleteChild(s: SupervisorState, id: string, replier: Replier<void>): void {
  const problem = stoppedChildProblem(s, id, childById(s, id));
  if (problem !== null) {
    replier.fail(problem);
    return;
  }
  removeChild(s, id);
  replier.reply();
}

/** Every child, in start order. */
export function whichChildren(s: SupervisorState): ChildInfo[] {
  return s.children.list().map((child) => ({
    id: child.spec.id,
    ref: child.ref,
    status: child.ref !== null ? "running" : child.restarting ? "restarting" : "terminated",
    type: child.spec.type,
    restart: child.spec.restart,
  }));
}

/** Child counts. */
export function countChildren(s: SupervisorState): ChildCounts {
  const children = s.children.list();
  const supervisors = children.filter((child) => child.spec.type === "supervisor").length;
  return {
    specs: children.length,
    active: children.filter((child) => child.ref !== null).length,
    supervisors,
    workers: children.length - supervisors,
  };
}

// restartChild and deleteChild need a known child that is neither running nor restarting.
function stoppedChildProblem(s: SupervisorState, id: string, child: ChildRecord | undefined): Error | null {
  if (child === undefined) return notFound(s, id);
  if (child.ref !== null) return new ChildRunningError(`${s.name}: child "${id}" is running`);
  if (child.restarting) return new ChildRestartingError(`${s.name}: child "${id}" is being restarted`);
  return null;
}

function notFound(s: SupervisorState, id: string): ChildNotFoundError {
  return new ChildNotFoundError(`${s.name}: no child "${id}"`);
}

function startError(s: SupervisorState, id: string, cause: unknown): ChildStartError {
  const text = cause instanceof Error ? cause.message : String(cause);
  return new ChildStartError(`${s.name}: child "${id}" failed to start: ${text}`, { cause });
}
