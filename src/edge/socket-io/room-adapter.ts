/**
 * Room membership of one namespace, in memory: which sockets are in which rooms, both ways, so
 * that joining, leaving, forgetting a socket and resolving a broadcast's recipients are each
 * proportional to what they touch. Every socket is in the room named after its own id.
 *
 * Memory per socket is kept small, since most sockets are in their own room and one or two
 * others: a socket's own room is an entry in one namespace-wide set (not a set per socket), and
 * the rooms of a socket in a single other room are that room's name (a set only from two).
 */

/** The rooms of one socket besides its own: one name, or a set from two on. */
type SocketRooms = string | Set<string>;

/** Room membership of one namespace. */
export class RoomAdapter {
  /** Members of every room other than a socket's own, by room. */
  readonly #rooms = new Map<string, Set<string>>();
  /** Sockets in the room named after their own id. */
  readonly #selves = new Set<string>();
  /** The rooms of each socket besides its own (absent when none). */
  readonly #socketRooms = new Map<string, SocketRooms>();

  /** Number of non-empty rooms. */
  get roomCount(): number {
    let count = this.#rooms.size;
    for (const id of this.#selves) if (!this.#rooms.has(id)) count++;
    return count;
  }

  /** Puts socket `id` in `room` (idempotent). */
  join(id: string, room: string): void {
    if (room === id) {
      this.#selves.add(id);
      return;
    }
    let members = this.#rooms.get(room);
    if (members === undefined) this.#rooms.set(room, (members = new Set()));
    members.add(id);
    const rooms = this.#socketRooms.get(id);
    if (rooms === undefined) this.#socketRooms.set(id, room);
    else if (typeof rooms === "string") {
      if (rooms !== room) this.#socketRooms.set(id, new Set([rooms, room]));
    } else rooms.add(room);
  }

  /** Takes socket `id` out of `room` (idempotent); an emptied room is forgotten. */
  leave(id: string, room: string): void {
    if (room === id) {
      this.#selves.delete(id);
      return;
    }
    this.#leaveMembers(id, room);
    const rooms = this.#socketRooms.get(id);
    if (rooms === room) this.#socketRooms.delete(id);
    else if (typeof rooms === "object") {
      rooms.delete(room);
      if (rooms.size === 0) this.#socketRooms.delete(id);
    }
  }

  /** Takes socket `id` out of every room. */
  leaveAll(id: string): void {
    this.#selves.delete(id);
    const rooms = this.#socketRooms.get(id);
    if (rooms === undefined) return;
    this.#socketRooms.delete(id);
    if (typeof rooms === "string") this.#leaveMembers(id, rooms);
    else for (const room of rooms) this.#leaveMembers(id, room);
  }

  /** The rooms socket `id` is in (a snapshot): its own first, then the others in join order. */
  roomsOf(id: string): ReadonlySet<string> {
    const out = new Set<string>();
    if (this.#selves.has(id)) out.add(id);
    const rooms = this.#socketRooms.get(id);
    if (typeof rooms === "string") out.add(rooms);
    else if (rooms !== undefined) for (const room of rooms) out.add(room);
    return out;
  }

  /**
   * The sockets in `room`: a live view (do not mutate) for a named room; a fresh set for a
   * socket's own room.
   */
  membersOf(room: string): ReadonlySet<string> {
    const members = this.#rooms.get(room);
    if (!this.#selves.has(room)) return members ?? EMPTY;
    return members === undefined ? new Set([room]) : new Set([room, ...members]);
  }

  /**
   * The ids of the sockets in any of `rooms` (or all of `allIds` when `rooms` is empty), minus
   * those in any of `exceptRooms`.
   */
  recipients(rooms: ReadonlySet<string>, exceptRooms: ReadonlySet<string>, allIds: Iterable<string>): Set<string> {
    const out = new Set<string>();
    if (rooms.size === 0) {
      for (const id of allIds) out.add(id);
    } else {
      for (const room of rooms) for (const id of this.membersOf(room)) out.add(id);
    }
    for (const room of exceptRooms) for (const id of this.membersOf(room)) out.delete(id);
    return out;
  }

  #leaveMembers(id: string, room: string): void {
    const members = this.#rooms.get(room);
    if (members === undefined) return;
    members.delete(id);
    if (members.size === 0) this.#rooms.delete(room);
  }
}

const EMPTY: ReadonlySet<string> = new Set();
