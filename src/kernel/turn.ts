import type { ActorCell } from "./actor-cell.js";
import type { PendingAsk } from "./pending-ask.js";
import type { ReplyTo, Target } from "./target.js";

/** Outbox entry kinds. */
export const OUT_TELL = 0;
export const OUT_ASK = 1;
export const OUT_EFFECT = 2;

/** One buffered effect of a turn. */
export interface OutboxEntry {
  kind: number;
  target: Target | null;
  tag: string;
  payload: unknown;
  pending: PendingAsk | null;
  /** For effects: runs on commit. */
  run: (() => void) | null;
  /** For effects: runs on abort. */
  undo: (() => void) | null;
}

/**
 * The transaction of one turn: the next state, buffered sends and effects, the reply, and a
 * requested stop. Committed when the handler returns, discarded when it throws. Internal;
 * pooled by the loop so a turn allocates nothing unless it sends.
 */
export class Turn {
  cell: ActorCell | null = null;
  previous: Turn | null = null;
  stateSet = false;
  nextState: unknown = undefined;
  outbox: OutboxEntry[] | null = null;
  reply: ReplyTo | null = null;
  replyTaken = false;
  replyValue: unknown = undefined;
  stopReason: import("./exit-reason.js").ExitReason | null = null;
  spawned: ActorCell[] | null = null;

  reset(cell: ActorCell, previous: Turn | null): void {
    this.cell = cell;
    this.previous = previous;
    this.stateSet = false;
    this.nextState = undefined;
    this.outbox = null;
    this.reply = null;
    this.replyTaken = false;
    this.replyValue = undefined;
    this.stopReason = null;
    this.spawned = null;
  }

  push(entry: OutboxEntry): void {
    if (this.outbox === null) this.outbox = [entry];
    else this.outbox.push(entry);
  }

  pushSend(kind: number, target: Target, tag: string, payload: unknown, pending: PendingAsk | null): void {
    this.push({ kind, target, tag, payload, pending, run: null, undo: null });
  }

  pushEffect(run: () => void, undo: (() => void) | null = null): void {
    this.push({ kind: OUT_EFFECT, target: null, tag: "", payload: undefined, pending: null, run, undo });
  }
}
