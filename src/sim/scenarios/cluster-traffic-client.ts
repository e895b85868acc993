import type { Behaviour } from "../../kernel/behaviour.js";
import type { ActorContext, Settled } from "../../kernel/context.js";
import type { Ref } from "../../kernel/ref.js";
import type { ClusterLedger } from "./cluster-traffic-ledger.js";
import type { Entry, PostReply, RoomReplica } from "./cluster-traffic-room.js";
import type { Lobby } from "./cluster-traffic-server.js";

/**
 * A client of the cluster-traffic workload: it joins one room through its server's lobby, posts
 * to the room's replica on that server (one post in flight at a time, like an acknowledged
 * Socket.IO emit), applies the room's messages strictly in order, and pulls what it missed when
 * it sees a gap (and periodically, for losses at the tail). Every step is reported to the ledger.
 * State is mutated in place; no handler throws after mutating it.
 */

/** Pacing and timing of a client. */
export interface ClientConfig {
  /**
   * Mean time between two posts, in ms (each gap is drawn in [0.5, 1.5] × the mean from the
   * reactor's randomness). 0 is a closed loop: post again as soon as the previous post settled.
   */
  readonly postIntervalMs: number;
  /** Posts before the client falls quiet. */
  readonly postsMax: number;
  /** Period of the client's pull from its replica, in ms; 0 pulls only when a gap shows. */
  readonly syncIntervalMs: number;
  /** Wait before retrying a failed join, in ms. */
  readonly joinRetryMs: number;
}

/** The protocol of a client actor. */
export interface ClientActor {
  join(): void;
  joined(outcome: Settled<Ref<RoomReplica>>): void;
  tick(): void;
  posted(outcome: Settled<PostReply>): void;
  entry(entry: Entry): void;
  sync(): void;
  synced(outcome: Settled<readonly Entry[]>): void;
  /** Stop posting (the workload ends); syncing goes on. */
  quiesce(): void;
}

/** The arguments of a client actor. */
export interface ClientArgs {
  readonly index: number;
  readonly room: number;
  readonly lobby: Ref<Lobby>;
  readonly ledger: ClusterLedger;
  readonly config: ClientConfig;
}

interface ClientState extends ClientArgs {
  replica: Ref<RoomReplica> | null;
  appliedSeq: number;
  posts: number;
  asks: number;
  joinAsk: string | null;
  postAsk: { readonly askId: string; readonly id: string } | null;
  syncAsk: string | null;
  quiet: boolean;
}

type Ctx = ActorContext<ClientActor, ClientState>;

function nextAskId(state: ClientState, kind: string): string {
  const askId = `c${state.index}.${kind}${state.asks++}`;
  state.ledger.askStarted(askId);
  return askId;
}

function join(state: ClientState, ctx: Ctx): void {
  state.joinAsk = nextAskId(state, "join");
  ctx.pipe(state.lobby.ask("join", { room: state.room, member: ctx.self }), "joined");
}

function post(state: ClientState, ctx: Ctx): void {
  if (state.replica === null || state.postAsk !== null || state.quiet || state.posts >= state.config.postsMax) return;
  const id = `c${state.index}#${state.posts++}`;
  state.postAsk = { askId: nextAskId(state, "post"), id };
  ctx.pipe(state.replica.ask("post", { id, text: `hello from c${state.index}` }), "posted");
}

function pull(state: ClientState, ctx: Ctx): void {
  if (state.replica === null || state.syncAsk !== null) return;
  state.syncAsk = nextAskId(state, "sync");
  ctx.pipe(state.replica.ask("since", state.appliedSeq), "synced");
}

function apply(state: ClientState, entry: Entry): void {
  state.appliedSeq = entry.seq;
  state.ledger.applied(state.index, entry.seq, entry.id);
}

function scheduleTick(state: ClientState, ctx: Ctx): void {
  const meanMs = state.config.postIntervalMs;
  if (meanMs > 0) ctx.sendAfter(meanMs * (0.5 + ctx.reactor.random()), "tick");
}

/** A chat client: join, post at its pace, apply the room's messages in order, repair gaps. */
export const clientBehaviour: Behaviour<ClientActor, ClientState, ClientArgs> = {
  name: "client",
  init(args, ctx) {
    const state: ClientState = {
      ...args,
      replica: null,
      appliedSeq: 0,
      posts: 0,
      asks: 0,
      joinAsk: null,
      postAsk: null,
      syncAsk: null,
      quiet: false,
    };
    join(state, ctx);
    if (args.config.syncIntervalMs > 0) ctx.sendInterval(args.config.syncIntervalMs, "sync");
    return state;
  },
  handlers: {
    join(state, _payload, ctx) {
      if (state.replica === null && state.joinAsk === null) join(state, ctx);
    },
    joined(state, outcome, ctx) {
      state.ledger.askSettled(state.joinAsk!);
      state.joinAsk = null;
      if (!outcome.ok) {
        ctx.sendAfter(state.config.joinRetryMs, "join");
        return;
      }
      state.replica = outcome.value;
      state.ledger.joined(state.index);
      pull(state, ctx);
      if (state.config.postIntervalMs > 0) scheduleTick(state, ctx);
      else post(state, ctx);
    },
    tick(state, _payload, ctx) {
      if (state.quiet) return;
      post(state, ctx);
      scheduleTick(state, ctx);
    },
    posted(state, outcome, ctx) {
      const { askId, id } = state.postAsk!;
      state.ledger.askSettled(askId);
      state.postAsk = null;
      if (outcome.ok && outcome.value.seq > 0) state.ledger.acked(state.index, outcome.value.seq, id);
      if (state.config.postIntervalMs === 0) post(state, ctx);
    },
    entry(state, entry, ctx) {
      if (entry.seq === state.appliedSeq + 1) apply(state, entry);
      else if (entry.seq > state.appliedSeq + 1) pull(state, ctx);
    },
    sync(state, _payload, ctx) {
      pull(state, ctx);
    },
    synced(state, outcome) {
      state.ledger.askSettled(state.syncAsk!);
      state.syncAsk = null;
      if (!outcome.ok) return;
      for (const entry of outcome.value) if (entry.seq === state.appliedSeq + 1) apply(state, entry);
    },
    quiesce(state) {
      state.quiet = true;
    },
  },
};
