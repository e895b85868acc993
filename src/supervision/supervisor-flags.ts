import { RESTART_STRATEGIES, type RestartStrategy } from "./restart-strategy.js";

/**
 * A supervisor's policy, as plain data. At most `intensity` restarts are allowed within any
 * `periodMs` window; one more makes the supervisor stop its children and exit with
 * `{ type: "shutdown", detail: "reached_max_restart_intensity" }`, so its own supervisor decides.
 */
export interface SupervisorFlags {
  /** Default `one_for_one`. */
  strategy?: RestartStrategy;
  /** Most restarts allowed within `periodMs`: an integer >= 0. Default 1 (OTP's default). */
  intensity?: number;
  /** Length of the restart window, in ms (Reactor monotonic time): > 0. Default 5,000. */
  periodMs?: number;
}

/** Validated flags with every default filled in. */
export interface ResolvedSupervisorFlags {
  readonly strategy: RestartStrategy;
  readonly intensity: number;
  readonly periodMs: number;
}

/** Default restart intensity: 1 restart per period (OTP's default). */
export const INTENSITY_DEFAULT = 1;
/** Default restart window, in ms (OTP's default of 5 s). */
export const PERIOD_MS_DEFAULT = 5_000;

/**
 * Validates supervisor flags and fills in the defaults.
 * @throws TypeError if `flags` is not an object or `strategy` is unknown; RangeError if
 *   `intensity` is not an integer >= 0 or `periodMs` is not a finite number > 0.
 */
export function resolveSupervisorFlags(flags: unknown = {}, where = "flags"): ResolvedSupervisorFlags {
  if (typeof flags !== "object" || flags === null) throw new TypeError(`${where} must be an object, got ${flags}`);
  const resolved = {
    strategy: "one_for_one" as RestartStrategy,
    intensity: INTENSITY_DEFAULT,
    periodMs: PERIOD_MS_DEFAULT,
    ...stripUndefined(flags as SupervisorFlags),
  };
  if (!RESTART_STRATEGIES.includes(resolved.strategy)) {
    throw new TypeError(`${where}.strategy must be ${RESTART_STRATEGIES.join(" | ")}, got ${resolved.strategy}`);
  }
  if (!Number.isSafeInteger(resolved.intensity) || resolved.intensity < 0) {
    throw new RangeError(`${where}.intensity must be an integer >= 0, got ${resolved.intensity}`);
  }
  if (typeof resolved.periodMs !== "number" || !Number.isFinite(resolved.periodMs) || resolved.periodMs <= 0) {
    throw new RangeError(`${where}.periodMs must be a finite number > 0, got ${resolved.periodMs}`);
  }
  return resolved;
}

// `{ intensity: undefined }` means "the default", as for an absent key.
function stripUndefined(flags: SupervisorFlags): SupervisorFlags {
  const out: SupervisorFlags = {};
  if (flags.strategy !== undefined) out.strategy = flags.strategy;
  if (flags.intensity !== undefined) out.intensity = flags.intensity;
  if (flags.periodMs !== undefined) out.periodMs = flags.periodMs;
  return out;
}
