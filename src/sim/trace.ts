import { TraceHash } from "./trace-hash.js";
import type { KernelTraceEvent } from "../kernel/trace-event.js";

/** A fault the simulator injected (or healed). */
export type FaultEvent =
  | { readonly kind: "partition"; readonly from: string; readonly to: string; readonly oneWay: boolean }
  | { readonly kind: "heal" }
  | { readonly kind: "hold"; readonly from: string; readonly to: string }
  | { readonly kind: "release"; readonly from: string; readonly to: string }
  | { readonly kind: "reset"; readonly from: string; readonly to: string }
  | { readonly kind: "crash"; readonly node: string }
  | { readonly kind: "restart"; readonly node: string }
  | { readonly kind: "pause"; readonly node: string }
  | { readonly kind: "resume"; readonly node: string }
  | {
      readonly kind: "link";
      readonly from: string;
      readonly to: string;
      readonly lossRate: number;
      readonly dupRate: number;
    }
  | { readonly kind: "custom"; readonly name: string; readonly detail?: string };

/**
 * One simulation event. Kernel events come from each node's loop tracer, tagged with the node;
 * the rest from the simulated world. `atMs` is the world's true virtual time.
 */
export type TraceEvent =
  | ({ readonly atMs: number; readonly node: string } & KernelTraceEvent)
  | { readonly type: "timer"; readonly atMs: number; readonly node: string }
  | {
      readonly type: "send";
      readonly atMs: number;
      readonly from: string;
      readonly to: string;
      readonly conn: number;
      /** The payload (a snapshot when the trace keeps every event; else as delivered, and shown summarized). */
      readonly data: unknown;
    }
  | {
      readonly type: "deliver";
      readonly atMs: number;
      readonly from: string;
      readonly to: string;
      readonly conn: number;
      /** The payload (a snapshot when the trace keeps every event; else as delivered, and shown summarized). */
      readonly data: unknown;
    }
  | {
      readonly type: "drop";
      readonly atMs: number;
      readonly from: string;
      readonly to: string;
      readonly conn: number;
      readonly why: string;
    }
  | {
      readonly type: "connect";
      readonly atMs: number;
      readonly from: string;
      readonly to: string;
      readonly conn: number;
    }
  | { readonly type: "close"; readonly atMs: number; readonly from: string; readonly to: string; readonly conn: number }
  | { readonly type: "fault"; readonly atMs: number; readonly fault: FaultEvent }
  | { readonly type: "action"; readonly atMs: number; readonly label: string }
  | { readonly type: "note"; readonly atMs: number; readonly node: string; readonly text: string };

/** Default number of most recent events a trace keeps for failure reports. */
export const TRACE_TAIL_DEFAULT = 200;

/**
 * The trace of one run: a rolling 64-bit hash over every event (see {@link TraceHash}: a
 * structural walk, never text) and the last `tailLength` events. Equal hashes mean identical runs.
 */
export class Trace {
  readonly #tail: TraceEvent[];
  readonly #tailLength: number;
  readonly #hash = new TraceHash();
  #next = 0;
  #count = 0;
  /** Also keeps every event (for tests and replays of short runs); off by default. */
  readonly #all: TraceEvent[] | null;

  constructor(options: { tailLength?: number; keepAll?: boolean } = {}) {
    this.#tailLength = options.tailLength ?? TRACE_TAIL_DEFAULT;
    this.#tail = [];
    this.#all = options.keepAll ? [] : null;
  }

  /** True when every event is kept (payloads recorded then should be snapshots). */
  get keepsAll(): boolean {
    return this.#all !== null;
  }

  /**
   * Appends an event. A `deliver` event's payload is not hashed again: it is the payload its
   * `send` event hashed, delivered unchanged (reports still show it).
   */
  record(event: TraceEvent): void {
    this.#hash.event(event, event.type === "deliver" ? "data" : null);
    this.#count++;
    if (this.#tail.length < this.#tailLength) this.#tail.push(event);
    else this.#tail[this.#next] = event;
    this.#next = (this.#next + 1) % this.#tailLength;
    this.#all?.push(event);
  }

  /** Number of events recorded. */
  get count(): number {
    return this.#count;
  }

  /** The hash of everything recorded so far, as 16 hex characters. */
  get hash(): string {
    return this.#hash.hex;
  }

  /** The most recent events, oldest first. */
  tail(): TraceEvent[] {
    if (this.#tail.length < this.#tailLength) return [...this.#tail];
    return [...this.#tail.slice(this.#next), ...this.#tail.slice(0, this.#next)];
  }

  /** Every event, if the trace was created with `keepAll`. */
  all(): readonly TraceEvent[] | null {
    return this.#all;
  }
}

/** Formats one event as a line for failure reports. */
export function formatTraceEvent(event: TraceEvent): string {
  const { type, atMs, ...rest } = event as { type: string; atMs: number; data?: unknown };
  if ("data" in rest) rest.data = summarize(rest.data);
  return `${atMs.toFixed(3).padStart(12)} ms  ${type.padEnd(11)} ${JSON.stringify(rest)}`;
}

// Capability tokens are secrets: a report (or a flight-recorder dump) shows that a ref was there,
// never the token that would let its reader reach the actor.
function redactTokens(key: string, value: unknown): unknown {
  return key === "__chorusRef__" && typeof value === "string" ? "(token)" : value;
}

/** A message payload as one line of at most 160 characters of JSON, capability tokens redacted. */
export function summarize(data: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(data, redactTokens) ?? String(data);
  } catch {
    text = String(data); // cyclic or BigInt payloads
  }
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
