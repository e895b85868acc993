import fc from "fast-check";
import type { Prng } from "../../reactor/virtual/prng.js";

/**
 * The fault plan of the edge-sessions scenario: what happens to which client, and when. Every
 * fault with a duration ends by itself (or at the heal, whichever is first), except `leave`.
 *
 * | kind            | what it does                                                                  |
 * | --------------- | ----------------------------------------------------------------------------- |
 * | `lossy`         | the client's link loses messages (each loss resets the connection it hit)     |
 * | `slow`          | the client's link gets a larger one-way latency                               |
 * | `partition`     | everything between the client and the server is lost                          |
 * | `reset`         | every connection between the client and the server is reset at once           |
 * | `pause`         | the client's node stops (a GC pause, a suspended laptop)                      |
 * | `stop-reading`  | the client stops reading what the server sends (a slow consumer)              |
 * | `cut`           | the server's proxy cuts the client's connections                              |
 * | `close-session` | the server closes the client's Engine.IO session (a polite close)             |
 * | `leave`         | the client's node crashes for good: the server must reap its session          |
 */
export type EdgeFault =
  | {
      readonly kind: "lossy";
      readonly client: number;
      readonly atMs: number;
      readonly forMs: number;
      readonly lossRate: number;
    }
  | {
      readonly kind: "slow";
      readonly client: number;
      readonly atMs: number;
      readonly forMs: number;
      readonly latencyMaxMs: number;
    }
  | {
      readonly kind: "partition" | "pause" | "stop-reading";
      readonly client: number;
      readonly atMs: number;
      readonly forMs: number;
    }
  | { readonly kind: "reset" | "cut" | "close-session" | "leave"; readonly client: number; readonly atMs: number };

/** The plan shrinking minimizes. */
export interface EdgePlan {
  readonly faults: readonly EdgeFault[];
}

/** Earliest fault, in virtual ms (clients have connected by then). */
export const EDGE_FAULT_EARLIEST_MS = 200;
/** Most faults of a drawn plan. */
export const EDGE_FAULTS_MAX = 6;
/** Shortest duration of a fault that lasts, in ms. */
export const EDGE_FAULT_FOR_MS_MIN = 100;
/** Longest duration of a fault that lasts, in ms (exclusive). */
export const EDGE_FAULT_FOR_MS_MAX = 2_500;

const LASTING = ["lossy", "slow", "partition", "pause", "stop-reading"] as const;
const MOMENTARY = ["reset", "cut", "close-session", "leave"] as const;

/** One line describing a fault, for the trace's action labels. */
export function describeEdgeFault(fault: EdgeFault): string {
  const who = `c${fault.client}`;
  switch (fault.kind) {
    case "lossy":
      return `${who}'s link loses ${fault.lossRate} of its messages for ${fault.forMs} ms`;
    case "slow":
      return `${who}'s link is slow (≤ ${fault.latencyMaxMs} ms) for ${fault.forMs} ms`;
    case "partition":
    case "pause":
    case "stop-reading":
      return `${fault.kind} ${who} for ${fault.forMs} ms`;
    case "reset":
    case "cut":
    case "close-session":
    case "leave":
      return `${fault.kind} ${who}`;
  }
}

/** Draws a plan: 1 to {@link EDGE_FAULTS_MAX} faults in the chaos phase. */
export function drawEdgePlan(prng: Prng, clients: number, chaosMs: number): EdgePlan {
  const count = 1 + prng.nextInt(EDGE_FAULTS_MAX);
  const faults: EdgeFault[] = [];
  for (let i = 0; i < count; i++) {
    const client = prng.nextInt(clients);
    const atMs = EDGE_FAULT_EARLIEST_MS + prng.nextInt(chaosMs - EDGE_FAULT_EARLIEST_MS - 100);
    const forMs = EDGE_FAULT_FOR_MS_MIN + prng.nextInt(EDGE_FAULT_FOR_MS_MAX - EDGE_FAULT_FOR_MS_MIN);
    const pick = prng.nextInt(LASTING.length + MOMENTARY.length);
    if (pick >= LASTING.length) {
      faults.push({ kind: MOMENTARY[pick - LASTING.length]!, client, atMs });
      continue;
    }
    const kind = LASTING[pick]!;
    if (kind === "lossy") faults.push({ kind, client, atMs, forMs, lossRate: (1 + prng.nextInt(20)) / 100 });
    else if (kind === "slow") faults.push({ kind, client, atMs, forMs, latencyMaxMs: 20 + prng.nextInt(300) });
    else faults.push({ kind, client, atMs, forMs });
  }
  return { faults };
}

/**
 * Every plan {@link drawEdgePlan} can draw, as a fast-check arbitrary (for shrinking). No `.map`:
 * fast-check shrinks a given failing plan only through arbitraries that can do without context.
 */
export function edgePlanArbitrary(clients: number, chaosMs: number): fc.Arbitrary<EdgePlan> {
  const base = {
    client: fc.integer({ min: 0, max: clients - 1 }),
    atMs: fc.integer({ min: EDGE_FAULT_EARLIEST_MS, max: chaosMs - 100 }),
  };
  const forMs = fc.integer({ min: EDGE_FAULT_FOR_MS_MIN, max: EDGE_FAULT_FOR_MS_MAX });
  const fault: fc.Arbitrary<EdgeFault> = fc.oneof(
    fc.record({
      kind: fc.constant("lossy" as const),
      ...base,
      forMs,
      lossRate: fc.double({ min: 0.01, max: 0.2, noNaN: true }),
    }),
    fc.record({ kind: fc.constant("slow" as const), ...base, forMs, latencyMaxMs: fc.integer({ min: 20, max: 319 }) }),
    fc.record({
      kind: fc.constantFrom("partition" as const, "pause" as const, "stop-reading" as const),
      ...base,
      forMs,
    }),
    fc.record({
      kind: fc.constantFrom("reset" as const, "cut" as const, "close-session" as const, "leave" as const),
      ...base,
    }),
  );
  return fc.record({ faults: fc.array(fault, { maxLength: EDGE_FAULTS_MAX }) });
}
