/**
 * The lobby: answers `rooms:list` and tells every client about the rooms (`rooms` event) after
 * membership changes, at most once per `roomsBroadcastThrottleMs` (a Reactor timer). It keeps no
 * data of its own — counts are read from the rooms when needed — so a restart loses nothing.
 */
import type { Behaviour, SocketIoServer } from "../../../src/index.js";
import type { ChatServices, RoomSummary } from "./chat-services.js";

/** What the lobby understands. */
export interface LobbyProtocol {
  /** A room's membership changed (or a room started). */
  changed(): void;
  /** The throttle timer fired: broadcast `rooms`. */
  announce(): void;
  /** Every room with its member count. */
  list(): readonly RoomSummary[];
}

/** What the lobby is started with. */
export interface LobbyArgs {
  readonly io: SocketIoServer;
  readonly services: ChatServices;
  /** Least time between two `rooms` broadcasts, in ms. */
  readonly throttleMs: number;
}

interface LobbyState {
  readonly args: LobbyArgs;
  /** True while an `announce` is scheduled. */
  readonly scheduled: boolean;
}

/** The lobby behaviour: a permanent child of the root supervisor. */
export const lobbyBehaviour: Behaviour<LobbyProtocol, LobbyState, LobbyArgs> = {
  name: "lobby",
  init: (args) => ({ args, scheduled: false }),
  handlers: {
    changed(state, _none, ctx) {
      if (state.scheduled) return;
      ctx.sendAfter(state.args.throttleMs, "announce");
      ctx.setState({ ...state, scheduled: true });
    },
    announce(state, _none, ctx) {
      ctx.setState({ ...state, scheduled: false });
      state.args.io.emit("rooms", { rooms: state.args.services.roomSummaries() });
    },
    list: (state) => state.args.services.roomSummaries(),
  },
};
