import type { Reactor } from "../reactor/reactor.js";
import type { Behaviour } from "./behaviour.js";
import type { SpawnArgs } from "./context.js";
import type { ExitReason } from "./exit-reason.js";
import type { Protocol } from "./protocol.js";
import type { AnyRef, MonitorRef, Ref } from "./ref.js";
import type { KernelTracer } from "./trace-event.js";

/** Default ask timeout, in ms (Erlang's `gen_server:call` default). */
export const ASK_TIMEOUT_MS_DEFAULT = 5_000;
/** Messages a loop handles per macrotask before yielding to I/O. */
export const DRAIN_BUDGET_DEFAULT = 8_192;
/** Messages one actor handles before the next actor in the run queue gets a go. */
export const ACTOR_THROUGHPUT_DEFAULT = 64;

/** Options of {@link createLoop}. */
export interface LoopOptions {
  /** The Reactor: time, timers, randomness and task scheduling. Required. */
  reactor: Reactor;
  /** A short name for descriptions and logs. Default "main". */
  name?: string;
  /** Loop identity (128-bit hex). Default: a fresh `reactor.uniqueId()`. */
  id?: string;
  /** Default ask timeout in ms. Default 5,000. */
  askTimeoutMs?: number;
  /** Messages handled per macrotask before yielding to I/O. Default 8,192. */
  drainBudget?: number;
  /** Messages one actor handles before yielding to the next. Default 64. */
  actorThroughput?: number;
}

/** A snapshot of one actor, for inspection and tests. */
export interface ActorInfo {
  readonly description: string;
  readonly status: "starting" | "running" | "dead";
  readonly state: unknown;
  /** Messages queued (what the mailbox bound applies to). */
  readonly mailboxLength: number;
  /** Exit and down signals queued (never dropped, not bounded by the mailbox). */
  readonly signalsQueued: number;
  readonly messagesHandled: number;
  readonly trapExits: boolean;
  readonly linkCount: number;
  readonly timerCount: number;
  readonly exitReason: ExitReason | null;
}

/** Passed to {@link Loop.onExit} listeners. */
export interface ExitEvent {
  readonly ref: AnyRef;
  readonly description: string;
  readonly reason: ExitReason;
  /** Monotonic time of the exit (Reactor), in ms. */
  readonly atMs: number;
}

/** Passed to {@link Loop.onDeadLetter} listeners: a message that could not be delivered. */
export interface DeadLetter {
  readonly to: string;
  readonly tag: string;
  readonly why: "dead" | "mailbox_full" | "no_handler" | "unreachable";
}

/**
 * A loop runs actors on one JavaScript event loop (the main thread, or a worker thread). It owns
 * the run queue, the turn stack and the timeout wheel for asks; other loops are reached through
 * a transport, with the same refs.
 */
export interface Loop {
  /** 128-bit hex identity. */
  readonly id: string;
  /** Short name for descriptions. */
  readonly name: string;
  /** The Reactor this loop runs on. */
  readonly reactor: Reactor;
  /** Spawns an actor; runs its `init` now. @throws SpawnError if `init` throws. */
  spawn<M extends Protocol<M>, S, A>(behaviour: Behaviour<M, S, A>, ...rest: SpawnArgs<A>): Ref<M>;
  /** Sends an exit signal to `ref` (`ExitReasons.killed` cannot be trapped). */
  exit(ref: AnyRef, reason: ExitReason): void;
  /** Calls `onDown` once when `ref` stops (at once, deferred, with `noproc` if it is dead). */
  monitor(ref: AnyRef, onDown: (reason: ExitReason) => void): MonitorRef;
  /** Removes a monitor. */
  demonitor(monitor: MonitorRef): void;
  /** A snapshot of an actor on this loop, or undefined for refs to other loops. */
  inspect(ref: AnyRef): ActorInfo | undefined;
  /** Number of live actors on this loop. */
  readonly actorCount: number;
  /** Number of messages that could not be delivered since the loop started. */
  readonly deadLetterCount: number;
  /** Subscribes to every actor exit on this loop; returns the unsubscribe function. */
  onExit(listener: (event: ExitEvent) => void): () => void;
  /** Subscribes to dead letters; returns the unsubscribe function. */
  onDeadLetter(listener: (letter: DeadLetter) => void): () => void;
  /** Stops every actor (newest first) with `shutdown`, closes peer connections; spawning then fails. */
  shutdown(): void;
  /** Sets (or clears, with null) the tracer that sees every spawn, turn, state change and exit. */
  setTracer(tracer: KernelTracer | null): void;
}
