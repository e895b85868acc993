/**
 * How the chat's actors and sessions find each other: the history keeper and the lobby under the
 * root supervisor, the rooms under the rooms supervisor. Refs change when a child restarts, so
 * every lookup goes through a {@link ChildDirectory} instead of keeping refs around.
 */
import {
  ChildAlreadyPresentError,
  ChildAlreadyStartedError,
  type ChildSpec,
  childSpec,
  type Loop,
  type Ref,
  type SocketIoServer,
  type SupervisorProtocol,
} from "../../../src/index.js";
import { ChatError } from "./chat-error.js";
import { ChildDirectory } from "./child-directory.js";
import type { HistoryKeeperProtocol } from "./history-keeper.js";
import { DEFAULT_ROOM, type ChatLimits } from "./limits.js";
import type { LobbyProtocol } from "./lobby.js";
import { roomBehaviour, type RoomProtocol } from "./room.js";

/** Child ids under the root supervisor. */
export const CHILD_IDS = Object.freeze({ history: "history", rooms: "rooms", lobby: "lobby" });

/** A room in the `rooms` list. */
export interface RoomSummary {
  readonly name: string;
  /** Members present now. */
  readonly members: number;
}

/** What rooms, the lobby and sessions need to reach each other. */
export interface ChatServices {
  /** The history keeper, or null while it restarts. */
  history(): Ref<HistoryKeeperProtocol> | null;
  /** The lobby, or null while it restarts. */
  lobby(): Ref<LobbyProtocol> | null;
  /** The running room `name`, or null. */
  room(name: string): Ref<RoomProtocol> | null;
  /**
   * The room `name`, started if it does not exist yet.
   * @throws ChatError `room_invalid` when the server has `roomsMax` rooms; `unavailable` while the
   *   rooms supervisor restarts.
   */
  openRoom(name: string): Promise<Ref<RoomProtocol>>;
  /** Every running room with its member count: `general` first, then by name. */
  roomSummaries(): RoomSummary[];
}

/** The {@link ChatServices} of one chat server. */
export class ChatDirectory implements ChatServices {
  readonly #root: ChildDirectory;
  readonly #rooms: ChildDirectory;
  readonly #io: SocketIoServer;
  readonly #limits: ChatLimits;

  constructor(loop: Loop, root: Ref<SupervisorProtocol>, io: SocketIoServer, limits: ChatLimits) {
    this.#root = new ChildDirectory(loop, () => root);
    this.#rooms = new ChildDirectory(loop, () => this.#root.lookup(CHILD_IDS.rooms) as Ref<SupervisorProtocol> | null);
    this.#io = io;
    this.#limits = limits;
  }

  /** The child spec of room `name` (a permanent child of the rooms supervisor). */
  roomSpec(name: string): ChildSpec {
    return childSpec(`room:${name}`, roomBehaviour, { name, io: this.#io, services: this, limits: this.#limits });
  }

  /** The rooms supervisor, or null while it restarts. */
  get roomsSupervisor(): Ref<SupervisorProtocol> | null {
    return this.#rooms.supervisor;
  }

  history(): Ref<HistoryKeeperProtocol> | null {
    return this.#root.lookup(CHILD_IDS.history) as Ref<HistoryKeeperProtocol> | null;
  }

  lobby(): Ref<LobbyProtocol> | null {
    return this.#root.lookup(CHILD_IDS.lobby) as Ref<LobbyProtocol> | null;
  }

  room(name: string): Ref<RoomProtocol> | null {
    return this.#rooms.lookup(`room:${name}`) as Ref<RoomProtocol> | null;
  }

  async openRoom(name: string): Promise<Ref<RoomProtocol>> {
    const running = this.room(name);
    if (running !== null) return running;
    const supervisor = this.#rooms.supervisor;
    if (supervisor === null) throw new ChatError("unavailable", "the rooms are restarting, try again");
    if (supervisor.call("countChildren").specs >= this.#limits.roomsMax)
      throw new ChatError("room_invalid", `the server already has ${this.#limits.roomsMax} rooms`);
    try {
      return (await supervisor.ask("startChild", this.roomSpec(name))) as Ref<RoomProtocol>;
    } catch (error) {
      if (!(error instanceof ChildAlreadyStartedError || error instanceof ChildAlreadyPresentError)) throw error;
      const started = this.room(name); // someone else opened it first
      if (started === null) throw new ChatError("unavailable", `#${name} is restarting, try again`);
      return started;
    }
  }

  roomSummaries(): RoomSummary[] {
    const supervisor = this.#rooms.supervisor;
    if (supervisor === null) return [];
    const summaries: RoomSummary[] = [];
    for (const child of supervisor.call("whichChildren")) {
      const ref = child.ref as Ref<RoomProtocol> | null;
      if (ref === null || child.status !== "running") continue;
      try {
        summaries.push(ref.call("summary"));
      } catch {
        // stopped in between; it is listed again once restarted
      }
    }
    return summaries.sort((a, b) =>
      a.name === DEFAULT_ROOM ? -1 : b.name === DEFAULT_ROOM ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }
}
