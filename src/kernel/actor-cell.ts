import { type AnyBehaviour, DEFER, type DownSignal, type ExitSignal } from "./behaviour.js";
import { ContextImpl } from "./context.js";
import { Envelope, EXIT_SIGNAL, MESSAGE } from "./envelope.js";
import {
  ActorCrashedError,
  ActorDeadError,
  ActorExitedError,
  BadMessageError,
  CallCycleError,
  SpawnError,
} from "./errors.js";
import { describeExitReason, type ExitReason, ExitReasons } from "./exit-reason.js";
import type { LoopRuntime as Loop } from "./loop.js";
import { Inbox } from "./inbox.js";
import { dropMonitors, linkCells, signalLinks, signalWatchers, unlinkCells } from "./links.js";
import type { MailboxOptions } from "./mailbox.js";
import { type AnyRef, makeRef } from "./ref.js";
import type { ReplyTo, Target, Watcher } from "./target.js";
import type { Turn } from "./turn.js";

const TRAP_EXITS = 1;
const SCHEDULED = 2;
const EXITING = 4;

/** The fields of a cell that most actors never set (or only once they do real work). */
class ColdFields {
  messagesHandled = 0;
  mailboxConfig: Required<MailboxOptions> | null = null;
  exitReason: ExitReason | null = null;
  pendingExit: ExitReason | null = null;
  links: Set<ActorCell> | null = null;
  watchers: Map<number, Watcher> | null = null;
  monitoring: Map<number, Target> | null = null;
  timers: Map<number, { cancel(): void }> | null = null;
  repliers: Set<ReplyTo> | null = null;
  token: string | null = null;
}

/** Lifecycle of an actor: `starting` (in init) → `running` → `dead`. */
export type ActorStatus = "starting" | "running" | "dead";

/** A near reply that is not synchronous: raised when a near-called handler returns DEFER. */
class NearReply implements ReplyTo {
  settled = false;
  ok = false;
  value: unknown;
  settle(ok: boolean, value: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.ok = ok;
    this.value = value;
  }
}

/**
 * The runtime of one actor on its loop: state, mailbox, turns, links, monitors and timers.
 * Internal: users hold `Ref`s and write behaviours. One cell per actor incarnation (a restart
 * makes a new cell, as in Erlang).
 */
export class ActorCell implements Target {
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
  // Booleans packed in one field, and rarely used fields in one lazily created object, so that
  // an idle actor stays small (spawning cost is mostly the garbage collector copying cells).
  private flags: number;
  private cold: ColdFields | null = null;

  constructor(
    loop: Loop,
    id: number,
    behaviour: AnyBehaviour,
    mailboxConfig: Required<MailboxOptions> | null,
    trapExits: boolean,
  ) {
    this.loop = loop;
    this.id = id;
    this.behaviour = behaviour;
    this.flags = trapExits ? TRAP_EXITS : 0;
    if (mailboxConfig !== null) this.coldFields().mailboxConfig = mailboxConfig;
    this.ref = makeRef(this);
  }

  /** The context handed to this actor's handlers (created on first use). */
  get ctx(): ContextImpl {
    if (this.context === null) this.context = new ContextImpl(this);
    return this.context;
  }

  /** Whether exit signals arrive as messages (onExit) instead of stopping the actor. */
  get trapExits(): boolean {
    return (this.flags & TRAP_EXITS) !== 0;
  }
  set trapExits(on: boolean) {
    this.flags = on ? this.flags | TRAP_EXITS : this.flags & ~TRAP_EXITS;
  }

  /** Whether the actor is in the loop's run queue. */
  get scheduled(): boolean {
    return (this.flags & SCHEDULED) !== 0;
  }
  set scheduled(on: boolean) {
    this.flags = on ? this.flags | SCHEDULED : this.flags & ~SCHEDULED;
  }

  /** Messages handled so far (turns run for messages and near calls). */
  get messagesHandled(): number {
    return this.cold?.messagesHandled ?? 0;
  }

  /** Mailbox bound and policy: the behaviour's (shared), or the spawn options' override. */
  get mailboxConfig(): Required<MailboxOptions> {
    return this.cold?.mailboxConfig ?? this.loop.mailboxConfigFor(this.behaviour);
  }

  get name(): string {
    return this.behaviour.name ?? "actor";
  }

  get isNear(): boolean {
    return true;
  }

  private coldFields(): ColdFields {
    if (this.cold === null) this.cold = new ColdFields();
    return this.cold;
  }

  /** Why the actor stopped (null while alive). */
  get exitReason(): ExitReason | null {
    return this.cold?.exitReason ?? null;
  }
  set exitReason(value: ExitReason | null) {
    if (value !== null || this.cold !== null) this.coldFields().exitReason = value;
  }

  /** An exit requested while the actor was in a turn; applied when the turn ends. */
  get pendingExit(): ExitReason | null {
    return this.cold?.pendingExit ?? null;
  }
  set pendingExit(value: ExitReason | null) {
    if (value !== null || this.cold !== null) this.coldFields().pendingExit = value;
  }

  /** Actors linked to this one. */
  get links(): Set<ActorCell> | null {
    return this.cold?.links ?? null;
  }
  set links(value: Set<ActorCell> | null) {
    if (value !== null || this.cold !== null) this.coldFields().links = value;
  }

  /** Monitors set on this actor by others. */
  get watchers(): Map<number, Watcher> | null {
    return this.cold?.watchers ?? null;
  }
  set watchers(value: Map<number, Watcher> | null) {
    if (value !== null || this.cold !== null) this.coldFields().watchers = value;
  }

  /** Monitors this actor holds on others (removed when it exits, as in Erlang). */
  get monitoring(): Map<number, Target> | null {
    return this.cold?.monitoring ?? null;
  }
  set monitoring(value: Map<number, Target> | null) {
    if (value !== null || this.cold !== null) this.coldFields().monitoring = value;
  }

  /** This actor's timers (they die with it). */
  get timers(): Map<number, { cancel(): void }> | null {
    return this.cold?.timers ?? null;
  }
  set timers(value: Map<number, { cancel(): void }> | null) {
    if (value !== null || this.cold !== null) this.coldFields().timers = value;
  }

  /** Requests whose reply was deferred with replyLater and not sent yet. */
  get repliers(): Set<ReplyTo> | null {
    return this.cold?.repliers ?? null;
  }
  set repliers(value: Set<ReplyTo> | null) {
    if (value !== null || this.cold !== null) this.coldFields().repliers = value;
  }

  /** The capability token under which this actor is exported to other loops. */
  get token(): string | null {
    return this.cold?.token ?? null;
  }
  set token(value: string | null) {
    if (value !== null || this.cold !== null) this.coldFields().token = value;
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
    const turn = this.loop.turns.begin(this);
    let state: unknown;
    try {
      // A context holds nothing but its cell, so init gets a temporary one: an actor that never
      // receives a message keeps no context object alive (see the spawn benchmark).
      state = this.behaviour.init(args, this.context ?? new ContextImpl(this));
    } catch (error) {
      this.loop.turns.abort(this, turn);
      this.status = "dead";
      this.exitReason = ExitReasons.crash(error);
      this.loop.forget(this);
      if (this.links !== null) for (const other of this.links) other.links?.delete(this);
      this.links = null;
      throw new SpawnError(`${this.describe()} failed to start: ${errorText(error)}`, { cause: error });
    }
    this.state = state;
    this.status = "running";
    // Spawned inside another actor's turn: the child's init effects join that turn, so they
    // happen only if it commits (a discarded turn leaves no trace, not even its children's sends).
    const enclosing = turn.previous;
    if (enclosing !== null) this.loop.turns.commitInto(this, turn, enclosing);
    else this.loop.turns.commit(this, turn);
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
    if (envelope.kind === MESSAGE) this.handleMessage(envelope);
    else this.handleSignal(envelope);
    return true;
  }

  private handleMessage(envelope: Envelope): void {
    const handler = handlerFor(this.behaviour, envelope.tag);
    if (typeof handler !== "function") {
      const error = new BadMessageError(`${this.describe()} has no handler for "${envelope.tag}"`);
      if (envelope.reply !== null) envelope.reply.settle(false, error);
      else this.loop.deadLetter(this, envelope.tag, "no_handler");
      return;
    }
    this.coldFields().messagesHandled++;
    const turn = this.loop.turns.begin(this);
    turn.reply = envelope.reply;
    let result: unknown;
    try {
      result = handler(this.state, envelope.payload, this.ctx);
      if (result === DEFER && !turn.replyTaken) {
        throw new BadMessageError(`handler "${envelope.tag}" returned DEFER without calling ctx.replyLater()`);
      }
    } catch (error) {
      this.loop.turns.abort(this, turn);
      this.loop.tracer?.({ type: "turn", actor: this.describe(), tag: envelope.tag, outcome: "crash" });
      if (envelope.reply !== null) {
        envelope.reply.settle(
          false,
          new ActorCrashedError(`${this.describe()} crashed handling "${envelope.tag}": ${errorText(error)}`, {
            cause: error,
          }),
        );
      }
      this.exit(ExitReasons.crash(error));
      return;
    }
    if (envelope.reply !== null && !turn.replyTaken) turn.replyValue = result;
    this.loop.tracer?.({ type: "turn", actor: this.describe(), tag: envelope.tag, outcome: "ok" });
    this.loop.turns.commit(this, turn);
  }

  private handleSignal(envelope: Envelope): void {
    const signal = envelope.signal as ExitSignal | DownSignal;
    const hook = envelope.kind === EXIT_SIGNAL ? this.behaviour.onExit : this.behaviour.onDown;
    if (hook === undefined) return;
    this.runHook(hook as (state: unknown, arg: unknown, ctx: unknown) => void, signal);
  }

  /** Runs a hook (onExit, onDown) as a turn; a throw crashes the actor. */
  runHook(hook: (state: unknown, arg: unknown, ctx: unknown) => void, arg: unknown): void {
    const turn = this.loop.turns.begin(this);
    try {
      hook.call(this.behaviour, this.state, arg, this.ctx);
    } catch (error) {
      this.loop.turns.abort(this, turn);
      this.exit(ExitReasons.crash(error));
      return;
    }
    this.loop.turns.commit(this, turn);
  }

  callNow(tag: string, payload: unknown): unknown {
    if (this.status !== "running") throw new ActorDeadError(`${this.describe()} is not alive`);
    if (this.turn !== null) {
      throw new CallCycleError(`near call to ${this.describe()} ("${tag}") would re-enter it: it is already in a turn`);
    }
    const handler = handlerFor(this.behaviour, tag);
    if (typeof handler !== "function") throw new BadMessageError(`${this.describe()} has no handler for "${tag}"`);
    const reply = new NearReply();
    this.coldFields().messagesHandled++;
    const turn = this.loop.turns.begin(this);
    turn.reply = reply;
    let result: unknown;
    try {
      result = handler(this.state, payload, this.ctx);
    } catch (error) {
      this.loop.turns.abort(this, turn);
      this.exit(ExitReasons.crash(error));
      throw new ActorCrashedError(`${this.describe()} crashed handling near call "${tag}": ${errorText(error)}`, {
        cause: error,
      });
    }
    if (result === DEFER && !turn.replyTaken) {
      this.loop.turns.abort(this, turn);
      this.exit(ExitReasons.crash(new BadMessageError(`handler "${tag}" returned DEFER without replyLater()`)));
      throw new BadMessageError(
        `handler "${tag}" of ${this.describe()} returned DEFER without calling ctx.replyLater()`,
      );
    }
    if (!turn.replyTaken) turn.replyValue = result;
    this.loop.turns.commit(this, turn);
    // A deferred reply settled within the same turn still answers the near call.
    if (result === DEFER && !reply.settled) {
      throw new BadMessageError(
        `handler "${tag}" of ${this.describe()} defers its reply past the turn; use ask, not a near call`,
      );
    }
    if (reply.settled && !reply.ok) throw reply.value;
    return reply.settled ? reply.value : result;
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
    if ((this.flags & EXITING) !== 0) return;
    this.flags |= EXITING;
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
    if (this.watchers === null) this.watchers = new Map();
    this.watchers.set(monitorId, watcher);
    return monitorId;
  }

  demonitor(monitorId: number): void {
    this.watchers?.delete(monitorId);
    this.loop.cancelDeferredDown(monitorId);
  }

  /** Adds a two-way link (same loop); linking to a dead actor signals `noproc` at once. */
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

type Handler = (state: unknown, payload: unknown, ctx: unknown) => unknown;

// Own properties only: a tag such as "constructor" or "valueOf" is not a handler.
function handlerFor(behaviour: AnyBehaviour, tag: string): Handler | undefined {
  const handlers = behaviour.handlers as Record<string, Handler>;
  return Object.hasOwn(handlers, tag) ? handlers[tag] : undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
