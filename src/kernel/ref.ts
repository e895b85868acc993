import { BadMessageError } from "./errors.js";
import type { AskArgs, AskOptions, PayloadArgs, Protocol, ReplyOf, Tag } from "./protocol.js";
import type { Target } from "./target.js";

export type { AskOptions };

const REF_KEY: unique symbol = Symbol("chorus.ref");
let readTarget: (ref: object) => Target | undefined;

/**
 * A reference to an actor: the only way to reach it. Refs are unforgeable capabilities: there
 * is no constructor from a string or number. You get one by spawning, or in a message.
 *
 * The same ref works whether the actor is on this loop (near), on another thread, or (with the
 * wire) on another process or machine:
 * - {@link tell} sends and forgets;
 * - {@link ask} sends a request and returns a promise of the reply;
 * - {@link call} runs the handler synchronously and returns the reply — near refs only.
 *
 * @typeParam M - the actor's protocol; sending a message it does not accept is a compile error.
 */
export class Ref<M extends Protocol<M>> {
  // Phantom field: makes Ref<A> and Ref<B> incompatible when A and B differ.
  declare readonly __protocol?: M;
  readonly #target: Target;

  static {
    readTarget = (ref) =>
      typeof ref === "object" && ref !== null && #target in ref ? (ref as Ref<never>).#target : undefined;
  }

  /** @internal Refs are created by the kernel only. */
  constructor(key: symbol, target: Target) {
    if (key !== REF_KEY) throw new TypeError("refs cannot be constructed; spawn an actor instead");
    this.#target = target;
  }

  /**
   * Sends `tag` with `payload` and returns at once. Inside a turn the send is buffered and
   * happens only if the turn completes. Delivery is at-most-once: a tell to a dead actor is
   * dropped (counted as a dead letter).
   * @throws MailboxFullError when the target's mailbox is full with policy `reject` (near targets).
   * @throws RevokedError / NotAllowedError for revoked or attenuated capabilities.
   */
  tell<K extends Tag<M>>(tag: K, ...payload: PayloadArgs<M, K>): void {
    const target = this.#target;
    target.loop.tell(target, tag, payload[0]);
  }

  /**
   * Sends a request and returns a promise that settles exactly once: with the reply, with a
   * {@link TimeoutError} after `timeoutMs`, or with a KernelError saying why no reply will come
   * (`noproc`, `exited`, `crashed`, `mailbox_full`, `loop_closed`, `revoked`, …).
   */
  ask<K extends Tag<M>>(tag: K, ...args: AskArgs<M, K>): Promise<ReplyOf<M, K>> {
    const target = this.#target;
    return target.loop.ask(target, tag, args[0], args[1]?.timeoutMs) as Promise<ReplyOf<M, K>>;
  }

  /**
   * Near call: runs the target's handler now, as its own turn, and returns the reply. The call
   * overtakes messages queued in the target's mailbox.
   * @throws FarCallError if the actor lives on another loop.
   * @throws CallCycleError if the target is already in a turn (A→B→A).
   * @throws ActorDeadError if the actor is dead; ActorCrashedError if its handler threw.
   */
  call<K extends Tag<M>>(tag: K, ...payload: PayloadArgs<M, K>): ReplyOf<M, K> {
    const target = this.#target;
    return target.loop.call(target, tag, payload[0]) as ReplyOf<M, K>;
  }

  /** True when the actor lives on the same loop as this ref (near calls are possible). */
  get isNear(): boolean {
    return this.#target.isNear;
  }

  /** A description such as `Ref<counter#3@main>`, for logs; it cannot be turned back into a ref. */
  toString(): string {
    return `Ref<${this.#target.describe()}>`;
  }

  /** Refs do not serialise to JSON (use the wire, which carries capability tokens). */
  toJSON(): string {
    return this.toString();
  }
}

/** A ref with its protocol erased. */
// biome-ignore lint/suspicious/noExplicitAny: erased protocol.
export type AnyRef = Ref<any>;

/** Identifies a monitor set with `monitor`; pass it to `demonitor`. */
export interface MonitorRef {
  readonly monitorId: number;
}

/** @internal Creates a ref for `target`. */
export function makeRef<M extends Protocol<M>>(target: Target): Ref<M> {
  return new Ref<M>(REF_KEY, target);
}

/** @internal The target behind a ref. */
export function targetOf(ref: AnyRef): Target {
  const target = readTarget(ref);
  if (target === undefined) throw new BadMessageError(`not a ref: ${ref === null ? "null" : typeof ref}`);
  return target;
}

/** True when `value` is a ref made by the kernel. */
export function isRef(value: unknown): value is AnyRef {
  return typeof value === "object" && value !== null && readTarget(value) !== undefined;
}
