import type { ActorCell } from "./actor-cell.js";
import { ActorExitedError } from "./errors.js";
import { ExitReasons } from "./exit-reason.js";
import type { LoopRuntime } from "./loop.js";
import type { PendingAsk } from "./pending-ask.js";
import type { Target } from "./target.js";
import { OUT_ASK, OUT_EFFECT, OUT_TELL, Turn } from "./turn.js";

/**
 * The stack of turns running on a loop (a near call nests a turn inside its caller's) and the
 * transaction rules: commit applies state, then sends and effects in order, then the reply, then
 * a requested stop; abort discards all of it and stops the children the turn spawned. Turns are
 * pooled, so a turn that sends nothing allocates nothing. Internal.
 */
export class TurnStack {
  /** The innermost running turn, or null outside any turn. */
  current: Turn | null = null;
  readonly #pool: Turn[] = [];
  readonly #loop: LoopRuntime;

  constructor(loop: LoopRuntime) {
    this.#loop = loop;
  }

  begin(cell: ActorCell): Turn {
    const turn = this.#pool.pop() ?? new Turn();
    turn.reset(cell, this.current);
    this.current = turn;
    cell.turn = turn;
    return turn;
  }

  /** Applies a turn: state, sends in order, the reply, then a requested stop. */
  commit(cell: ActorCell, turn: Turn, terminating = false): void {
    this.current = turn.previous;
    cell.turn = null;
    if (cell.pendingExit !== null && !terminating) {
      const reason = cell.pendingExit;
      cell.pendingExit = null;
      this.#discard(cell, turn);
      turn.reply?.settle(false, new ActorExitedError(`${cell.describe()} exited during its turn, before replying`));
      this.#recycle(turn);
      cell.exit(reason);
      return;
    }
    if (turn.stateSet) {
      cell.state = turn.nextState;
      this.#loop.tracer?.({ type: "state", actor: cell.describe() });
    }
    const outbox = turn.outbox;
    if (outbox !== null) {
      for (let i = 0; i < outbox.length; i++) {
        const entry = outbox[i]!;
        if (entry.kind === OUT_EFFECT) {
          (entry.run as () => void)();
          continue;
        }
        const target = entry.target as Target;
        target.release();
        if (entry.kind === OUT_TELL) {
          try {
            target.deliverTell(entry.tag, entry.payload);
          } catch {
            this.#loop.deadLetter(target, entry.tag, "mailbox_full");
          }
        } else if (entry.kind === OUT_ASK) {
          target.deliverAsk(entry.tag, entry.payload, entry.pending as PendingAsk);
        }
      }
    }
    if (turn.reply !== null && !turn.replyTaken) turn.reply.settle(true, turn.replyValue);
    const stop = turn.stopReason;
    this.#recycle(turn);
    if (stop !== null && !terminating) cell.exit(stop);
    else if (!cell.scheduled && cell.status !== "dead" && cell.queued > 0) this.#loop.schedule(cell);
  }

  /**
   * Commits a child's init turn into the enclosing turn: its state applies now, its sends and
   * effects (and its own spawns) are moved to `enclosing` and happen when that commits.
   */
  commitInto(cell: ActorCell, turn: Turn, enclosing: Turn): void {
    this.current = turn.previous;
    cell.turn = null;
    if (turn.stateSet) cell.state = turn.nextState;
    if (turn.outbox !== null) for (const entry of turn.outbox) enclosing.push(entry);
    if (turn.spawned !== null) {
      if (enclosing.spawned === null) enclosing.spawned = [];
      enclosing.spawned.push(...turn.spawned);
    }
    const stop = turn.stopReason ?? cell.pendingExit;
    cell.pendingExit = null;
    this.#recycle(turn);
    if (stop !== null) cell.exit(stop);
  }

  /** Discards a turn: releases reservations, fails its asks, undoes effects, kills its spawns. */
  abort(cell: ActorCell, turn: Turn): void {
    this.current = turn.previous;
    cell.turn = null;
    this.#discard(cell, turn);
    this.#recycle(turn);
  }

  #discard(cell: ActorCell, turn: Turn): void {
    const outbox = turn.outbox;
    if (outbox !== null) {
      for (let i = outbox.length - 1; i >= 0; i--) {
        const entry = outbox[i]!;
        if (entry.kind === OUT_EFFECT) entry.undo?.();
        else {
          entry.target?.release();
          entry.pending?.abort();
        }
      }
    }
    // Children spawned by a discarded turn stop newest first, running their terminate.
    if (turn.spawned !== null) {
      for (let i = turn.spawned.length - 1; i >= 0; i--) {
        const child = turn.spawned[i]!;
        cell.unlinkFrom(child);
        child.exit(ExitReasons.shutdown);
      }
    }
  }

  // Pooled turns are reset when reused (begin), not here: at most 64 idle turns may keep the
  // references of their last use a little longer.
  #recycle(turn: Turn): void {
    if (this.#pool.length < 64) this.#pool.push(turn);
  }
}
