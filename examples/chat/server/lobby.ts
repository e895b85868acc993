/**
 * The lobby: answers `rooms:list` and tells every client about the rooms (`rooms` event) after
 * membership changes, at most once per `roomsBroadcastThrottleMs` (a Reactor timer), and only
 * when the list differs from the one it last sent. This broadcast goes to every connected client,
 * not to one room, so its rate matters: at 1,000 clients it costs 1,000 frames. It keeps no data
 * of its own but that last list — counts are read from the rooms when needed — so a restart
 * loses nothing (it announces once more).
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
  /** The last `rooms` list sent, as JSON; null before the first. */
  readonly announced: string | null;
}

/** The lobby behaviour: a permanent child of the root supervisor. */
export const lobbyBehaviour: Behaviour<LobbyProtocol, LobbyState, LobbyArgs> = {
  name: "lobby",
  init: (args) => ({ args, scheduled: false, announced: null }),
  handlers: {
    changed(state, _none, ctx) {
      if (state.scheduled) return;
      ctx.sendAfter(state.args.throttleMs, "announce");
      ctx.setState({ ...state, scheduled: true });
    },
    announce(state, _none, ctx) {
      const rooms = state.args.services.roomSummaries();
      const announced = JSON.stringify(rooms);
      ctx.setState({ ...state, scheduled: false, announced });
      if (announced !== state.announced) state.args.io.emit("rooms", { rooms });
    },
    list: (state) => state.args.services.roomSummaries(),
  },
};
