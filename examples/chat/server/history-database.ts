/**
 * The chat's SQLite file (`better-sqlite3`, blocking, so it only ever runs on the history
 * store's worker loop): opened in WAL mode with `synchronous = FULL`, so a committed batch is on
 * disk before anyone is told. One table of messages; (room, nickname, client_id) is unique, which
 * makes appends idempotent.
 */
import Database from "better-sqlite3";
import type { AppendRequest, AppendResult, ChatMessage, HistoryPage } from "./chat-message.js";

/** The file name inside the data directory. */
export const HISTORY_FILE_NAME = "chat.sqlite";

interface Row {
  id: number;
  room: string;
  nickname: string;
  text: string;
  ts: number;
  client_id: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room TEXT NOT NULL,
  nickname TEXT NOT NULL,
  text TEXT NOT NULL,
  ts INTEGER NOT NULL,
  client_id TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_sender_client_id ON messages (room, nickname, client_id);
CREATE INDEX IF NOT EXISTS messages_room_id ON messages (room, id);
`;

function toMessage(row: Row): ChatMessage {
  return { id: row.id, room: row.room, nickname: row.nickname, text: row.text, ts: row.ts, clientId: row.client_id };
}

/** A page from `limit + 1` rows: the extra row only says there is more. */
function page(rows: Row[], limit: number, descending: boolean): HistoryPage {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  if (descending) kept.reverse();
  return { messages: kept.map(toMessage), hasMore };
}

/** The open history file. Every method blocks: call it from the store's worker loop only. */
export class HistoryDatabase {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #existing: Database.Statement;
  readonly #latest: Database.Statement;
  readonly #after: Database.Statement;
  readonly #before: Database.Statement;
  readonly #rooms: Database.Statement;
  readonly #appendAll: (requests: readonly AppendRequest[]) => AppendResult[];

  /** Opens (creating if needed) the SQLite file at `path`. */
  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    this.#db.pragma("busy_timeout = 5000");
    this.#db.exec(SCHEMA);
    this.#insert = this.#db.prepare(
      "INSERT INTO messages (room, nickname, text, ts, client_id) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (room, nickname, client_id) DO NOTHING RETURNING id",
    );
    this.#existing = this.#db.prepare("SELECT * FROM messages WHERE room = ? AND nickname = ? AND client_id = ?");
    this.#latest = this.#db.prepare("SELECT * FROM messages WHERE room = ? ORDER BY id DESC LIMIT ?");
    this.#after = this.#db.prepare("SELECT * FROM messages WHERE room = ? AND id > ? ORDER BY id ASC LIMIT ?");
    this.#before = this.#db.prepare("SELECT * FROM messages WHERE room = ? AND id < ? ORDER BY id DESC LIMIT ?");
    this.#rooms = this.#db.prepare("SELECT DISTINCT room FROM messages ORDER BY room LIMIT ?");
    this.#appendAll = this.#db.transaction((requests: readonly AppendRequest[]) =>
      requests.map((request) => this.#appendOne(request)),
    );
  }

  /** Stores the requests in one transaction (one fsync); results in the same order. */
  appendBatch(requests: readonly AppendRequest[]): AppendResult[] {
    return this.#appendAll(requests);
  }

  /** The last `limit` messages of `room`, ascending. */
  latest(room: string, limit: number): HistoryPage {
    return page(this.#latest.all(room, limit + 1) as Row[], limit, true);
  }

  /** The first `limit` messages of `room` after `afterId`, ascending. */
  after(room: string, afterId: number, limit: number): HistoryPage {
    return page(this.#after.all(room, afterId, limit + 1) as Row[], limit, false);
  }

  /** The last `limit` messages of `room` before `beforeId`, ascending. */
  before(room: string, beforeId: number, limit: number): HistoryPage {
    return page(this.#before.all(room, beforeId, limit + 1) as Row[], limit, true);
  }

  /** Names of rooms with messages, sorted, at most `limit`. */
  roomNames(limit: number): string[] {
    return (this.#rooms.all(limit) as { room: string }[]).map((row) => row.room);
  }

  /** Closes the file (idempotent). */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #appendOne(request: AppendRequest): AppendResult {
    const inserted = this.#insert.get(request.room, request.nickname, request.text, request.ts, request.clientId) as
      { id: number } | undefined;
    if (inserted !== undefined) {
      const { room, nickname, text, ts, clientId } = request;
      return { message: { id: inserted.id, room, nickname, text, ts, clientId }, duplicate: false };
    }
    const row = this.#existing.get(request.room, request.nickname, request.clientId) as Row;
    return { message: toMessage(row), duplicate: true };
  }
}
