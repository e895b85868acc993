import type { SimConnection } from "./sim-connection.js";
import type { SimWorld } from "./sim-world.js";
import { jsonNumber } from "./trace.js";

// The trace hashes each event's JSON text. Network events are half the events of a run and carry
// the message summary, so their text is hashed from fragments built once (per connection end,
// per message) instead of stringifying the event; the text is the same JSON.stringify would give.
const SEND_HEAD = '{"type":"send","atMs":';
const DELIVER_HEAD = '{"type":"deliver","atMs":';
const DROP_HEAD = '{"type":"drop","atMs":';

/** One message on its way: the ends, the copy sent, when, and its summary (raw and as JSON). */
export interface Parcel {
  readonly from: SimConnection;
  readonly to: SimConnection;
  readonly data: unknown;
  readonly sentMs: number;
  readonly text: string;
  readonly quoted: string;
}

function traceRoute({ from, to }: Parcel): string {
  const route = `,"from":${JSON.stringify(from.node.name)},"to":${JSON.stringify(to.node.name)},"conn":${from.id}`;
  return (from.traceRoute ??= route);
}

export function traceData(world: SimWorld, type: "send" | "deliver", atMs: number, parcel: Parcel): void {
  const trace = world.trace;
  trace.mix(type === "send" ? SEND_HEAD : DELIVER_HEAD);
  trace.mix(jsonNumber(atMs));
  trace.mix(parcel.from.traceRoute ?? traceRoute(parcel));
  trace.mix(',"data":');
  trace.mix(parcel.quoted);
  trace.mix("}");
  const { from, to, text } = parcel;
  trace.commit({ type, atMs, from: from.node.name, to: to.node.name, conn: from.id, data: text });
}

// Drops carry the time the message was sent, as they always have.
export function traceDrop(world: SimWorld, parcel: Parcel, why: string): void {
  const trace = world.trace;
  trace.mix(DROP_HEAD);
  trace.mix(jsonNumber(parcel.sentMs));
  trace.mix(parcel.from.traceRoute ?? traceRoute(parcel));
  trace.mix(',"why":');
  trace.mix(JSON.stringify(why));
  trace.mix("}");
  const { from, to, sentMs } = parcel;
  trace.commit({ type: "drop", atMs: sentMs, from: from.node.name, to: to.node.name, conn: from.id, why });
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

export function summarize(data: unknown): string {
  const text = JSON.stringify(data) ?? String(data);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
