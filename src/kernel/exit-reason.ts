/**
 * Why an actor stopped, with Erlang's vocabulary:
 * - `normal`: it finished; links ignore it, transient children are not restarted.
 * - `shutdown`: it was asked to stop (by its supervisor, or a graceful node stop).
 * - `killed`: it was stopped without running `terminate` (an untrappable kill).
 * - `crash`: a handler, `init` or `terminate` threw `error`.
 * - `noproc`: (monitors only) the target was already dead when the monitor was set.
 * - `noconnection`: (far monitors only) the loop holding the target was lost.
 */
export type ExitReason =
  | { readonly type: "normal" }
  | { readonly type: "shutdown"; readonly detail?: string }
  | { readonly type: "killed" }
  | { readonly type: "crash"; readonly error: unknown }
  | { readonly type: "noproc" }
  | { readonly type: "noconnection" };

/** Ready-made exit reasons. */
export const ExitReasons = {
  normal: { type: "normal" } as ExitReason,
  shutdown: { type: "shutdown" } as ExitReason,
  killed: { type: "killed" } as ExitReason,
  noproc: { type: "noproc" } as ExitReason,
  noconnection: { type: "noconnection" } as ExitReason,
  /** A crash with the thrown value. */
  crash: (error: unknown): ExitReason => ({ type: "crash", error }),
} as const;

/** True for the reasons that count as a clean stop (`normal` and `shutdown`). */
export function isCleanExit(reason: ExitReason): boolean {
  return reason.type === "normal" || reason.type === "shutdown";
}

/** A one-line description of a reason, for logs and error messages. */
export function describeExitReason(reason: ExitReason): string {
  switch (reason.type) {
    case "crash": {
      const e = reason.error;
      return `crash: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    }
    case "shutdown":
      return reason.detail ? `shutdown (${reason.detail})` : "shutdown";
    case "normal":
    case "killed":
    case "noproc":
    case "noconnection":
      return reason.type;
  }
}
