/**
 * The payload rule of far refs across processes: a payload must be msgpack-representable, so it
 * arrives as it was sent. {@link checkWirePayload} walks a payload (after its refs became
 * capability tokens) and refuses, at the send, what msgpack would silently change:
 *
 * | sent                                               | arrives as / verdict                 |
 * | -------------------------------------------------- | ------------------------------------ |
 * | string, number, boolean, null                      | the same                             |
 * | `undefined` (alone, in an array or as a field)     | `null` (accepted, documented)        |
 * | plain object (prototype Object or null), array     | the same, walked recursively         |
 * | `Uint8Array` (and `Buffer`)                        | a `Uint8Array`                       |
 * | `Date`                                             | a `Date` (msgpack timestamp)         |
 * | Map, Set, other typed arrays, class instances,     | refused: `BadMessageError`           |
 * | functions, symbols, bigints, nesting > 64 levels   |                                      |
 */
import { BadMessageError } from "../kernel/errors.js";

/** Deepest nesting of arrays and objects a wire payload may have. */
export const WIRE_PAYLOAD_DEPTH_MAX = 64;

/**
 * Checks that `payload` crosses the wire unchanged (but for `undefined` → `null`).
 * @throws BadMessageError (`bad_message`) naming what is wrong and where (e.g. `payload.users: a Map`).
 */
export function checkWirePayload(payload: unknown, what = "payload"): void {
  const problem = findProblem(payload, 0);
  if (problem === null) return;
  const [path, kind] = problem;
  throw new BadMessageError(
    `${what}${path} cannot cross to another process: ${kind} is not msgpack-representable ` +
      "(use plain objects, arrays, strings, numbers, booleans, null, Uint8Array or Date)",
  );
}

function findProblem(value: unknown, depth: number): [string, string] | null {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
    case "undefined":
      return null;
    case "object":
      return value === null ? null : objectProblem(value, depth);
    default:
      return ["", `a ${typeof value}`];
  }
}

function objectProblem(value: object, depth: number): [string, string] | null {
  if (depth >= WIRE_PAYLOAD_DEPTH_MAX) return ["", `nesting deeper than ${WIRE_PAYLOAD_DEPTH_MAX} levels`];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const inner = findProblem(value[i], depth + 1);
      if (inner !== null) return [`[${i}]${inner[0]}`, inner[1]];
    }
    return null;
  }
  if (value instanceof Uint8Array || value instanceof Date) return null;
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    const name = (proto.constructor as { name?: string } | undefined)?.name ?? "object";
    return ["", `a ${name}`];
  }
  for (const key in value) {
    const inner = findProblem((value as Record<string, unknown>)[key], depth + 1);
    if (inner !== null) return [`.${key}${inner[0]}`, inner[1]];
  }
  return null;
}
