import type { AnyBehaviour, Behaviour } from "../kernel/behaviour.js";
import type { SpawnOptions } from "../kernel/context.js";
import { type ExitReason, isCleanExit } from "../kernel/exit-reason.js";
import type { Protocol } from "../kernel/protocol.js";

/**
 * When a child is restarted after it exits (OTP's restart types):
 * - `permanent`: always;
 * - `transient`: only after an abnormal exit (anything but `normal` and `shutdown`);
 * - `temporary`: never; the child is forgotten once it exits or is terminated.
 */
export type RestartType = "permanent" | "transient" | "temporary";

/** A worker, or a child that is itself a supervisor (it then shuts down with `infinity` by default). */
export type ChildType = "worker" | "supervisor";

/**
 * How a child is stopped by its supervisor:
 * - a number of ms: send the exit signal `shutdown`, and kill the child (`killed`) if it has not
 *   stopped that long after;
 * - `brutal_kill`: kill it at once (its `terminate` does not run);
 * - `infinity`: send `shutdown` and wait as long as it takes (the default for supervisors).
 */
export type ShutdownMs = number | "brutal_kill" | "infinity";

/** How to start a child: spawn `behaviour` with `args` (and spawn `options`), linked to its supervisor. */
export interface ChildStart<A = unknown> {
  /** The child's behaviour. */
  // biome-ignore lint/suspicious/noExplicitAny: children of one supervisor have unrelated protocols.
  behaviour: Behaviour<any, any, A> | AnyBehaviour;
  /** The argument of the behaviour's `init`; the same value is used for every restart. */
  args: A;
  /** Spawn options (name, mailbox, trapExits). */
  options?: SpawnOptions;
}

/**
 * A child specification: plain data describing one child of a supervisor. Validated when the
 * supervisor starts (or when it is passed to `startChild`).
 */
export interface ChildSpec {
  /** Unique among the supervisor's children; used by `terminateChild` and friends and in reports. */
  id: string;
  /** How to start (and restart) the child. */
  start: ChildStart;
  /** Default `permanent`. */
  restart?: RestartType;
  /** Default 5,000 ms for workers and `infinity` for supervisors. */
  shutdownMs?: ShutdownMs;
  /** Default `worker`. */
  type?: ChildType;
}

/** A validated child specification with every default filled in. */
export interface ResolvedChildSpec {
  readonly id: string;
  readonly start: Readonly<ChildStart>;
  readonly restart: RestartType;
  readonly shutdownMs: ShutdownMs;
  readonly type: ChildType;
}

/** Default `shutdownMs` of a worker, in ms (OTP's default). */
export const WORKER_SHUTDOWN_MS_DEFAULT = 5_000;

const RESTART_TYPES: readonly unknown[] = ["permanent", "transient", "temporary"];
const CHILD_TYPES: readonly unknown[] = ["worker", "supervisor"];
const SHUTDOWN_WORDS: readonly unknown[] = ["brutal_kill", "infinity"];

type Check = readonly [
  field: string,
  ok: (spec: Partial<ChildSpec>) => boolean,
  expected: string,
  error: typeof TypeError | typeof RangeError,
];

// Run in order: later checks may assume the earlier ones passed.
const CHECKS: readonly Check[] = [
  ["id", (s) => typeof s.id === "string" && s.id.length > 0, "a non-empty string", TypeError],
  ["start", (s) => isObject(s.start), "an object { behaviour, args, options? }", TypeError],
  ["start.behaviour", (s) => isBehaviour(s.start?.behaviour), "a behaviour with init and handlers", TypeError],
  ["start.options", (s) => s.start?.options === undefined || isObject(s.start.options), "an object", TypeError],
  [
    "restart",
    (s) => s.restart === undefined || RESTART_TYPES.includes(s.restart),
    RESTART_TYPES.join(" | "),
    TypeError,
  ],
  ["type", (s) => s.type === undefined || CHILD_TYPES.includes(s.type), CHILD_TYPES.join(" | "), TypeError],
  [
    "shutdownMs",
    (s) => s.shutdownMs === undefined || typeof s.shutdownMs === "number" || SHUTDOWN_WORDS.includes(s.shutdownMs),
    'a number of ms, "brutal_kill" or "infinity"',
    TypeError,
  ],
  [
    "shutdownMs",
    (s) => typeof s.shutdownMs !== "number" || (Number.isFinite(s.shutdownMs) && s.shutdownMs >= 0),
    "a finite number >= 0",
    RangeError,
  ],
];

/**
 * Validates one child specification and fills in its defaults.
 * @param where - how to name the spec in error messages, e.g. `children[2]`.
 * @throws TypeError naming the bad field (`children[2].restart must be ...`) for a wrong type or
 *   an unknown enum value; RangeError for a negative or non-finite `shutdownMs`.
 */
export function resolveChildSpec(spec: unknown, where = "childSpec"): ResolvedChildSpec {
  if (!isObject(spec)) throw new TypeError(`${where} must be an object, got ${show(spec)}`);
  const s = spec as Partial<ChildSpec>;
  for (const [field, ok, expected, ErrorClass] of CHECKS) {
    if (!ok(s)) throw new ErrorClass(`${where}.${field} must be ${expected}, got ${show(read(s, field))}`);
  }
  const type = s.type ?? "worker";
  const start = s.start as ChildStart;
  return {
    id: s.id as string,
    start: start.options === undefined ? { behaviour: start.behaviour, args: start.args } : { ...start },
    restart: s.restart ?? "permanent",
    shutdownMs: s.shutdownMs ?? (type === "supervisor" ? "infinity" : WORKER_SHUTDOWN_MS_DEFAULT),
    type,
  };
}

/**
 * Validates a list of child specifications (in start order).
 * @throws TypeError if `specs` is not an array, a spec is invalid (see {@link resolveChildSpec})
 *   or two specs share an id.
 */
export function resolveChildSpecs(specs: unknown, where = "children"): ResolvedChildSpec[] {
  if (!Array.isArray(specs)) throw new TypeError(`${where} must be an array of child specs, got ${show(specs)}`);
  const seen = new Set<string>();
  return specs.map((spec, index) => {
    const resolved = resolveChildSpec(spec, `${where}[${index}]`);
    if (seen.has(resolved.id)) throw new TypeError(`${where}[${index}].id "${resolved.id}" is a duplicate child id`);
    seen.add(resolved.id);
    return resolved;
  });
}

/** True when a child with restart type `restart` that exited with `reason` is restarted. */
export function shouldRestart(restart: RestartType, reason: ExitReason): boolean {
  switch (restart) {
    case "permanent":
      return true;
    case "transient":
      return !isCleanExit(reason);
    case "temporary":
      return false;
  }
}

/** Options of {@link childSpec}. */
export interface ChildSpecOptions {
  /** Default `permanent`. */
  restart?: RestartType;
  /** Default 5,000 ms for workers, `infinity` for supervisors. */
  shutdownMs?: ShutdownMs;
  /** Default `worker`. */
  type?: ChildType;
  /** Spawn options of the child (name, mailbox, trapExits). */
  spawn?: SpawnOptions;
}

/**
 * Builds a {@link ChildSpec}, checking at compile time that `args` fits the behaviour's `init`.
 * Validation of the values happens when a supervisor uses the spec.
 */
export function childSpec<M extends Protocol<M>, S, A>(
  id: string,
  behaviour: Behaviour<M, S, A>,
  args: A,
  options: ChildSpecOptions = {},
): ChildSpec {
  const spec: ChildSpec = { id, start: { behaviour: behaviour as AnyBehaviour, args } };
  if (options.spawn !== undefined) spec.start.options = options.spawn;
  if (options.restart !== undefined) spec.restart = options.restart;
  if (options.shutdownMs !== undefined) spec.shutdownMs = options.shutdownMs;
  if (options.type !== undefined) spec.type = options.type;
  return spec;
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function isBehaviour(value: unknown): boolean {
  return (
    isObject(value) && typeof (value as AnyBehaviour).init === "function" && isObject((value as AnyBehaviour).handlers)
  );
}

function read(spec: object, path: string): unknown {
  let value: unknown = spec;
  for (const key of path.split(".")) value = isObject(value) ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (isObject(value)) return "an object";
  return String(value);
}
