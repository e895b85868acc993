import fc, { type Arbitrary } from "fast-check";
import type { Prng } from "../../reactor/virtual/prng.js";
import type { SupervisionOptions } from "./supervision-options.js";

/**
 * How an injected fault hits its target:
 * - `throw`: a tell whose handler throws;
 * - `throw-after-effects`: a tell whose handler sets timers, spawns, sends and asks, then throws
 *   (the kernel must discard all of it);
 * - `ask-throw` / `call-throw`: an ask / a near call whose handler throws;
 * - `timer-throw`: a tell that arms a timer whose message throws;
 * - `stop-normal` / `stop-shutdown`: the worker stops itself (`transient` workers stay stopped);
 * - `terminate-throws`: the worker stops normally but its `terminate` throws (a crash);
 * - `helper-crash`: the worker's linked helper throws (the link takes the worker down);
 * - `kill` / `exit-crash` / `exit-shutdown`: an exit signal from outside the tree;
 * - `kill-supervisor`: `killed` sent to a supervisor (the root included) instead of a worker;
 * - `terminate-restart`: asks the worker's supervisor to `terminateChild` it, then to
 *   `restartChild` it (with fast stops only: a slow `terminateChild` job would defer restarts).
 */
export const FAULT_MODES = [
  "throw",
  "throw-after-effects",
  "ask-throw",
  "call-throw",
  "timer-throw",
  "stop-normal",
  "stop-shutdown",
  "terminate-throws",
  "helper-crash",
  "kill",
  "exit-crash",
  "exit-shutdown",
  "kill-supervisor",
  "terminate-restart",
] as const;

/** One of {@link FAULT_MODES}. */
export type FaultMode = (typeof FAULT_MODES)[number];

/** One scheduled fault. */
export interface PlannedFault {
  /** True virtual time of the injection, in ms (within the chaos phase). */
  readonly atMs: number;
  readonly mode: FaultMode;
  /** Which worker (or supervisor, for `kill-supervisor`), modulo their number. */
  readonly target: number;
}

/**
 * The plan shrinking minimizes: random crash rates and the fault schedule. With the seed fixed,
 * fast-check shrinks the rates towards 0 and the schedule towards fewer, earlier faults.
 */
export interface SupervisionPlan {
  /** Chance, per mille, that a worker crashes while handling a client request. */
  readonly crashPerMille: number;
  /**
   * Chance, per mille, that a worker's `init` throws when it is restarted (never at boot). Always
   * 0 with slow stops: a failed start is retried through the mailbox, which a slow stop job can
   * delay past the instant of the crash report (see {@link SupervisionOptions.slowStops}).
   */
  readonly initFailPerMille: number;
  readonly faults: readonly PlannedFault[];
}

/** Most faults in a drawn or shrunk plan. */
export const PLAN_FAULTS_MAX = 16;
/** Highest random crash rate, per mille. */
export const CRASH_PER_MILLE_MAX = 40;
/** Highest random init failure rate, per mille. */
export const INIT_FAIL_PER_MILLE_MAX = 300;

/** Draws a plan for a chaos phase of `chaosMs`. */
export function drawSupervisionPlan(prng: Prng, options: SupervisionOptions, chaosMs: number): SupervisionPlan {
  const count = prng.nextInt(PLAN_FAULTS_MAX + 1);
  const faults: PlannedFault[] = [];
  for (let i = 0; i < count; i++) {
    faults.push({
      atMs: prng.nextInt(chaosMs),
      mode: FAULT_MODES[prng.nextInt(FAULT_MODES.length)]!,
      target: prng.nextInt(64),
    });
  }
  faults.sort((a, b) => a.atMs - b.atMs);
  return {
    crashPerMille: prng.nextInt(3) === 0 ? 0 : prng.nextInt(CRASH_PER_MILLE_MAX + 1),
    initFailPerMille: options.slowStops || prng.nextInt(2) === 0 ? 0 : prng.nextInt(INIT_FAIL_PER_MILLE_MAX + 1),
    faults,
  };
}

/** The plan as a fast-check arbitrary (same bounds as {@link drawSupervisionPlan}). */
export function supervisionPlanArbitrary(options: SupervisionOptions, chaosMs: number): Arbitrary<SupervisionPlan> {
  const fault = fc.record({
    atMs: fc.integer({ min: 0, max: chaosMs - 1 }),
    mode: fc.constantFrom(...FAULT_MODES),
    target: fc.integer({ min: 0, max: 63 }),
  });
  return fc.record({
    crashPerMille: fc.integer({ min: 0, max: CRASH_PER_MILLE_MAX }),
    initFailPerMille: options.slowStops ? fc.constant(0) : fc.integer({ min: 0, max: INIT_FAIL_PER_MILLE_MAX }),
    faults: fc.array(fault, { maxLength: PLAN_FAULTS_MAX }),
  });
}
