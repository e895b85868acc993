/**
 * Connection state recovery for one namespace: the sessions of sockets that lost their
 * connection (kept `maxDisconnectionDurationMs`, at most `sessionsMax`) and the
 * {@link MissedPacketLog}. A socket that disconnects for a recoverable reason is persisted under
 * its private id (`pid`, sent only in the CONNECT reply); a client that comes back with
 * `{ pid, offset }` in its CONNECT auth claims it — once — and gets its id, rooms, data and the
 * packets after `offset` back.
 *
 * Like the log, the store is pruned lazily (on persist and claim) and needs no timer.
 */
import type { Reactor } from "../../reactor/reactor.js";
import { MissedPacketLog } from "./missed-packet-log.js";
import type { EncodedPacket } from "./packet-encoder.js";
import type { ResolvedRecoveryOptions } from "./recovery-options.js";

/** What a socket keeps across a recovery. */
export interface RecoverableSession {
  /** The socket id. */
  readonly sid: string;
  /** The private session id the client presents to recover. */
  readonly pid: string;
  /**
   * The log position when `pid` was first issued: a client that reconnects without an offset
   * has processed no logged packet since then.
   */
  readonly baseSeq: number;
  /** The rooms the socket was in (its own id included). */
  readonly rooms: readonly string[];
  /** `socket.data` at the disconnection. */
  readonly data: unknown;
}

/** A session claimed by a reconnecting client. */
export interface ClaimedSession extends RecoverableSession {
  /** The packets the client missed up to the claim, oldest first. */
  readonly missed: readonly EncodedPacket[];
  /** The log position at the claim: packets after it are fetched when the socket joins. */
  readonly claimSeq: number;
}

interface StoredSession extends RecoverableSession {
  readonly disconnectedAtMs: number;
}

/** The recovery state of one namespace. */
export class SessionRecovery {
  /** The options it was created with. */
  readonly options: ResolvedRecoveryOptions;
  /** The namespace's missed-packet log. */
  readonly log: MissedPacketLog;
  readonly #reactor: Reactor;
  readonly #sessions = new Map<string, StoredSession>();

  constructor(options: ResolvedRecoveryOptions, reactor: Reactor) {
    this.options = options;
    this.#reactor = reactor;
    this.log = new MissedPacketLog(options, reactor.uniqueId().slice(0, 8));
  }

  /** Number of disconnected sessions kept. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Keeps the session of a socket that lost its connection. */
  persist(session: RecoverableSession): void {
    const nowMs = this.#reactor.nowMs();
    this.#prune(nowMs);
    while (this.#sessions.size >= this.options.sessionsMax) this.#dropOldest();
    this.#sessions.delete(session.pid);
    this.#sessions.set(session.pid, { ...session, disconnectedAtMs: nowMs });
  }

  /**
   * Takes the session `pid` out of the store if it has not expired and the log still holds
   * every packet after `offset` (or, without an offset, after the session's start); null
   * otherwise (the client connects as a new socket).
   */
  claim(pid: unknown, offset: unknown): ClaimedSession | null {
    if (typeof pid !== "string") return null;
    const nowMs = this.#reactor.nowMs();
    this.#prune(nowMs);
    const session = this.#sessions.get(pid);
    if (session === undefined) return null;
    this.#sessions.delete(pid);
    const afterSeq = offset === undefined ? session.baseSeq : this.log.parseOffset(offset);
    if (afterSeq === null) return null;
    const missed = this.log.since(afterSeq, new Set(session.rooms), nowMs);
    if (missed === null) return null;
    const { sid, baseSeq, rooms, data } = session;
    return { sid, pid, baseSeq, rooms, data, missed, claimSeq: this.log.lastSeq };
  }

  /** Forgets sessions older than `maxDisconnectionDurationMs` (the map is in persist order). */
  #prune(nowMs: number): void {
    const oldest = nowMs - this.options.maxDisconnectionDurationMs;
    for (const session of this.#sessions.values()) {
      if (session.disconnectedAtMs >= oldest) break;
      this.#sessions.delete(session.pid);
    }
  }

  #dropOldest(): void {
    for (const pid of this.#sessions.keys()) {
      this.#sessions.delete(pid);
      return;
    }
  }
}
