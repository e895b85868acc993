import type { ActorContext } from "./context.js";
import type { ExitReason } from "./exit-reason.js";
import type { MailboxOptions } from "./mailbox.js";
import type { PayloadOf, Protocol, ReplyOf, Tag } from "./protocol.js";
import type { AnyRef, MonitorRef } from "./ref.js";

/**
 * Returned by a handler that will reply later through {@link ActorContext.replyLater}.
 * A handler that returns `DEFER` without having called `replyLater` crashes its actor.
 */
export const DEFER: unique symbol = Symbol("chorus.defer");
/** The type of {@link DEFER}. */
export type Deferred = typeof DEFER;

/** One handler per message tag: `(state, payload, ctx) => reply`. */
export type Handlers<M extends Protocol<M>, S> = {
  [K in Tag<M>]: (state: S, payload: PayloadOf<M, K>, ctx: ActorContext<M, S>) => ReplyOf<M, K> | Deferred;
};

/** A trapped exit signal: a linked actor (or an explicit `exit`) stopped with `reason`. */
export interface ExitSignal {
  readonly type: "exit";
  /** The actor that exited (or sent the exit signal). */
  readonly from: AnyRef;
  readonly reason: ExitReason;
}

/** A monitor fired: the monitored actor stopped with `reason`. */
export interface DownSignal {
  readonly type: "down";
  /** The monitor returned by {@link ActorContext.monitor}. */
  readonly monitor: MonitorRef;
  /** The actor that was monitored. */
  readonly ref: AnyRef;
  readonly reason: ExitReason;
}

/**
 * What an actor does: its logic, separate from the runtime that runs it. Handlers are
 * synchronous turns: they read `state`, may call `ctx.setState(next)`, send messages, and return
 * the reply. A handler that throws discards the whole turn (state change, sends, timers, spawns)
 * and the actor crashes; its supervisor decides what happens next.
 *
 * Treat state as immutable: build the next state and pass it to `setState`. Mutating `state` in
 * place is not rolled back when a turn throws.
 *
 * @typeParam M - the protocol (an interface of one-argument methods).
 * @typeParam S - the state.
 * @typeParam A - the argument of `init`.
 */
export interface Behaviour<M extends Protocol<M>, S, A = void> {
  /** Name used in refs' descriptions, logs and crash reports. Default "actor". */
  readonly name?: string;
  /** Builds the initial state. Throwing makes the spawn fail with a SpawnError. */
  init(args: A, ctx: ActorContext<M, S>): S;
  /** Message handlers, one per tag of `M`. */
  readonly handlers: Handlers<M, S>;
  /** Handles a trapped exit signal (only when the actor traps exits). Default: ignore it. */
  onExit?(state: S, signal: ExitSignal, ctx: ActorContext<M, S>): void;
  /** Handles a monitor's down signal. Default: ignore it. */
  onDown?(state: S, signal: DownSignal, ctx: ActorContext<M, S>): void;
  /**
   * Runs when the actor stops for any reason except `killed`, after its last turn. It may send
   * messages (they are delivered); throwing turns the exit reason into a crash.
   */
  terminate?(state: S, reason: ExitReason, ctx: ActorContext<M, S>): void;
  /** Mailbox bound and overflow policy. Default: 10,000 messages, `reject`. */
  readonly mailbox?: MailboxOptions;
  /** Start trapping exit signals (they arrive at `onExit` instead of stopping the actor). */
  readonly trapExits?: boolean;
}

/** Any behaviour, with its types erased. */
// biome-ignore lint/suspicious/noExplicitAny: erased behaviour for heterogeneous collections.
export type AnyBehaviour = Behaviour<any, any, any>;
