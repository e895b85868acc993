import type { Loop } from "../../kernel/loop-api.js";
import type { AnyRef } from "../../kernel/ref.js";
import type { SimNode } from "../sim-node.js";
import type { SupervisionAskLedger } from "./supervision-ask-ledger.js";

interface TrackedLoop {
  readonly loop: Loop;
  readonly actors: Set<AnyRef>;
}

/**
 * Accounts for every timer of a simulated node: the node's live Reactor timers must be exactly
 * the timers held by live actors (the sum of `loop.inspect(ref).timerCount`) plus the kernel's ask
 * timeout wheels, each of which holds one timer while asks are pending and may keep it until the
 * next slot boundary after its last ask settled (see {@link SupervisionAskLedger.wheelAllowance}).
 * A timer left behind by a dead actor, or set outside any actor, shows up as a surplus.
 *
 * Actors are registered as they start (instrumented behaviours report `ctx.self` before `init`
 * runs); dead ones are dropped as they are found.
 */
export class SupervisionTimerAudit {
  readonly #node: SimNode;
  readonly #ledger: SupervisionAskLedger;
  readonly #loops: TrackedLoop[] = [];

  constructor(node: SimNode, ledger: SupervisionAskLedger) {
    this.#node = node;
    this.#ledger = ledger;
  }

  /** Starts accounting for the actors of `loop`; returns the function that registers one. */
  addLoop(loop: Loop): (actor: AnyRef) => void {
    const tracked: TrackedLoop = { loop, actors: new Set() };
    this.#loops.push(tracked);
    return (actor) => tracked.actors.add(actor);
  }

  /** Timers held by live tracked actors. */
  actorTimers(): number {
    let held = 0;
    for (const { loop, actors } of this.#loops) {
      for (const ref of actors) {
        const info = loop.inspect(ref);
        if (info === undefined || info.status === "dead") actors.delete(ref);
        else held += info.timerCount;
      }
    }
    return held;
  }

  /**
   * Returns null when the node's live timers are accounted for, or what is wrong. With `exact`
   * (liveness, once every ask has settled) no kernel timer may remain at all.
   */
  check(exact: boolean): string | null {
    const live = this.#node.liveTimers;
    const held = this.actorTimers();
    const kernel = live - held;
    const allowance = exact ? { required: 0, optional: 0 } : this.#ledger.wheelAllowance(this.#node.reactor.nowMs());
    if (kernel >= allowance.required && kernel <= allowance.required + allowance.optional) return null;
    const expected =
      allowance.optional === 0
        ? `${allowance.required}`
        : `${allowance.required}..${allowance.required + allowance.optional}`;
    return `node ${this.#node.name} has ${live} live timer(s): ${held} held by live actors and ${kernel} other(s); the ask timeout wheels account for ${expected}`;
  }
}
