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
      readonly data: string;
    }
  | {
      readonly type: "deliver";
      readonly atMs: number;
      readonly from: string;
      readonly to: string;
      readonly conn: number;
      readonly data: string;
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
 * The trace of one run: a rolling 64-bit hash over every event (two 32-bit FNV-1a lanes over
 * the event's JSON) and the last `tailLength` events. Equal hashes mean identical runs.
 */
export class Trace {
  readonly #tail: TraceEvent[];
  readonly #tailLength: number;
  #next = 0;
  #count = 0;
  #h1 = 0x811c9dc5;
  #h2 = 0x01000193 ^ 0x5bd1e995;
  /** Also keeps every event (for tests and replays of short runs); off by default. */
  readonly #all: TraceEvent[] | null;

  constructor(options: { tailLength?: number; keepAll?: boolean } = {}) {
    this.#tailLength = options.tailLength ?? TRACE_TAIL_DEFAULT;
    this.#tail = [];
    this.#all = options.keepAll ? [] : null;
  }

  /** Appends an event. */
  record(event: TraceEvent): void {
    this.mix(JSON.stringify(event));
    this.commit(event);
  }

  /**
   * @internal Hashes the next piece of an event's JSON text. Hot paths that already hold the
   * pieces (see sim-network.ts) call `mix` for each piece, then {@link commit}, instead of
   * {@link record}: the pieces, joined, must be exactly `JSON.stringify(event)`. Hashing the
   * pieces in order gives the same hash as hashing the joined text.
   */
  mix(text: string): void {
    let h1 = this.#h1;
    let h2 = this.#h2;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    this.#h1 = h1 >>> 0;
    this.#h2 = h2 >>> 0;
  }

  /** @internal Ends an event whose JSON text went through {@link mix}: counts and keeps it. */
  commit(event: TraceEvent): void {
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
    return this.#h1.toString(16).padStart(8, "0") + this.#h2.toString(16).padStart(8, "0");
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

/** A number as JSON.stringify writes it (finite numbers as `String` does, others as `null`). */
export function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

/** Formats one event as a line for failure reports. */
export function formatTraceEvent(event: TraceEvent): string {
  const { type, atMs, ...rest } = event as { type: string; atMs: number };
  return `${atMs.toFixed(3).padStart(12)} ms  ${type.padEnd(11)} ${JSON.stringify(rest)}`;
}
