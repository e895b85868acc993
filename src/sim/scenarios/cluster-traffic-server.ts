import type { Behaviour } from "../../kernel/behaviour.js";
import type { Loop } from "../../kernel/loop.js";
import type { AnyRef, Ref } from "../../kernel/ref.js";
import type { ClientActor } from "./cluster-traffic-client.js";
import type { ClusterLedger } from "./cluster-traffic-ledger.js";
import {
  type ReplicaConfig,
  type RoomHome,
  type RoomReplica,
  roomHomeBehaviour,
  roomReplicaBehaviour,
} from "./cluster-traffic-room.js";

/** What one server tells another when they meet: its lobby and its room actors, by room. */
export interface Introduction {
  readonly lobby: Ref<Lobby>;
  readonly replicas: readonly Ref<RoomReplica>[];
  /** The homes this server holds (null for rooms homed elsewhere). */
  readonly homes: readonly (Ref<RoomHome> | null)[];
  /** Ask the receiver to introduce itself back. */
  readonly answer: boolean;
}

/**
 * The protocol of a server's lobby: its bootstrap capability, the one ref handed over when a
 * loop connects. Clients join rooms through it; lobbies of two servers introduce their rooms.
 */
export interface Lobby {
  /** Makes `member` a member of `room` on this server; answers the room's local replica. */
  join(request: { readonly room: number; readonly member: Ref<ClientActor> }): Ref<RoomReplica>;
  /** A connection to another server came up: introduce ourselves to its lobby. */
  meet(peer: Ref<Lobby>): void;
  introduce(introduction: Introduction): void;
}

interface LobbyState {
  readonly replicas: readonly Ref<RoomReplica>[];
  readonly homes: readonly (Ref<RoomHome> | null)[];
}

function introduction(state: LobbyState, self: Ref<Lobby>, answer: boolean): Introduction {
  return { lobby: self, replicas: state.replicas, homes: state.homes, answer };
}

/** A server's lobby: admits members to rooms and wires its rooms to other servers' rooms. */
export const lobbyBehaviour: Behaviour<Lobby, LobbyState, LobbyState> = {
  name: "lobby",
  init: (state) => state,
  handlers: {
    join(state, { room, member }) {
      const replica = state.replicas[room]!;
      replica.tell("addMember", member);
      return replica;
    },
    meet(state, peer, ctx) {
      peer.tell("introduce", introduction(state, ctx.self, true));
    },
    introduce(state, intro, ctx) {
      for (let room = 0; room < state.replicas.length; room++) {
        const remoteHome = intro.homes[room];
        if (remoteHome) state.replicas[room]!.tell("setHome", remoteHome);
        const localHome = state.homes[room];
        if (localHome) localHome.tell("addReplica", intro.replicas[room]!);
      }
      if (intro.answer) intro.lobby.tell("introduce", introduction(state, ctx.self, false));
    },
  },
};

/** Options of {@link spawnServer}. */
export interface ServerOptions {
  readonly server: number;
  readonly rooms: number;
  /** The server holding the home of `room`. */
  readonly homeOf: (room: number) => number;
  readonly ledger: ClusterLedger;
  readonly replica: ReplicaConfig;
}

/** Spawns a server's lobby, its room homes and a replica of every room on `loop`. */
export function spawnServer(loop: Loop, options: ServerOptions): { lobby: Ref<Lobby>; actors: AnyRef[] } {
  const homes: (Ref<RoomHome> | null)[] = [];
  const replicas: Ref<RoomReplica>[] = [];
  for (let room = 0; room < options.rooms; room++) {
    const replica = loop.spawn(roomReplicaBehaviour, { room, config: options.replica });
    replicas.push(replica);
    if (options.homeOf(room) !== options.server) {
      homes.push(null);
      continue;
    }
    const home = loop.spawn(roomHomeBehaviour, { room, ledger: options.ledger });
    homes.push(home);
    home.tell("addReplica", replica);
    replica.tell("setHome", home);
  }
  const lobby = loop.spawn(lobbyBehaviour, { replicas, homes });
  const actors: AnyRef[] = [lobby, ...replicas, ...homes.filter((home) => home !== null)];
  return { lobby, actors };
}
