import type { KernelTraceEvent } from "../kernel/trace-event.js";
import type { Loop } from "../kernel/loop.js";
import type { SimNode } from "./sim-node.js";
import type { TraceEvent } from "./trace.js";

/**
 * Sends every kernel trace event of `loop` (spawns, turns, state changes, exits, dead letters)
 * into the world's trace, tagged with the node and the true virtual time.
 */
export function traceLoop(node: SimNode, loop: Loop): void {
  const world = node.world;
  const name = node.name;
  loop.setTracer((event) => world.trace.record(tagged(event, world.nowMs, name)));
}

// One literal per event type (a spread of the kernel's event was a hot spot): the same keys in
// the same order as `{ ...event, atMs, node }`.
function tagged(event: KernelTraceEvent, atMs: number, node: string): TraceEvent {
  switch (event.type) {
    case "spawn":
    case "state":
      return { type: event.type, actor: event.actor, atMs, node };
    case "turn":
      return { type: "turn", actor: event.actor, tag: event.tag, outcome: event.outcome, atMs, node };
    case "exit":
      return { type: "exit", actor: event.actor, reason: event.reason, atMs, node };
    case "dead_letter":
      return { type: "dead_letter", actor: event.actor, tag: event.tag, why: event.why, atMs, node };
  }
}
