import type { Loop } from "../kernel/loop.js";
import type { SimNode } from "./sim-node.js";

/**
 * Sends every kernel trace event of `loop` (spawns, turns, state changes, exits, dead letters)
 * into the world's trace, tagged with the node and the true virtual time.
 */
export function traceLoop(node: SimNode, loop: Loop): void {
  const world = node.world;
  loop.setTracer((event) => world.record({ ...event, atMs: world.nowMs, node: node.name }));
}
