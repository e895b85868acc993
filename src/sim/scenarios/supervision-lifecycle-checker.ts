import type { KernelTraceEvent } from "../../kernel/trace-event.js";

/**
 * Checks, from a loop's trace events, that actors live once: no message is handled by an actor
 * after its exit event (or by one never spawned), no actor exits twice, and no state change
 * happens after an exit. Trace events show mailbox turns only, so instrumented behaviours also
 * report every handler, near call, `onExit`, `onDown` and `terminate` they run ({@link onTurn}).
 * Descriptions (`worker#7@g0`) are unique per loop, and loop names are unique per run, so they
 * identify one actor incarnation.
 */
export class ActorLifecycleChecker {
  readonly #dead = new Set<string>();
  readonly #alive = new Set<string>();
  #violation: string | null = null;
  /** Turns seen (all actors). */
  turns = 0;

  /** The first violation seen, or null. */
  get violation(): string | null {
    return this.#violation;
  }

  /** An actor runs `what` (a handler, a hook), as reported from inside it. */
  onTurn(actor: string, what: string): void {
    if (this.#dead.has(actor)) this.#fail(`${actor} ran ${what} after it exited`);
  }

  /** Feeds one kernel trace event. */
  observe(event: KernelTraceEvent): void {
    switch (event.type) {
      case "spawn":
        // An init that stops its actor exits it before the spawn event: it stays dead.
        if (this.#alive.has(event.actor)) this.#fail(`${event.actor} was spawned twice`);
        else if (!this.#dead.has(event.actor)) this.#alive.add(event.actor);
        return;
      case "turn":
        this.turns++;
        if (this.#dead.has(event.actor)) this.#fail(`${event.actor} handled "${event.tag}" after it exited`);
        else if (!this.#alive.has(event.actor))
          this.#fail(`${event.actor} handled "${event.tag}" but was never spawned`);
        return;
      case "state":
        if (this.#dead.has(event.actor)) this.#fail(`${event.actor} changed state after it exited`);
        return;
      case "exit":
        if (this.#dead.has(event.actor)) this.#fail(`${event.actor} exited twice (now ${event.reason})`);
        this.#alive.delete(event.actor);
        this.#dead.add(event.actor);
        return;
      case "dead_letter":
        return;
    }
  }

  #fail(message: string): void {
    this.#violation ??= message;
  }
}
