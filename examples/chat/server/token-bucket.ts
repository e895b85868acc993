/**
 * A token bucket on the Reactor's monotonic clock: `capacity` tokens, refilled continuously at
 * `refillPerSecond`; each allowed action takes one.
 */
import type { Reactor } from "../../../src/index.js";

/** A per-connection rate limiter. */
export class TokenBucket {
  readonly #reactor: Reactor;
  readonly #capacity: number;
  readonly #refillPerMs: number;
  #tokens: number;
  #atMs: number;

  /**
   * @param capacity - bucket size (burst), in tokens; it starts full.
   * @param refillPerSecond - tokens added per second.
   */
  constructor(reactor: Reactor, capacity: number, refillPerSecond: number) {
    this.#reactor = reactor;
    this.#capacity = capacity;
    this.#refillPerMs = refillPerSecond / 1_000;
    this.#tokens = capacity;
    this.#atMs = reactor.nowMs();
  }

  /** Takes a token if one is there; false (and nothing taken) when the bucket is empty. */
  take(): boolean {
    const now = this.#reactor.nowMs();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#atMs) * this.#refillPerMs);
    this.#atMs = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token is available (0 if one is). */
  waitMs(): number {
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#refillPerMs);
  }
}
