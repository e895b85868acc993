import type { ExitReason } from "./exit-reason.js";
import type { MailboxOptions } from "./mailbox.js";
import type { Links, Watchers } from "./links.js";
import type { ReplyTo, Target } from "./target.js";

const TRAP_EXITS = 1;
const SCHEDULED = 2;
const EXITING = 4;

/** The fields of a cell that most actors never set (or only once they do real work). */
export class ColdFields {
  messagesHandled = 0;
  mailboxConfig: Required<MailboxOptions> | null = null;
  exitReason: ExitReason | null = null;
  pendingExit: ExitReason | null = null;
  links: Links = null;
  watchers: Watchers = null;
  monitoring: Map<number, Target> | null = null;
  timers: Map<number, { cancel(): void }> | null = null;
  repliers: Set<ReplyTo> | null = null;
  token: string | null = null;
}

/**
 * The storage of an actor cell: its booleans packed in one number, and its rarely used fields
 * (links, monitors, timers, deferred replies, exit reason, export token, counters) in one object
 * created on first use, so an idle actor stays small — spawning cost is mostly the garbage
 * collector copying cells. Accessors keep every call site as if they were plain fields. Internal.
 */
export class ActorFields {
  #flags: number;
  #cold: ColdFields | null = null;

  constructor(trapExits: boolean) {
    this.#flags = trapExits ? TRAP_EXITS : 0;
  }

  /** The cold fields, created on first use. */
  protected cold(): ColdFields {
    if (this.#cold === null) this.#cold = new ColdFields();
    return this.#cold;
  }

  /** The cold fields if they exist. */
  protected coldOrNull(): ColdFields | null {
    return this.#cold;
  }

  /** Marks the actor as exiting; false if it already was (an actor exits once). */
  protected beginExit(): boolean {
    if ((this.#flags & EXITING) !== 0) return false;
    this.#flags |= EXITING;
    return true;
  }

  /** Whether exit signals arrive as messages (onExit) instead of stopping the actor. */
  get trapExits(): boolean {
    return (this.#flags & TRAP_EXITS) !== 0;
  }
  set trapExits(on: boolean) {
    this.#flags = on ? this.#flags | TRAP_EXITS : this.#flags & ~TRAP_EXITS;
  }

  /** Whether the actor is in the loop's run queue. */
  get scheduled(): boolean {
    return (this.#flags & SCHEDULED) !== 0;
  }
  set scheduled(on: boolean) {
    this.#flags = on ? this.#flags | SCHEDULED : this.#flags & ~SCHEDULED;
  }

  /** Messages handled so far (turns run for messages and near calls). */
  get messagesHandled(): number {
    return this.#cold?.messagesHandled ?? 0;
  }

  /** Why the actor stopped (null while alive). */
  get exitReason(): ExitReason | null {
    return this.#cold?.exitReason ?? null;
  }
  set exitReason(value: ExitReason | null) {
    if (value !== null || this.#cold !== null) this.cold().exitReason = value;
  }

  /** An exit requested while the actor was in a turn; applied when the turn ends. */
  get pendingExit(): ExitReason | null {
    return this.#cold?.pendingExit ?? null;
  }
  set pendingExit(value: ExitReason | null) {
    if (value !== null || this.#cold !== null) this.cold().pendingExit = value;
  }

  /** Actors linked to this one (see `links.ts` for the forms). */
  get links(): Links {
    return this.#cold?.links ?? null;
  }
  set links(value: Links) {
    if (value !== null || this.#cold !== null) this.cold().links = value;
  }

  /** Monitors set on this actor by others (see `links.ts` for the forms). */
  get watchers(): Watchers {
    return this.#cold?.watchers ?? null;
  }
  set watchers(value: Watchers) {
    if (value !== null || this.#cold !== null) this.cold().watchers = value;
  }

  /** Monitors this actor holds on others (removed when it exits, as in Erlang). */
  get monitoring(): Map<number, Target> | null {
    return this.#cold?.monitoring ?? null;
  }
  set monitoring(value: Map<number, Target> | null) {
    if (value !== null || this.#cold !== null) this.cold().monitoring = value;
  }

  /** This actor's timers (they die with it). */
  get timers(): Map<number, { cancel(): void }> | null {
    return this.#cold?.timers ?? null;
  }
  set timers(value: Map<number, { cancel(): void }> | null) {
    if (value !== null || this.#cold !== null) this.cold().timers = value;
  }

  /** Requests whose reply was deferred with replyLater and not sent yet. */
  get repliers(): Set<ReplyTo> | null {
    return this.#cold?.repliers ?? null;
  }
  set repliers(value: Set<ReplyTo> | null) {
    if (value !== null || this.#cold !== null) this.cold().repliers = value;
  }

  /** The capability token under which this actor is exported to other loops. */
  get token(): string | null {
    return this.#cold?.token ?? null;
  }
  set token(value: string | null) {
    if (value !== null || this.#cold !== null) this.cold().token = value;
  }
}
