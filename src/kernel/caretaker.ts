import { NotAllowedError, RevokedError } from "./errors.js";
import { type ExitReason, ExitReasons } from "./exit-reason.js";
import type { LoopRuntime } from "./loop.js";
import type { Protocol, Tag } from "./protocol.js";
import { type AnyRef, makeRef, type Ref, targetOf } from "./ref.js";
import type { ReplyTo, Target, Watcher } from "./target.js";

/**
 * A facet of another target: forwards everything until revoked, and only the allowed tags when
 * attenuated. Revocation and attenuation hold across loops, because other loops reach a facet
 * through its own token, never the inner actor's.
 */
class FacetTarget implements Target {
  readonly loop: LoopRuntime;
  readonly isNear: boolean;
  readonly #inner: Target;
  readonly #allowed: ReadonlySet<string> | null;
  #revoked = false;
  #token: string | null = null;

  constructor(inner: Target, allowed: ReadonlySet<string> | null) {
    this.#inner = inner;
    this.loop = inner.loop;
    this.isNear = inner.isNear;
    this.#allowed = allowed;
  }

  get revoked(): boolean {
    return this.#revoked;
  }

  revoke(): void {
    this.#revoked = true;
    if (this.#token !== null) this.loop.unexport(this.#token);
  }

  describe(): string {
    const kind = this.#revoked ? "revoked" : this.#allowed === null ? "caretaker" : "attenuated";
    return `${kind}(${this.#inner.describe()})`;
  }

  #check(tag: string): void {
    if (this.#revoked) throw new RevokedError(`capability ${this.describe()} was revoked`);
    if (this.#allowed !== null && !this.#allowed.has(tag)) {
      throw new NotAllowedError(`capability ${this.describe()} does not allow "${tag}"`);
    }
  }

  deliverTell(tag: string, payload: unknown): void {
    this.#check(tag);
    this.#inner.deliverTell(tag, payload);
  }

  deliverAsk(tag: string, payload: unknown, reply: ReplyTo): void {
    try {
      this.#check(tag);
    } catch (error) {
      reply.settle(false, error);
      return;
    }
    this.#inner.deliverAsk(tag, payload, reply);
  }

  callNow(tag: string, payload: unknown): unknown {
    this.#check(tag);
    return this.#inner.callNow(tag, payload);
  }

  reserve(tag: string, payload: unknown): void {
    this.#check(tag);
    this.#inner.reserve(tag, payload);
  }

  release(): void {
    this.#inner.release();
  }

  monitor(watcher: Watcher): number {
    if (!this.#revoked) return this.#inner.monitor(watcher);
    return this.loop.deferDown(watcher, ExitReasons.noproc);
  }

  demonitor(monitorId: number): void {
    this.#inner.demonitor(monitorId);
    this.loop.cancelDeferredDown(monitorId);
  }

  // Holding a facet is the power to send the allowed messages, not to stop the actor.
  signalExit(reason: ExitReason, from: AnyRef | null): void {
    if (!this.#revoked && this.#allowed === null) this.#inner.signalExit(reason, from);
  }

  exportToken(): string {
    if (this.#revoked) return this.loop.exportTarget(this);
    this.#token ??= this.loop.exportTarget(this);
    return this.#token;
  }
}

/** A revocable forwarder: hand out `ref`, call `revoke()` to cut everyone holding it off. */
export interface Caretaker<M extends Protocol<M>> {
  /** The forwarding ref to hand out. */
  readonly ref: Ref<M>;
  /** True once revoked. */
  readonly revoked: boolean;
  /**
   * Revokes the forwarder: from now on every tell through it throws RevokedError, every ask
   * rejects with it (also on other loops), and near calls throw it. The target is unaffected.
   */
  revoke(): void;
}

/**
 * Creates a caretaker for `ref` (Mark Miller's revocable forwarder). Exit signals pass through
 * an unattenuated caretaker until it is revoked.
 */
export function caretaker<M extends Protocol<M>>(ref: Ref<M>): Caretaker<M> {
  const facet = new FacetTarget(targetOf(ref), null);
  return {
    ref: makeRef<M>(facet),
    get revoked() {
      return facet.revoked;
    },
    revoke: () => facet.revoke(),
  };
}

/**
 * Attenuates `ref` to the listed message tags: the result is typed as the narrower protocol, and
 * any other tag is refused at run time too (NotAllowedError), including from other loops.
 * An attenuated ref cannot send exit signals to the actor.
 */
export function attenuate<M extends Protocol<M>, K extends Tag<M>>(ref: Ref<M>, tags: readonly K[]): Ref<Pick<M, K>> {
  return makeRef<Pick<M, K>>(new FacetTarget(targetOf(ref), new Set<string>(tags)));
}
