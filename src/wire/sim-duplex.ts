/**
 * A {@link WireDuplex} over the simulator's message-level {@link SimConnection}, so the wire's
 * connection code runs unchanged under deterministic simulation: each write travels as one
 * simulated message (a byte array) with the link's latency and faults. While paused, arriving
 * chunks wait here — the simulated stand-in for the kernel's socket buffer — and are delivered
 * one per Reactor task on resume. The simulator has no send-side buffer limit, so `write` always
 * returns true.
 */
import type { Reactor } from "../reactor/reactor.js";
import type { SimConnection } from "../sim/sim-connection.js";
import type { WireDuplex } from "./wire-duplex.js";

/** The byte stream of one simulated connection end. */
export class SimDuplex implements WireDuplex {
  onData: ((chunk: Uint8Array) => void) | null = null;
  onDrain: (() => void) | null = null;
  onClose: ((error: Error | null) => void) | null = null;
  readonly #connection: SimConnection;
  readonly #reactor: Reactor;
  #paused = false;
  #held: Uint8Array[] = [];
  #delivering = false;
  #closed = false;

  /** Takes over `connection`'s callbacks; `reactor` is the node's (for deferred delivery). */
  constructor(connection: SimConnection, reactor: Reactor) {
    this.#connection = connection;
    this.#reactor = reactor;
    connection.onMessage = (data) => this.#arrive(data as Uint8Array);
    connection.onClose = (why) => this.#ended(why);
  }

  /** Chunks held while paused. */
  get heldChunks(): number {
    return this.#held.length;
  }

  write(bytes: Uint8Array): boolean {
    // An exact copy: cloning a view would carry its whole underlying buffer.
    if (!this.#closed) this.#connection.send(new Uint8Array(bytes));
    return true;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#scheduleDelivery();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#held = [];
    this.#connection.close("closed");
  }

  #arrive(chunk: Uint8Array): void {
    if (this.#closed) return;
    if (this.#paused || this.#held.length > 0) {
      this.#held.push(chunk);
      return;
    }
    this.onData?.(chunk);
  }

  #scheduleDelivery(): void {
    if (this.#delivering || this.#held.length === 0) return;
    this.#delivering = true;
    this.#reactor.defer(this.#deliver);
  }

  readonly #deliver = (): void => {
    this.#delivering = false;
    if (this.#closed || this.#paused) return;
    const chunk = this.#held.shift();
    if (chunk !== undefined) this.onData?.(chunk);
    this.#scheduleDelivery();
  };

  #ended(why: string): void {
    if (this.#closed && this.onClose === null) return;
    this.#closed = true;
    this.#held = [];
    const onClose = this.onClose;
    this.onClose = null;
    onClose?.(why === "closed" ? null : new Error(`simulated connection ${why}`));
  }
}
