import { type Behaviour, DEFER } from "../../kernel/behaviour.js";
import type { ActorContext, Settled } from "../../kernel/context.js";
import type { Ref } from "../../kernel/ref.js";
import type { ClientActor } from "./cluster-traffic-client.js";
import type { ClusterLedger } from "./cluster-traffic-ledger.js";

/**
 * The rooms of the cluster-traffic workload. Each room has one *home* actor on one server: the
 * authoritative, append-only log that numbers messages. Every server has a *replica* of every
 * room: clients post to the replica of their own server, which forwards to the home; the home
 * fans each committed message out to every replica, which tells its local members. Replicas and
 * members that miss a message (loss, partition) notice the gap and pull what they lack with
 * `since`; periodic syncs catch losses at the tail of the log.
 *
 * State is mutated in place (copying a log on every message would make a run quadratic): these
 * handlers never throw after mutating, so no turn is ever discarded half-done.
 */

/** One committed message of a room. */
export interface Entry {
  /** Position in the room's log, from 1. */
  readonly seq: number;
  /** The poster's message id, unique per run. */
  readonly id: string;
  readonly text: string;
}

/** What a client posts. */
export interface PostRequest {
  readonly id: string;
  readonly text: string;
}

/** The answer to a post: the sequence number, or 0 with the reason it was not committed. */
export interface PostReply {
  readonly seq: number;
  readonly why?: string;
}

/** The protocol of a room's home. */
export interface RoomHome {
  post(request: PostRequest): PostReply;
  /** Every entry after `afterSeq`. */
  since(afterSeq: number): readonly Entry[];
  addReplica(replica: Ref<RoomReplica>): void;
}

/** The protocol of a room's replica on one server. */
export interface RoomReplica {
  post(request: PostRequest): PostReply;
  entry(entry: Entry): void;
  since(afterSeq: number): readonly Entry[];
  addMember(member: Ref<ClientActor>): void;
  setHome(home: Ref<RoomHome>): void;
  sync(): void;
  synced(outcome: Settled<readonly Entry[]>): void;
}

interface HomeState {
  readonly room: number;
  readonly ledger: ClusterLedger;
  readonly log: Entry[];
  readonly replicas: Ref<RoomReplica>[];
}

/** A room's home: numbers posts, fans each one out to every replica, answers `since`. */
export const roomHomeBehaviour: Behaviour<RoomHome, HomeState, { room: number; ledger: ClusterLedger }> = {
  name: "room",
  init: ({ room, ledger }) => ({ room, ledger, log: [], replicas: [] }),
  handlers: {
    post(state, request) {
      const entry: Entry = { seq: state.log.length + 1, id: request.id, text: request.text };
      state.log.push(entry);
      state.ledger.committed(state.room, entry.seq, entry.id);
      for (const replica of state.replicas) replica.tell("entry", entry);
      return { seq: entry.seq };
    },
    since: (state, afterSeq) => state.log.slice(afterSeq),
    addReplica(state, replica) {
      state.replicas.push(replica);
    },
  },
};

/** Timing of a replica. */
export interface ReplicaConfig {
  /** Time the replica waits for the home's answer to a forwarded post, in ms. */
  readonly forwardTimeoutMs: number;
  /** Period of the replica's pull from the home, in ms; 0 pulls only when a gap shows. */
  readonly syncIntervalMs: number;
}

interface ReplicaState {
  readonly room: number;
  readonly config: ReplicaConfig;
  home: Ref<RoomHome> | null;
  readonly log: Entry[];
  readonly members: Ref<ClientActor>[];
  syncing: boolean;
}

function append(state: ReplicaState, entry: Entry): void {
  state.log.push(entry);
  for (const member of state.members) member.tell("entry", entry);
}

function pull(state: ReplicaState, ctx: ActorContext<RoomReplica, ReplicaState>): void {
  if (state.home === null || state.syncing) return;
  state.syncing = true;
  ctx.pipe(state.home.ask("since", state.log.length), "synced");
}

/** A room's replica on one server: forwards posts, relays entries to local members, serves gaps. */
export const roomReplicaBehaviour: Behaviour<RoomReplica, ReplicaState, { room: number; config: ReplicaConfig }> = {
  name: "replica",
  init({ room, config }, ctx) {
    if (config.syncIntervalMs > 0) ctx.sendInterval(config.syncIntervalMs, "sync");
    return { room, config, home: null, log: [], members: [], syncing: false };
  },
  handlers: {
    post(state, request, ctx) {
      const replier = ctx.replyLater<PostReply>();
      if (state.home === null) {
        replier.reply({ seq: 0, why: "room home not connected yet" });
        return DEFER;
      }
      // Failures travel as values: an error's stack would put file paths into the trace.
      state.home.ask("post", request, { timeoutMs: state.config.forwardTimeoutMs }).then(
        (reply) => replier.reply(reply),
        (error: unknown) => replier.reply({ seq: 0, why: (error as { code?: string }).code ?? "error" }),
      );
      return DEFER;
    },
    entry(state, entry, ctx) {
      if (entry.seq === state.log.length + 1) append(state, entry);
      else if (entry.seq > state.log.length + 1) pull(state, ctx);
    },
    since: (state, afterSeq) => state.log.slice(afterSeq),
    addMember(state, member) {
      state.members.push(member);
    },
    setHome(state, home, ctx) {
      state.home = home;
      pull(state, ctx);
    },
    sync(state, _payload, ctx) {
      pull(state, ctx);
    },
    synced(state, outcome) {
      state.syncing = false;
      if (!outcome.ok) return;
      for (const entry of outcome.value) if (entry.seq === state.log.length + 1) append(state, entry);
    },
  },
};
