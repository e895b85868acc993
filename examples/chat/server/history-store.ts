/**
 * The history store: an actor on its own worker loop that owns the SQLite file. Appends are
 * batched — collected for up to `flushDelayMs` (a Reactor timer, `ctx.sendAfter`) or until
 * `batchMessagesMax` are waiting — then written in one transaction, and only then is each asker
 * answered (`ctx.replyLater` + `DEFER`). A read first writes whatever is waiting, so it sees every
 * append sent before it. It watches its owner (the keeper on the main loop) and stops when the
 * owner goes, so a restarted keeper never leaves a second store behind.
 *
 * ```
 * append ─┐                         flush (timer or full batch)
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
  /** How long appends are collected before a write, in ms. */
  readonly flushDelayMs: number;
  /** Most appends in one transaction. */
  readonly batchMessagesMax: number;
}

/** The store's protocol: the history protocol plus its own flush timer. */
export interface HistoryStoreProtocol extends HistoryProtocol {
  /** The flush timer fired. */
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
  readonly timer: TimerRef | null;
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
    return { db, args, pending: [], timer: null };
  },
  handlers: {
    append(state, request, ctx) {
      const replier = ctx.replyLater<AppendResult>();
      const next: StoreState = { ...state, pending: [...state.pending, { request, replier }] };
      if (next.pending.length >= state.args.batchMessagesMax) ctx.setState(flushPending(next, ctx));
      else if (next.timer === null) ctx.setState({ ...next, timer: ctx.sendAfter(state.args.flushDelayMs, "flush") });
      else ctx.setState(next);
      return DEFER;
    },
    flush(state, _none, ctx) {
      ctx.setState(flushPending({ ...state, timer: null }, ctx));
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
