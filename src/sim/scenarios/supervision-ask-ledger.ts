import type { KernelErrorCode } from "../../kernel/errors.js";
import type { Loop } from "../../kernel/loop-api.js";
import { TIMEOUT_RESOLUTION_MS } from "../../kernel/timeout-wheel.js";
import type { SupervisionErrorCode } from "../../supervision/errors.js";

/**
 * What an ask must settle with: `echo`, its own id echoed back; `fail`, an allowed failure;
 * `reply`, any value or an allowed failure (a request to a supervisor).
 */
export type AskExpectation = "echo" | "fail" | "reply";

/**
 * Why an ask of the scenario may fail: it timed out, the mailbox was full, the worker was dead,
 * stopped or crashed before replying, the asking turn threw, or a supervisor refused a request
 * about a child that was not in the expected state. Anything else is a violation.
 */
export const ASK_FAILURE_CODES: ReadonlySet<string> = new Set<KernelErrorCode | SupervisionErrorCode>([
  "timeout",
  "mailbox_full",
  "noproc",
  "exited",
  "crashed",
  "turn_aborted",
  "not_found",
  "running",
  "restarting",
  "shutting_down",
]);

interface LoopAsks {
  pending: number;
  /** Reactor time of the last settlement, in ms. */
  lastSettledMs: number;
}

/** Kernel timers the ask timeout wheels may hold right now: `required` of them, plus up to `optional`. */
export interface WheelAllowance {
  readonly required: number;
  readonly optional: number;
}

/**
 * Every ask the workload makes, wrapped: how many times each settled (exactly once, eventually;
 * never twice), with what (an echo must come back with its own id: a reply routed to the wrong
 * asker shows up here), and how many are pending per loop, which tells how many timers the loops'
 * ask timeout wheels hold.
 */
export class SupervisionAskLedger {
  readonly #settlements: number[] = [];
  readonly #expectations: AskExpectation[] = [];
  readonly #loops = new Map<Loop, LoopAsks>();
  #pending = 0;
  #violation: string | null = null;
  /** How asks settled so far: `ok`, or the error code (for coverage reports). */
  readonly outcomes = new Map<string, number>();

  /** Asks made so far. */
  get made(): number {
    return this.#settlements.length;
  }

  /** Asks not settled yet. */
  get pending(): number {
    return this.#pending;
  }

  /** The first violation seen (a second settlement, a wrong reply, an unexpected error), or null. */
  get violation(): string | null {
    return this.#violation;
  }

  /**
   * Makes and tracks an ask to an actor on `loop` (its timeout goes into that loop's wheel):
   * `ask` gets the ask's id (an echo request carries it as its payload) and returns the promise.
   * Returns the id.
   */
  track(loop: Loop, ask: (id: number) => Promise<unknown>, expect: AskExpectation): number {
    const id = this.#settlements.length;
    const promise = ask(id);
    this.#settlements.push(0);
    this.#expectations.push(expect);
    this.#pending++;
    this.#loopAsks(loop).pending++;
    promise.then(
      (value) => this.#settle(loop, id, true, value),
      (error) => this.#settle(loop, id, false, error),
    );
    return id;
  }

  /**
   * How many kernel timers the ask timeout wheels may hold at reactor time `nowMs`: a wheel with
   * pending asks holds exactly one; once its last ask settled it keeps that timer until the next
   * slot boundary at most (one more slot of slack for clock drift rounding), then holds none.
   */
  wheelAllowance(nowMs: number): WheelAllowance {
    let required = 0;
    let optional = 0;
    for (const asks of this.#loops.values()) {
      if (asks.pending > 0) required++;
      else if (nowMs < (Math.floor(asks.lastSettledMs / TIMEOUT_RESOLUTION_MS) + 2) * TIMEOUT_RESOLUTION_MS) optional++;
    }
    return { required, optional };
  }

  #loopAsks(loop: Loop): LoopAsks {
    let asks = this.#loops.get(loop);
    if (asks === undefined) {
      asks = { pending: 0, lastSettledMs: loop.reactor.nowMs() };
      this.#loops.set(loop, asks);
    }
    return asks;
  }

  #settle(loop: Loop, id: number, ok: boolean, value: unknown): void {
    const count = ++this.#settlements[id]!;
    if (count > 1) {
      this.#fail(`ask #${id} settled ${count} times`);
      return;
    }
    this.#pending--;
    const asks = this.#loopAsks(loop);
    asks.pending--;
    asks.lastSettledMs = loop.reactor.nowMs();
    const outcome = ok ? "ok" : codeOf(value);
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    const expect = this.#expectations[id]!;
    if (ok && expect === "fail") this.#fail(`ask #${id} should have failed but got ${show(value)}`);
    else if (ok && expect === "echo" && value !== id)
      this.#fail(`ask #${id} got the reply ${show(value)}, meant for another ask`);
    else if (!ok && !ASK_FAILURE_CODES.has(outcome)) this.#fail(`ask #${id} failed unexpectedly: ${show(value)}`);
  }

  #fail(message: string): void {
    this.#violation ??= message;
  }
}

function codeOf(error: unknown): KernelErrorCode | SupervisionErrorCode {
  return (error as { code?: KernelErrorCode } | null)?.code ?? ("none" as KernelErrorCode);
}

function show(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return JSON.stringify(value) ?? String(value);
}
