import type { SimConnection } from "./sim-connection.js";
import type { SimWorld } from "./sim-world.js";

/** One message on its way: the ends, the copy sent, and when. */
export interface Parcel {
  readonly from: SimConnection;
  readonly to: SimConnection;
  readonly data: unknown;
  readonly sentMs: number;
}

// The trace keeps the payload itself (hashed structurally, summarized only when a report prints
// it). A receiver may change its copy after delivery (refs are decoded in place), so a trace that
// keeps every event, to be replayed and re-hashed, keeps a snapshot instead.
function traced(world: SimWorld, parcel: Parcel): unknown {
  return world.trace.keepsAll ? cloneMessage(parcel.data) : parcel.data;
}

/** Records the send or delivery of `parcel`. */
export function traceData(world: SimWorld, type: "send" | "deliver", atMs: number, parcel: Parcel): void {
  const { from, to } = parcel;
  world.trace.record({
    type,
    atMs,
    from: from.node.name,
    to: to.node.name,
    conn: from.id,
    data: traced(world, parcel),
  });
}

/** Records that `parcel` was dropped (at the time it was sent, as drops always have been). */
export function traceDrop(world: SimWorld, parcel: Parcel, why: string): void {
  const { from, to, sentMs } = parcel;
  world.trace.record({ type: "drop", atMs: sentMs, from: from.node.name, to: to.node.name, conn: from.id, why });
}

const NOT_PLAIN: unique symbol = Symbol("not plain data");
const CLONE_DEPTH_MAX = 512;

/**
 * Copies `data` as `structuredClone` does. structuredClone serializes and costs microseconds per
 * message, several times the rest of a simulated send; kernel frames are small trees of plain
 * objects, arrays and primitives, which this copies in JS (keeping shared and cyclic references,
 * like structuredClone). Anything else (class instances, Maps, Dates, typed arrays, sparse
 * arrays, functions, symbols, very deep nesting) goes to structuredClone, so such data is copied
 * (or refused with a DataCloneError) exactly as before. One difference remains: named properties
 * added to an array are not copied.
 */
export function cloneMessage(data: unknown): unknown {
  if (typeof data !== "object" || data === null) {
    return typeof data === "function" || typeof data === "symbol" ? structuredClone(data) : data;
  }
  const copy = copyPlain(data, new Map(), 0);
  return copy === NOT_PLAIN ? structuredClone(data) : copy;
}

function copyPlain(value: unknown, copies: Map<object, unknown>, depth: number): unknown {
  if (typeof value !== "object" || value === null) {
    return typeof value === "function" || typeof value === "symbol" ? NOT_PLAIN : value;
  }
  const seen = copies.get(value);
  if (seen !== undefined) return seen;
  if (depth > CLONE_DEPTH_MAX) return NOT_PLAIN;
  const proto = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const array = value as unknown[];
    const out: unknown[] = [];
    copies.set(value, out);
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      if (item === undefined && !(i in array)) return NOT_PLAIN;
      const copy = copyPlain(item, copies, depth + 1);
      if (copy === NOT_PLAIN) return NOT_PLAIN;
      out.push(copy);
    }
    return out;
  }
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  copies.set(value, out);
  for (const key in record) {
    const copy = copyPlain(record[key], copies, depth + 1);
    if (copy === NOT_PLAIN) return NOT_PLAIN;
    out[key] = copy;
  }
  return out;
}
