/**
 * The history store: an actor on its own worker loop that owns the SQLite file. Appends are
 * group-committed: every append that has reached the store's mailbox when the first of them is
 * handled goes into one transaction, and only after its COMMIT is each asker answered
 * (`ctx.replyLater` + `DEFER`). The first append of a batch queues a `flush` message to the store
 * itself, behind the appends already waiting (a MessagePort batch lands in the mailbox all at
 * once), so a batch closes without any timer: under light load a message is written at once,
 * under heavy load batches grow by themselves while a commit runs. With `flushDelayMs > 0` the
 * store instead waits that long (a Reactor timer, `ctx.sendAfter`) to collect more. A full batch
 * (`batchMessagesMax`) is written at once either way. A read first writes whatever is waiting, so
 * it sees every append sent before it. It watches its owner (the keeper on the main loop) and
 * stops when the owner goes, so a restarted keeper never leaves a second store behind.
 *
 * ```
 * append ─┐                     flush (queued behind them)
 * append ─┼─► pending [r1, r2, r3] ─────────────► BEGIN; INSERT ×3; COMMIT (fsync) ─► reply r1, r2, r3
 * append ─┘
 * ```
 */
import { join } from "node:path";
import {
  type ActorContext,
  type AnyRef,
  type Behaviour,
  DEFER,
  type Replier,
  type TimerRef,
} from "../../../src/index.js";
import type { AppendRequest, AppendResult, HistoryProtocol } from "./chat-message.js";
import { HISTORY_FILE_NAME, HistoryDatabase } from "./history-database.js";

/** What the store is spawned with (it crosses loops: plain data and refs only). */
export interface HistoryStoreArgs {
  /** Directory of the SQLite file (created by the caller). */
  readonly dataDir: string;
  /** The actor whose exit stops the store; none when null. */
  readonly owner: AnyRef | null;
  /**
   * How long appends are collected before a write, in ms; 0 writes as soon as the appends already
   * in the mailbox are collected (group commit, no timer).
   */
  readonly flushDelayMs: number;
  /** Most appends in one transaction. */
  readonly batchMessagesMax: number;
}

/** The store's protocol: the history protocol plus its own `flush`. */
export interface HistoryStoreProtocol extends HistoryProtocol {
  /** Write the waiting appends (queued by the first append of a batch, or its timer). */
  flush(): void;
}

interface WaitingAppend {
  readonly request: AppendRequest;
  readonly replier: Replier<AppendResult>;
}

interface StoreState {
  readonly db: HistoryDatabase;
  readonly args: HistoryStoreArgs;
  readonly pending: readonly WaitingAppend[];
  /** The flush timer (`flushDelayMs > 0`), or null. */
  readonly timer: TimerRef | null;
  /** True while a `flush` message to self is queued (`flushDelayMs` 0). */
  readonly flushQueued: boolean;
}

type Ctx = ActorContext<HistoryStoreProtocol, StoreState>;

/** Writes every waiting append in one transaction and answers each; returns the emptied state. */
function flushPending(state: StoreState, ctx: Ctx): StoreState {
  if (state.timer !== null) ctx.cancelTimer(state.timer);
  if (state.pending.length === 0) return { ...state, timer: null };
  const results = state.db.appendBatch(state.pending.map((waiting) => waiting.request));
  state.pending.forEach((waiting, i) => waiting.replier.reply(results[i]!));
  return { ...state, pending: [], timer: null };
}

/**
 * Closes the batch `next` (whose first append just arrived) later: a `flush` queued behind the
 * appends already in the mailbox, or after `flushDelayMs`. A mailbox too full for the `flush`
 * message writes the batch now.
 */
function scheduleFlush(next: StoreState, ctx: Ctx): StoreState {
  if (next.args.flushDelayMs > 0) return { ...next, timer: ctx.sendAfter(next.args.flushDelayMs, "flush") };
  try {
    ctx.self.tell("flush");
  } catch {
    return flushPending(next, ctx);
  }
  return { ...next, flushQueued: true };
}

/** Flushes before a read, so the read sees every earlier append. */
function readFresh(state: StoreState, ctx: Ctx): StoreState {
  if (state.pending.length === 0) return state;
  const next = flushPending(state, ctx);
  ctx.setState(next);
  return next;
}

/** The history store behaviour; spawn it on a worker loop with `WorkerLoop.spawn(url, "historyStoreBehaviour", args)`. */
export const historyStoreBehaviour: Behaviour<HistoryStoreProtocol, StoreState, HistoryStoreArgs> = {
  name: "history-store",
  init(args, ctx) {
    const db = new HistoryDatabase(join(args.dataDir, HISTORY_FILE_NAME));
    if (args.owner !== null) ctx.monitor(args.owner);
    return { db, args, pending: [], timer: null, flushQueued: false };
  },
  handlers: {
    append(state, request, ctx) {
      const replier = ctx.replyLater<AppendResult>();
      const next: StoreState = { ...state, pending: [...state.pending, { request, replier }] };
      if (next.pending.length >= state.args.batchMessagesMax) ctx.setState(flushPending(next, ctx));
      else if (next.timer === null && !next.flushQueued) ctx.setState(scheduleFlush(next, ctx));
      else ctx.setState(next);
      return DEFER;
    },
    flush(state, _none, ctx) {
      ctx.setState(flushPending({ ...state, timer: null, flushQueued: false }, ctx));
    },
    latest: (state, query, ctx) => readFresh(state, ctx).db.latest(query.room, query.limit),
    after: (state, query, ctx) => readFresh(state, ctx).db.after(query.room, query.afterId, query.limit),
    before: (state, query, ctx) => readFresh(state, ctx).db.before(query.room, query.beforeId, query.limit),
    roomNames: (state, limit) => state.db.roomNames(limit),
  },
  onDown(state, _signal, ctx) {
    ctx.setState(flushPending(state, ctx));
    ctx.stop(); // the owner is gone: its successor starts a new store
  },
  terminate(state, _reason, ctx) {
    try {
      flushPending(state, ctx);
    } finally {
      state.db.close();
    }
  },
};
