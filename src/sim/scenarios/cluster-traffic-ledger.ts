/**
 * What the cluster-traffic scenario's invariants read: every commit of a room, every
 * acknowledgement a client got, every message a member applied and every ask a client made.
 * The actors report here as they act; each report checks its safety property at once (so the
 * per-step safety check is O(1)), and the liveness counters are kept up to date incrementally.
 */

interface RoomRecord {
  /** Message id committed at each sequence number (index seq - 1). */
  readonly committed: string[];
  /** Highest sequence number acknowledged to a poster. */
  maxAckedSeq: number;
  /** Clients whose join was acknowledged. */
  readonly members: number[];
}

interface ClientRecord {
  readonly room: number;
  joined: boolean;
  /** Highest sequence number applied (members apply in order, from 1). */
  appliedSeq: number;
}

/** Counters for reports and benchmarks. */
export interface LedgerCounts {
  readonly commits: number;
  readonly acks: number;
  readonly applied: number;
  readonly asksStarted: number;
  readonly asksSettled: number;
}

/** The observations of one cluster-traffic run. */
export class ClusterLedger {
  readonly #rooms: RoomRecord[] = [];
  readonly #clients: ClientRecord[];
  readonly #outstanding = new Set<string>();
  #joined = 0;
  /** Joined (member, room) pairs whose applied sequence is below the room's highest ack. */
  #lagging = 0;
  #commits = 0;
  #acks = 0;
  #applied = 0;
  #asksStarted = 0;
  #asksSettled = 0;
  #safety: string | null = null;
  #gap: { readonly version: string; readonly text: string } | null = null;

  /** @param clientRooms - the room of each client, by client index. */
  constructor(roomCount: number, clientRooms: readonly number[]) {
    for (let i = 0; i < roomCount; i++) this.#rooms.push({ committed: [], maxAckedSeq: 0, members: [] });
    this.#clients = clientRooms.map((room) => ({ room, joined: false, appliedSeq: 0 }));
  }

  /** The first safety violation seen, or null. */
  get safetyViolation(): string | null {
    return this.#safety;
  }

  /** Counters so far. */
  get counts(): LedgerCounts {
    return {
      commits: this.#commits,
      acks: this.#acks,
      applied: this.#applied,
      asksStarted: this.#asksStarted,
      asksSettled: this.#asksSettled,
    };
  }

  /** A client sent an ask identified by `askId` (unique per run). */
  askStarted(askId: string): void {
    this.#asksStarted++;
    if (this.#outstanding.has(askId)) this.#violate(`ask ${askId} was started twice`);
    this.#outstanding.add(askId);
  }

  /** The ask `askId` settled (with a reply or an error). */
  askSettled(askId: string): void {
    this.#asksSettled++;
    if (!this.#outstanding.delete(askId)) this.#violate(`ask ${askId} settled twice (or was never started)`);
  }

  /** The room's home committed message `id` at `seq`. */
  committed(room: number, seq: number, id: string): void {
    const record = this.#rooms[room]!;
    this.#commits++;
    if (seq !== record.committed.length + 1) {
      this.#violate(`room ${room} committed ${id} at seq ${seq}, expected ${record.committed.length + 1}`);
    }
    record.committed.push(id);
  }

  /** Client `client` learnt that its message `id` was committed at `seq`. */
  acked(client: number, seq: number, id: string): void {
    const { room } = this.#clients[client]!;
    const record = this.#rooms[room]!;
    this.#acks++;
    if (record.committed[seq - 1] !== id) {
      this.#violate(
        `c${client} was told ${id} is seq ${seq} of room ${room}, but that is ${record.committed[seq - 1]}`,
      );
    }
    if (seq <= record.maxAckedSeq) return;
    const previous = record.maxAckedSeq;
    record.maxAckedSeq = seq;
    for (const member of record.members) {
      const applied = this.#clients[member]!.appliedSeq;
      if (applied >= previous && applied < seq) this.#lagging++;
    }
  }

  /** Client `client` is a member of its room (its join was acknowledged). */
  joined(client: number): void {
    const record = this.#clients[client]!;
    if (record.joined) return;
    record.joined = true;
    this.#joined++;
    const room = this.#rooms[record.room]!;
    room.members.push(client);
    if (record.appliedSeq < room.maxAckedSeq) this.#lagging++;
  }

  /** Client `client` applied message `id` at `seq` of its room. */
  applied(client: number, seq: number, id: string): void {
    const record = this.#clients[client]!;
    const room = this.#rooms[record.room]!;
    this.#applied++;
    if (seq !== record.appliedSeq + 1) this.#violate(`c${client} applied seq ${seq} after ${record.appliedSeq}`);
    if (room.committed[seq - 1] !== id) {
      this.#violate(
        `c${client} applied ${id} as seq ${seq} of room ${record.room}, committed: ${room.committed[seq - 1]}`,
      );
    }
    const before = record.appliedSeq;
    record.appliedSeq = seq;
    if (record.joined && before < room.maxAckedSeq && seq >= room.maxAckedSeq) this.#lagging--;
  }

  /** Null when every client joined and every acknowledged message reached every member. */
  deliveryGap(): string | null {
    if (this.#joined === this.#clients.length && this.#lagging === 0) return null;
    // Checked after every step of the heal phase: describe the gap again only when it changed.
    const version = `${this.#joined}/${this.#lagging}/${this.#acks}/${this.#applied}`;
    if (this.#gap === null || this.#gap.version !== version) this.#gap = { version, text: this.#describeGap() };
    return this.#gap.text;
  }

  #describeGap(): string {
    const behind: string[] = [];
    this.#clients.forEach((client, index) => {
      const room = this.#rooms[client.room]!;
      if (!client.joined) behind.push(`c${index} never joined room ${client.room}`);
      else if (client.appliedSeq < room.maxAckedSeq) {
        behind.push(
          `c${index} has room ${client.room} up to seq ${client.appliedSeq} of ${room.maxAckedSeq} acknowledged`,
        );
      }
    });
    const shown = behind.slice(0, 5).join("; ");
    return `${behind.length} client(s) missing acknowledged messages: ${shown}${behind.length > 5 ? "; ..." : ""}`;
  }

  /** Null when every ask a client made has settled. */
  unsettledAsks(): string | null {
    if (this.#outstanding.size === 0) return null;
    const some = [...this.#outstanding].slice(0, 5).join(", ");
    return `${this.#outstanding.size} ask(s) never settled: ${some}${this.#outstanding.size > 5 ? ", ..." : ""}`;
  }

  #violate(message: string): void {
    this.#safety ??= message;
  }
}
