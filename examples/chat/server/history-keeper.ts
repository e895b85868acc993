/**
 * The history keeper: a small actor on the main loop that owns the history store on its worker
 * loop and stands in for it under the chat's supervisor. A supervisor spawns its children on its
 * own loop, so it cannot start or restart a far actor itself; the keeper spawns the store
 * (`WorkerLoop.spawn`), monitors it and crashes when the store stops, and its supervisor's restart
 * spawns a fresh store. Requests that arrive while the store is starting wait in a bounded queue.
 *
 * ```
 * rooms / sessions ──ask──► keeper (main loop) ──ask──► store (worker loop "history") ──► SQLite
 *                             ▲  monitor ◄──────────────┘  (store down → keeper crashes → restart)
 * ```
 */
import {
  type ActorContext,
  type Behaviour,
  DEFER,
  describeExitReason,
  type Ref,
  type Settled,
  type WorkerLoop,
} from "../../../src/index.js";
import { ChatError } from "./chat-error.js";
import type { HistoryProtocol } from "./chat-message.js";
import type { HistoryStoreArgs } from "./history-store.js";

/** Most requests held while the store is (re)starting; more are refused with `unavailable`. */
export const KEEPER_QUEUE_LENGTH_MAX = 10_000;

/** What the keeper is started with. */
export interface HistoryKeeperArgs {
  /** The worker loop the store runs on. */
  readonly workerLoop: WorkerLoop;
  /** URL of the module exporting `historyStoreBehaviour`. */
  readonly moduleUrl: string;
  /** The store's arguments (the keeper adds itself as the owner). */
  readonly store: Omit<HistoryStoreArgs, "owner">;
}

/** The keeper's protocol: the history protocol, plus its start-up and an inspection hook. */
export interface HistoryKeeperProtocol extends HistoryProtocol {
  /** The store's spawn settled. */
  started(result: Settled<Ref<HistoryProtocol>>): void;
  /** The current store's far ref (null while starting); for operators and tests. */
  storeRef(): Ref<HistoryProtocol> | null;
}

type Send = (store: Ref<HistoryProtocol>) => void;

interface KeeperState {
  readonly store: Ref<HistoryProtocol> | null;
  readonly waiting: readonly Send[];
}

type Ctx = ActorContext<HistoryKeeperProtocol, KeeperState>;

/** Forwards one request to the store (now, or once it runs) and answers with its reply. */
function forward<R>(state: KeeperState, ctx: Ctx, ask: (store: Ref<HistoryProtocol>) => Promise<R>): typeof DEFER {
  const replier = ctx.replyLater<R>();
  const send: Send = (store) => {
    ask(store).then(
      (value) => replier.reply(value),
      (error: unknown) => replier.fail(error instanceof Error ? error : new Error(String(error))),
    );
  };
  if (state.store !== null) send(state.store);
  else if (state.waiting.length >= KEEPER_QUEUE_LENGTH_MAX)
    replier.fail(new ChatError("unavailable", "the history store is restarting, try again"));
  else ctx.setState({ ...state, waiting: [...state.waiting, send] });
  return DEFER;
}

/** The keeper behaviour: a permanent child of the chat's root supervisor. */
export const historyKeeperBehaviour: Behaviour<HistoryKeeperProtocol, KeeperState, HistoryKeeperArgs> = {
  name: "history-keeper",
  init(args, ctx) {
    const spawned = args.workerLoop.spawn<HistoryProtocol>(args.moduleUrl, "historyStoreBehaviour", {
      ...args.store,
      owner: ctx.self,
    } satisfies HistoryStoreArgs);
    ctx.pipe(spawned, "started");
    return { store: null, waiting: [] };
  },
  handlers: {
    started(state, result, ctx) {
      if (!result.ok) throw new Error("the history store did not start", { cause: result.error });
      ctx.monitor(result.value);
      ctx.setState({ store: result.value, waiting: [] });
      for (const send of state.waiting) send(result.value);
    },
    storeRef: (state) => state.store,
    append: (state, request, ctx) => forward(state, ctx, (store) => store.ask("append", request)),
    latest: (state, query, ctx) => forward(state, ctx, (store) => store.ask("latest", query)),
    after: (state, query, ctx) => forward(state, ctx, (store) => store.ask("after", query)),
    before: (state, query, ctx) => forward(state, ctx, (store) => store.ask("before", query)),
    roomNames: (state, limit, ctx) => forward(state, ctx, (store) => store.ask("roomNames", limit)),
  },
  onDown(_state, signal) {
    // Let it crash: the supervisor restarts the keeper, whose init spawns a new store.
    throw new Error(`the history store stopped (${describeExitReason(signal.reason)})`);
  },
};
