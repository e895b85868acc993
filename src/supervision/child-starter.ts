import { SpawnError } from "../kernel/errors.js";
import { ExitReasons } from "../kernel/exit-reason.js";
import type { AnyRef } from "../kernel/ref.js";
import type { ResolvedChildSpec } from "./child-spec.js";
import { isSupervisorBehaviour, type SupervisorArgs } from "./supervisor-protocol.js";
import {
  childById,
  putChild,
  reportSupervisor,
  type SupervisorContext,
  type SupervisorState,
} from "./supervisor-state.js";

/** The outcome of starting one child. */
export type StartResult = { readonly ok: true; readonly ref: AnyRef } | { readonly ok: false; readonly error: unknown };

/**
 * Spawns the child of `spec`, linked to the supervisor. A child supervisor whose args name no
 * reporter inherits this supervisor's. A failure (its `init` threw) is published as a
 * `child_start_failed` supervisor report and returned, never thrown.
 */
export function spawnChild(s: SupervisorState, ctx: SupervisorContext, spec: ResolvedChildSpec): StartResult {
  try {
    const ref = ctx.spawnLink(spec.start.behaviour, argsFor(s, spec), spec.start.options);
    return { ok: true, ref };
  } catch (error) {
    reportSupervisor(s, ctx, "child_start_failed", spec.id, ExitReasons.crash(initError(error)));
    return { ok: false, error };
  }
}

/**
 * Starts, in order, the children of `ids` that are not running (a restart: each start counts in
 * the child's `restartCount`). On the first failure the child is marked `restarting`, the rest
 * are left stopped, and a `retryRestart` is sent to self: the retry goes through the mailbox, so
 * other requests get a turn first, and counts against the restart intensity (as in OTP).
 */
export function startGroup(s: SupervisorState, ctx: SupervisorContext, ids: readonly string[]): void {
  for (const id of ids) {
    const child = childById(s, id);
    if (child === undefined || child.ref !== null) continue;
    const result = spawnChild(s, ctx, child.spec);
    if (!result.ok) {
      putChild(s, { ...child, restarting: true });
      ctx.self.tell("retryRestart", id);
      return;
    }
    putChild(s, { ...child, ref: result.ref, restarting: false, restartCount: child.restartCount + 1 });
  }
}

function argsFor(s: SupervisorState, spec: ResolvedChildSpec): unknown {
  const args = spec.start.args;
  if (s.reporter === null || !isSupervisorBehaviour(spec.start.behaviour)) return args;
  const supervisorArgs = (args ?? {}) as SupervisorArgs;
  if (typeof supervisorArgs !== "object" || supervisorArgs.reporter !== undefined) return args;
  return { ...supervisorArgs, reporter: s.reporter };
}

// What `init` threw, rather than the kernel's wrapper, so the report carries the useful stack.
function initError(error: unknown): unknown {
  return error instanceof SpawnError && error.cause !== undefined ? error.cause : error;
}
