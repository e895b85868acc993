/**
 * Room membership of one namespace, in memory: which sockets are in which rooms, both ways, so
 * that joining, leaving, forgetting a socket and resolving a broadcast's recipients are each
 * proportional to what they touch. Every socket is in the room named after its own id.
 */

/** Room membership of one namespace. */
export class RoomAdapter {
  readonly #rooms = new Map<string, Set<string>>();
  readonly #socketRooms = new Map<string, Set<string>>();

  /** Number of non-empty rooms. */
  get roomCount(): number {
    return this.#rooms.size;
  }

  /** Puts socket `id` in `room` (idempotent). */
  join(id: string, room: string): void {
    let members = this.#rooms.get(room);
    if (members === undefined) this.#rooms.set(room, (members = new Set()));
    members.add(id);
    let rooms = this.#socketRooms.get(id);
    if (rooms === undefined) this.#socketRooms.set(id, (rooms = new Set()));
    rooms.add(room);
  }

  /** Takes socket `id` out of `room` (idempotent); an emptied room is forgotten. */
  leave(id: string, room: string): void {
    const members = this.#rooms.get(room);
    if (members !== undefined) {
      members.delete(id);
      if (members.size === 0) this.#rooms.delete(room);
    }
    this.#socketRooms.get(id)?.delete(room);
  }

  /** Takes socket `id` out of every room. */
  leaveAll(id: string): void {
    const rooms = this.#socketRooms.get(id);
    if (rooms === undefined) return;
    this.#socketRooms.delete(id);
    for (const room of rooms) {
      const members = this.#rooms.get(room);
      if (members === undefined) continue;
      members.delete(id);
      if (members.size === 0) this.#rooms.delete(room);
    }
  }

  /** The rooms socket `id` is in (a snapshot). */
  roomsOf(id: string): ReadonlySet<string> {
    return new Set(this.#socketRooms.get(id));
  }

  /** The sockets in `room` (live view; do not mutate). */
  membersOf(room: string): ReadonlySet<string> {
    return this.#rooms.get(room) ?? EMPTY;
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
}

const EMPTY: ReadonlySet<string> = new Set();
