import { TimeoutError, TurnAbortedError } from "./errors.js";
import type { ReplyTo } from "./target.js";
import type { Expirable, TimeoutWheel } from "./timeout-wheel.js";

/**
 * The caller's side of an ask: a promise that settles exactly once, with the reply, an error, or
 * a TimeoutError from the loop's timeout wheel. Internal.
 */
export class PendingAsk implements ReplyTo, Expirable {
  wheelSlot: Set<Expirable> | null = null;
  wheelIndex = 0;
  readonly promise: Promise<unknown>;
  #resolve!: (value: unknown) => void;
  #reject!: (error: unknown) => void;
  #settled = false;
  /** Called once when the ask settles (used to drop remote bookkeeping). */
  onSettled: (() => void) | null = null;

  constructor(
    readonly wheel: TimeoutWheel,
    readonly description: string,
    readonly timeoutMs: number,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    wheel.add(this, timeoutMs);
  }

  /** True once the promise has settled. */
  get settled(): boolean {
    return this.#settled;
  }

  settle(ok: boolean, value: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.wheel.remove(this);
    this.onSettled?.();
    if (ok) this.#resolve(value);
    else this.#reject(value);
  }

  expire(): void {
    this.settle(false, new TimeoutError(`ask ${this.description} got no reply within ${this.timeoutMs} ms`));
  }

  /** The turn that made this ask threw: the request was never sent. Nobody may be listening. */
  abort(): void {
    this.promise.catch(noop);
    this.settle(false, new TurnAbortedError(`ask ${this.description} was not sent: the asking turn threw`));
  }
}

function noop(): void {}
