import type { SimSocketIoConnectInfo } from "../edge/sim-socket-io-client.js";

/**
 * The observer's record of the edge-sessions scenario: what the server's handlers did and what
 * each client saw, checked as it is recorded (so the safety invariant costs O(1) per step).
 * It lives outside the nodes, so it survives a client's crash.
 *
 * The guarantees it checks (see docs/simulation.md, "The edge under the simulator"):
 * - **acks**: the handler of an emission (one emit of one post: client, post, attempt) runs at
 *   most once, and an ack a client receives carries what that very handler run returned. A post
 *   whose ack was lost is re-emitted as a new attempt after reconnecting, so the handler of a
 *   *post* may run more than once: at-least-once, as with the reference client's retries.
 * - **order**: under one socket id, the broadcasts a client processes are exactly the broadcasts
 *   to its room after the socket joined, in the order the server sent them, with none missing
 *   and none twice — across recoveries too, since a recovered socket keeps its id.
 * - **recovery**: a client that presents the pid of a session the server persisted (and that
 *   has not expired) is recovered.
 */

/** What the ledger knows of one client. */
export interface EdgeClientRecord {
  readonly index: number;
  readonly room: number;
  /** The socket id the client holds (its last CONNECT reply), or null before the first. */
  sid: string | null;
  connected: boolean;
  /** Index, in its room's broadcast list, of the next broadcast the client must process. */
  next: number;
  /** Posts started, and acknowledged (each post is acknowledged once, whatever its attempts). */
  postsStarted: number;
  postsAcked: number;
  /** The client left for good (its node crashed and stays down). */
  gone: boolean;
  connects: number;
  recoveries: number;
  disconnects: number;
}

/** Counters for the test's and the report's eyes. */
export interface EdgeLedgerStats {
  handled: number;
  acked: number;
  broadcasts: number;
  delivered: number;
  /** Sockets the server recovered. */
  recovered: number;
  /** Sessions persisted for recovery (recoverable disconnections). */
  persisted: number;
}

/** See the module comment. */
export class EdgeLedger {
  /** The first safety violation seen, or null. */
  safetyViolation: string | null = null;
  /** The seqs of the broadcasts to each room, in the order the server sent them. */
  readonly rooms: number[][];
  readonly clients: EdgeClientRecord[];
  readonly stats: EdgeLedgerStats = { handled: 0, acked: 0, broadcasts: 0, delivered: 0, recovered: 0, persisted: 0 };
  /** How often notable things happened ("close: slow consumer", "upgrade"…), for reports and tests. */
  readonly counts = new Map<string, number>();
  /** True in the heal phase: clients start no new post. */
  quiet = false;
  readonly #maxDisconnectionDurationMs: number;
  #seq = 0;
  /** Socket id → index of the first broadcast of its room it must get. */
  readonly #joinIndex = new Map<string, number>();
  /** Emission key → the seq its handler run returned. */
  readonly #handled = new Map<string, number>();
  /** pid → server time (ms) its session was persisted. */
  readonly #persisted = new Map<string, number>();

  constructor(rooms: number, clientRooms: readonly number[], maxDisconnectionDurationMs: number) {
    this.rooms = Array.from({ length: rooms }, () => []);
    this.clients = clientRooms.map((room, index) => ({
      index,
      room,
      sid: null,
      connected: false,
      next: 0,
      postsStarted: 0,
      postsAcked: 0,
      gone: false,
      connects: 0,
      recoveries: 0,
      disconnects: 0,
    }));
    this.#maxDisconnectionDurationMs = maxDisconnectionDurationMs;
  }

  // ---- the server's side ----

  /**
   * A socket passed its CONNECT and joined its room (`connection` listener). `presentedPid` is
   * the pid in its auth, if any; `nowMs` is the server's clock.
   */
  serverJoined(sid: string, room: number, recovered: boolean, presentedPid: unknown, nowMs: number): void {
    if (recovered) {
      this.stats.recovered++;
      if (!this.#joinIndex.has(sid)) this.#fail(`the server recovered socket ${sid}, which never joined`);
      if (typeof presentedPid === "string") this.#persisted.delete(presentedPid);
      return;
    }
    this.#joinIndex.set(sid, this.rooms[room]!.length);
    if (typeof presentedPid !== "string") return;
    const persistedAtMs = this.#persisted.get(presentedPid);
    if (persistedAtMs !== undefined && nowMs - persistedAtMs < this.#maxDisconnectionDurationMs) {
      this.#fail(`session ${presentedPid} was persisted ${Math.round(nowMs - persistedAtMs)} ms ago but not recovered`);
    }
    this.#persisted.delete(presentedPid);
  }

  /** A socket whose session the server persisted for recovery disconnected. */
  serverPersisted(pid: string, nowMs: number): void {
    this.stats.persisted++;
    this.#persisted.set(pid, nowMs);
  }

  /** The `post` handler runs for emission `key`: returns the seq of the broadcast it sends. */
  handled(key: string, room: number): number {
    if (this.#handled.has(key)) this.#fail(`the handler ran twice for emission ${key}`);
    const seq = ++this.#seq;
    this.#handled.set(key, seq);
    this.rooms[room]!.push(seq);
    this.stats.handled++;
    this.stats.broadcasts++;
    return seq;
  }

  // ---- the clients' side ----

  /** Client `index` got a CONNECT reply. */
  clientConnected(index: number, info: SimSocketIoConnectInfo): void {
    const client = this.clients[index]!;
    client.connects++;
    client.connected = true;
    if (info.recovered) {
      client.recoveries++;
      if (info.sid !== client.sid) this.#fail(`c${index} recovered as ${info.sid}, not as its socket ${client.sid}`);
      return;
    }
    const join = this.#joinIndex.get(info.sid);
    if (join === undefined) return this.#fail(`c${index} connected as ${info.sid}, which the server never announced`);
    client.sid = info.sid;
    client.next = join;
  }

  /** Client `index` processed broadcast `seq`. */
  clientReceived(index: number, seq: number): void {
    const client = this.clients[index]!;
    const list = this.rooms[client.room]!;
    const expected = list[client.next];
    this.stats.delivered++;
    if (seq === expected) {
      client.next++;
      return;
    }
    const previous = client.next > 0 ? `#${list[client.next - 1]}` : "its join";
    if (expected === undefined || seq < expected) {
      this.#fail(`c${index} (socket ${client.sid}) processed #${seq} after ${previous}: a duplicate or out of order`);
    } else {
      this.#fail(`c${index} (socket ${client.sid}) processed #${seq} after ${previous}: it never got #${expected}`);
    }
    client.next = Math.max(client.next, list.indexOf(seq) + 1);
  }

  /** Client `index` lost its connection. */
  clientDisconnected(index: number): void {
    const client = this.clients[index]!;
    client.connected = false;
    client.disconnects++;
  }

  /** Client `index` started a post (its first attempt). */
  postStarted(index: number): void {
    this.clients[index]!.postsStarted++;
  }

  /** Client `index` got the ack of emission `key`, carrying `seq`. */
  clientAcked(index: number, key: string, seq: unknown): void {
    this.stats.acked++;
    this.clients[index]!.postsAcked++;
    const handled = this.#handled.get(key);
    if (handled === undefined) this.#fail(`c${index} got an ack for ${key}, whose handler never ran`);
    else if (handled !== seq)
      this.#fail(`c${index} got the ack ${String(seq)} for ${key}, whose handler returned ${handled}`);
  }

  /** Client `index` left for good. */
  clientGone(index: number): void {
    const client = this.clients[index]!;
    client.gone = true;
    client.connected = false;
  }

  // ---- liveness ----

  /** The clients still around. */
  liveClients(): EdgeClientRecord[] {
    return this.clients.filter((client) => !client.gone);
  }

  /** Null when every live client has processed every broadcast to its room since it joined. */
  deliveryGap(): string | null {
    const behind: string[] = [];
    for (const client of this.liveClients()) {
      const missing = this.rooms[client.room]!.length - client.next;
      if (missing > 0) behind.push(`c${client.index} misses ${missing}`);
    }
    return behind.length === 0 ? null : `broadcasts not processed: ${behind.join(", ")}`;
  }

  /** Null when every live client's posts are all acknowledged. */
  unackedPosts(): string | null {
    const open = this.liveClients().filter((client) => client.postsAcked < client.postsStarted);
    return open.length === 0 ? null : `posts awaiting their ack: ${open.map((c) => `c${c.index}`).join(", ")}`;
  }

  /** Counts one occurrence of `what`. */
  count(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  #fail(message: string): void {
    this.safetyViolation ??= message;
  }
}
