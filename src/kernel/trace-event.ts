import type { ExitReason } from "./exit-reason.js";

/**
 * What a loop reports to its tracer: the events the simulator hashes and the production flight
 * recorder will keep, in one format so the same tools read both. `actor` is a description such
 * as `counter#3@main` (never a capability token).
 */
export type KernelTraceEvent =
  | { readonly type: "spawn"; readonly actor: string }
  | { readonly type: "turn"; readonly actor: string; readonly tag: string; readonly outcome: "ok" | "crash" }
  | { readonly type: "state"; readonly actor: string }
  | { readonly type: "exit"; readonly actor: string; readonly reason: ExitReason["type"] }
  | { readonly type: "dead_letter"; readonly actor: string; readonly tag: string; readonly why: string };

/** Receives kernel trace events; set with `Loop.setTracer`. Must not throw or send messages. */
export type KernelTracer = (event: KernelTraceEvent) => void;
