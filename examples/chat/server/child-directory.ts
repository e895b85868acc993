/**
 * Finds the current incarnation of a supervised child by id. A restarted child is a new actor
 * with a new ref, so the chat never keeps refs to rooms or services for long: it asks the
 * supervisor (`whichChildren`, a near call that answers at once) and caches the answer until the
 * actor stops (a monitor drops it).
 */
import type { AnyRef, Loop, Ref, SupervisorProtocol } from "../../../src/index.js";

/** Looks up children of one supervisor (which may itself be restarted: it is found through `supervisor()`). */
export class ChildDirectory {
  readonly #loop: Loop;
  readonly #supervisor: () => Ref<SupervisorProtocol> | null;
  readonly #cache = new Map<string, AnyRef>();

  /**
   * @param loop - the loop the supervisor and its children run on.
   * @param supervisor - returns the supervisor's current ref, or null while it is restarting.
   */
  constructor(loop: Loop, supervisor: () => Ref<SupervisorProtocol> | null) {
    this.#loop = loop;
    this.#supervisor = supervisor;
  }

  /** The supervisor's current ref, or null while it is restarting. */
  get supervisor(): Ref<SupervisorProtocol> | null {
    return this.#supervisor();
  }

  /** The running child `id`, or null if it is unknown, restarting or the supervisor is down. */
  lookup(id: string): AnyRef | null {
    const cached = this.#cache.get(id);
    if (cached !== undefined && this.#alive(cached)) return cached;
    this.#cache.delete(id);
    const supervisor = this.#supervisor();
    if (supervisor === null || !this.#alive(supervisor)) return null;
    let children;
    try {
      children = supervisor.call("whichChildren");
    } catch {
      return null; // the supervisor stopped in between
    }
    const child = children.find((info) => info.id === id);
    if (child === undefined || child.ref === null || child.status !== "running") return null;
    const ref = child.ref;
    this.#cache.set(id, ref);
    this.#loop.monitor(ref, () => {
      if (this.#cache.get(id) === ref) this.#cache.delete(id);
    });
    return ref;
  }

  #alive(ref: AnyRef): boolean {
    const info = this.#loop.inspect(ref);
    return info !== undefined && info.status !== "dead";
  }
}
