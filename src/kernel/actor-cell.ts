import { runInit, runMessage, runNearCall, runSignal } from "./actor-turns.js";
import type { AnyBehaviour, DownSignal, ExitSignal } from "./behaviour.js";
import { ContextImpl } from "./context.js";
import { Envelope, EXIT_SIGNAL, MESSAGE } from "./envelope.js";
import { ActorDeadError, ActorExitedError } from "./errors.js";
import { describeExitReason, type ExitReason, ExitReasons } from "./exit-reason.js";
import type { LoopRuntime as Loop } from "./loop.js";
import { ActorFields } from "./actor-fields.js";
import { Inbox } from "./inbox.js";
import {
  addWatcher,
  dropMonitors,
  forgetLinks,
  linkCells,
  removeWatcher,
  signalLinks,
  signalWatchers,
  unlinkCells,
} from "./links.js";
import type { MailboxOptions } from "./mailbox.js";
import { type AnyRef, makeRef } from "./ref.js";
import type { ReplyTo, Target, Watcher } from "./target.js";
import type { Turn } from "./turn.js";

/** Lifecycle of an actor: `starting` (in init) → `running` → `dead`. */
export type ActorStatus = "starting" | "running" | "dead";

/** A near reply that is not synchronous: raised when a near-called handler returns DEFER. */

/**
 * The runtime of one actor on its loop: state, mailbox, turns, links, monitors and timers.
 * Internal: users hold `Ref`s and write behaviours. One cell per actor incarnation (a restart
 * makes a new cell, as in Erlang).
 */
export class ActorCell extends ActorFields implements Target {
  readonly loop: Loop;
  readonly id: number;
  readonly behaviour: AnyBehaviour;
  state: unknown = undefined;
  status: ActorStatus = "starting";
  /** Set while a turn of this actor is running (a near call into it is a cycle). */
  turn: Turn | null = null;
  /** Created with the first message: an actor that never received one pays for no queue. */
  inbox: Inbox | null = null;
  readonly ref: AnyRef;
  private context: ContextImpl | null = null;
  /** Neighbours in the loop's list of live actors (maintained by the loop). */
  older: ActorCell | null = null;
  newer: ActorCell | null = null;

  constructor(
    loop: Loop,
    id: number,
    behaviour: AnyBehaviour,
    mailboxConfig: Required<MailboxOptions> | null,
    trapExits: boolean,
  ) {
    super(trapExits);
    this.loop = loop;
    this.id = id;
    this.behaviour = behaviour;
    if (mailboxConfig !== null) this.cold().mailboxConfig = mailboxConfig;
    this.ref = makeRef(this);
  }

  /** The context handed to this actor's handlers (created on first use). */
  get ctx(): ContextImpl {
    if (this.context === null) this.context = new ContextImpl(this);
    return this.context;
  }

  /** Mailbox bound and policy: the behaviour's (shared), or the spawn options' override. */
  get mailboxConfig(): Required<MailboxOptions> {
    return this.coldOrNull()?.mailboxConfig ?? this.loop.mailboxConfigFor(this.behaviour);
  }

  get name(): string {
    return this.behaviour.name ?? "actor";
  }

  get isNear(): boolean {
    return true;
  }

  /** Envelopes queued (messages and signals). */
  get queued(): number {
    return this.inbox?.length ?? 0;
  }

  private inboxFor(): Inbox {
    if (this.inbox === null) this.inbox = new Inbox(this.mailboxConfig, this);
    return this.inbox;
  }

  /** @internal Called by the inbox when its policy drops a tell. */
  droppedTell(tag: string): void {
    this.loop.deadLetter(this, tag, "mailbox_full");
  }

  describe(): string {
    return `${this.name}#${this.id}@${this.loop.name}`;
  }

  /** Runs `init` as the first turn. Throws SpawnError (the cell is then dead) if it throws. */
  start(args: unknown): void {
    runInit(this, args, this.context ?? new ContextImpl(this));
  }

  /** @internal init failed: the cell is dead and unlinked, without exit signals (spawn throws). */
  failStart(error: unknown): void {
    this.status = "dead";
    this.exitReason = ExitReasons.crash(error);
    this.loop.forget(this);
    forgetLinks(this);
    this.loop.farLinks?.cellForgotten(this);
  }

  /** @internal Counts a handled message (for inspection). */
  countHandled(): void {
    this.cold().messagesHandled++;
  }

  // ---- eventual delivery ----

  deliverTell(tag: string, payload: unknown): void {
    if (this.status === "dead") {
      this.loop.deadLetter(this, tag, "dead");
      return;
    }
    this.enqueue(new Envelope(MESSAGE, tag, payload, null, null), true);
  }

  deliverAsk(tag: string, payload: unknown, reply: ReplyTo): void {
    if (this.status === "dead") {
      reply.settle(false, new ActorDeadError(`${this.describe()} is not alive`));
      return;
    }
    try {
      this.enqueue(new Envelope(MESSAGE, tag, payload, reply, null), true);
    } catch (error) {
      reply.settle(false, error);
    }
  }

  /** Queues a signal (exit, down): signals never count against the bound. */
  deliverSignal(kind: number, signal: ExitSignal | DownSignal): void {
    if (this.status === "dead") return;
    this.enqueue(new Envelope(kind, "", undefined, null, signal), false);
  }

  reserve(_tag: string): void {
    if (this.status !== "dead") this.inboxFor().reserve();
  }

  release(): void {
    this.inbox?.release();
  }

  private enqueue(envelope: Envelope, bounded: boolean): void {
    this.inboxFor().push(envelope, bounded);
    if (!this.scheduled && this.turn === null) this.loop.schedule(this);
  }

  // ---- turns ----

  /** Handles the next queued envelope as one turn. Returns false when the mailbox is empty. */
  handleNext(): boolean {
    const envelope = this.inbox?.shift();
    if (envelope === undefined) return false;
    if (envelope.kind === MESSAGE) runMessage(this, envelope);
    else runSignal(this, envelope);
    return true;
  }

  callNow(tag: string, payload: unknown): unknown {
    return runNearCall(this, tag, payload);
  }

  // ---- exits ----

  /**
   * Stops the actor with `reason`: runs `terminate` (unless killed), cancels its timers, fails
   * its queued and outstanding asks, and signals links and monitors. Deferred while in a turn.
   */
  exit(reason: ExitReason): void {
    if (this.status === "dead") return;
    if (this.turn !== null) {
      if (this.pendingExit === null || reason.type === "killed") this.pendingExit = reason;
      return;
    }
    // Exit once: what terminate's committed effects cause (a linked child stopping and its exit
    // signal coming back) must not start a second exit with another reason.
    if (!this.beginExit()) return;
    let finalReason = reason;
    if (reason.type !== "killed" && this.status === "running" && this.behaviour.terminate !== undefined) {
      finalReason = this.runTerminate(reason);
    }
    this.status = "dead";
    this.exitReason = finalReason;
    this.cancelTimers();
    dropMonitors(this);
    this.failQueued(finalReason);
    this.loop.forget(this);
    signalLinks(this, finalReason);
    this.loop.farLinks?.cellExited(this, finalReason);
    signalWatchers(this, finalReason);
    this.loop.notifyExit(this, finalReason);
  }

  private runTerminate(reason: ExitReason): ExitReason {
    const terminate = this.behaviour.terminate as (s: unknown, r: ExitReason, c: unknown) => void;
    const turn = this.loop.turns.begin(this);
    try {
      terminate.call(this.behaviour, this.state, reason, this.ctx);
    } catch (error) {
      this.loop.turns.abort(this, turn);
      return ExitReasons.crash(error);
    }
    this.pendingExit = null;
    turn.stopReason = null;
    this.loop.turns.commit(this, turn, true);
    return reason;
  }

  private cancelTimers(): void {
    if (this.timers === null) return;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers = null;
  }

  /** Removes one monitor this actor holds. */
  dropMonitor(monitorId: number): void {
    const target = this.monitoring?.get(monitorId);
    if (target === undefined) return;
    this.monitoring?.delete(monitorId);
    target.demonitor(monitorId);
  }

  private failQueued(reason: ExitReason): void {
    const why = `${this.describe()} stopped (${describeExitReason(reason)}) before replying`;
    for (const envelope of this.inbox?.drain() ?? []) {
      if (envelope.reply !== null) envelope.reply.settle(false, new ActorExitedError(why));
      else if (envelope.kind === MESSAGE) this.loop.deadLetter(this, envelope.tag, "dead");
    }
    if (this.repliers !== null) {
      for (const reply of this.repliers) reply.settle(false, new ActorExitedError(why));
      this.repliers = null;
    }
  }

  /**
   * Receives an exit signal from a link (`viaLink`) or an explicit `exit(ref, reason)`:
   * Erlang's rules — an explicit kill cannot be trapped; trapping actors get a message;
   * `normal` is ignored by non-trapping actors; anything else stops them with the same reason.
   */
  exitSignal(from: AnyRef, reason: ExitReason, viaLink: boolean): void {
    if (this.status === "dead") return;
    if (reason.type === "killed" && !viaLink) {
      this.exit(ExitReasons.killed);
      return;
    }
    if (this.trapExits) {
      this.deliverSignal(EXIT_SIGNAL, { type: "exit", from, reason });
      return;
    }
    if (reason.type === "normal") return;
    this.exit(reason);
  }

  signalExit(reason: ExitReason, from: AnyRef | null): void {
    this.exitSignal(from ?? this.ref, reason, false);
  }

  exportToken(): string {
    if (this.token === null) this.token = this.loop.exportTarget(this);
    return this.token;
  }

  monitor(watcher: Watcher): number {
    if (this.status === "dead") return this.loop.deferDown(watcher, ExitReasons.noproc);
    const monitorId = this.loop.nextMonitorId();
    addWatcher(this, monitorId, watcher);
    return monitorId;
  }

  demonitor(monitorId: number): void {
    removeWatcher(this, monitorId);
    this.loop.cancelDeferredDown(monitorId);
  }

  /** Adds a two-way link (same loop; far links are in far-link.ts); a dead actor signals `noproc` at once. */
  linkWith(other: ActorCell): void {
    linkCells(this, other);
  }

  /** Removes a link. */
  unlinkFrom(other: ActorCell): void {
    unlinkCells(this, other);
  }

  /** @internal Pending ask bookkeeping helper for the context. */
  trackReplier(reply: ReplyTo): void {
    if (this.repliers === null) this.repliers = new Set();
    this.repliers.add(reply);
  }
}
