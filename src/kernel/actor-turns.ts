import type { ActorCell } from "./actor-cell.js";
import { type AnyBehaviour, DEFER, type DownSignal, type ExitSignal } from "./behaviour.js";
import type { ContextImpl } from "./context.js";
import { type Envelope, EXIT_SIGNAL } from "./envelope.js";
import { ActorCrashedError, ActorDeadError, BadMessageError, CallCycleError, SpawnError } from "./errors.js";
import { ExitReasons } from "./exit-reason.js";
import type { ReplyTo } from "./target.js";

/**
 * Running an actor's turns: its init, a queued message, a signal hook, a near call. Each runs
 * inside a turn of the loop's TurnStack: committed when the code returns, discarded (and the
 * actor crashed) when it throws. Internal helpers of ActorCell.
 */

type Handler = (state: unknown, payload: unknown, ctx: unknown) => unknown;
type Hook = (state: unknown, arg: unknown, ctx: unknown) => void;

/** The reply slot of a near call: filled at commit, read right after. */
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

/** Runs `init` as the actor's first turn. @throws SpawnError (the cell is then dead) if it throws. */
export function runInit(cell: ActorCell, args: unknown, ctx: ContextImpl): void {
  const turns = cell.loop.turns;
  const turn = turns.begin(cell);
  let state: unknown;
  try {
    state = cell.behaviour.init(args, ctx);
  } catch (error) {
    turns.abort(cell, turn);
    cell.failStart(error);
    throw new SpawnError(`${cell.describe()} failed to start: ${errorText(error)}`, { cause: error });
  }
  cell.state = state;
  cell.status = "running";
  // Spawned inside another actor's turn: the child's init effects join that turn, so they
  // happen only if it commits (a discarded turn leaves no trace, not even its children's sends).
  const enclosing = turn.previous;
  if (enclosing !== null) turns.commitInto(cell, turn, enclosing);
  else turns.commit(cell, turn);
}

/** Handles one queued message as a turn; an unknown tag is refused without crashing the actor. */
export function runMessage(cell: ActorCell, envelope: Envelope): void {
  const loop = cell.loop;
  const handler = handlerFor(cell.behaviour, envelope.tag);
  if (handler === undefined) {
    const error = new BadMessageError(`${cell.describe()} has no handler for "${envelope.tag}"`);
    if (envelope.reply !== null) envelope.reply.settle(false, error);
    else loop.deadLetter(cell, envelope.tag, "no_handler");
    return;
  }
  cell.countHandled();
  const turn = loop.turns.begin(cell);
  turn.reply = envelope.reply;
  let result: unknown;
  try {
    result = handler(cell.state, envelope.payload, cell.ctx);
    if (result === DEFER && !turn.replyTaken) {
      throw new BadMessageError(`handler "${envelope.tag}" returned DEFER without calling ctx.replyLater()`);
    }
  } catch (error) {
    loop.turns.abort(cell, turn);
    loop.tracer?.({ type: "turn", actor: cell.describe(), tag: envelope.tag, outcome: "crash" });
    const why = `${cell.describe()} crashed handling "${envelope.tag}": ${errorText(error)}`;
    envelope.reply?.settle(false, new ActorCrashedError(why, { cause: error }));
    cell.exit(ExitReasons.crash(error));
    return;
  }
  if (envelope.reply !== null && !turn.replyTaken) turn.replyValue = result;
  loop.tracer?.({ type: "turn", actor: cell.describe(), tag: envelope.tag, outcome: "ok" });
  loop.turns.commit(cell, turn);
}

/** Hands a queued exit or down signal to the behaviour's onExit / onDown hook, if it has one. */
export function runSignal(cell: ActorCell, envelope: Envelope): void {
  const signal = envelope.signal as ExitSignal | DownSignal;
  const hook = envelope.kind === EXIT_SIGNAL ? cell.behaviour.onExit : cell.behaviour.onDown;
  if (hook === undefined) return;
  const turn = cell.loop.turns.begin(cell);
  try {
    (hook as Hook).call(cell.behaviour, cell.state, signal, cell.ctx);
  } catch (error) {
    cell.loop.turns.abort(cell, turn);
    cell.exit(ExitReasons.crash(error));
    return;
  }
  cell.loop.turns.commit(cell, turn);
}

/**
 * A near call: runs the handler now as its own turn and returns the reply (a deferred reply
 * settled within the same turn counts).
 * @throws ActorDeadError, CallCycleError, BadMessageError, ActorCrashedError
 */
export function runNearCall(cell: ActorCell, tag: string, payload: unknown): unknown {
  if (cell.status !== "running") throw new ActorDeadError(`${cell.describe()} is not alive`);
  if (cell.turn !== null) {
    throw new CallCycleError(`near call to ${cell.describe()} ("${tag}") would re-enter it: it is already in a turn`);
  }
  const handler = handlerFor(cell.behaviour, tag);
  if (handler === undefined) throw new BadMessageError(`${cell.describe()} has no handler for "${tag}"`);
  const turns = cell.loop.turns;
  const reply = new NearReply();
  cell.countHandled();
  const turn = turns.begin(cell);
  turn.reply = reply;
  let result: unknown;
  try {
    result = handler(cell.state, payload, cell.ctx);
  } catch (error) {
    turns.abort(cell, turn);
    cell.exit(ExitReasons.crash(error));
    const why = `${cell.describe()} crashed handling near call "${tag}": ${errorText(error)}`;
    throw new ActorCrashedError(why, { cause: error });
  }
  if (result === DEFER && !turn.replyTaken) {
    turns.abort(cell, turn);
    cell.exit(ExitReasons.crash(new BadMessageError(`handler "${tag}" returned DEFER without replyLater()`)));
    throw new BadMessageError(`handler "${tag}" of ${cell.describe()} returned DEFER without calling ctx.replyLater()`);
  }
  if (!turn.replyTaken) turn.replyValue = result;
  turns.commit(cell, turn);
  if (result === DEFER && !reply.settled) {
    throw new BadMessageError(
      `handler "${tag}" of ${cell.describe()} defers its reply past the turn; use ask, not a near call`,
    );
  }
  if (reply.settled && !reply.ok) throw reply.value;
  return reply.settled ? reply.value : result;
}

// Own properties only: a tag such as "constructor" or "valueOf" is not a handler.
function handlerFor(behaviour: AnyBehaviour, tag: string): Handler | undefined {
  const handlers = behaviour.handlers as Record<string, Handler>;
  const handler = Object.hasOwn(handlers, tag) ? handlers[tag] : undefined;
  return typeof handler === "function" ? handler : undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
