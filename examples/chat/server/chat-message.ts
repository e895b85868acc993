/**
 * The shapes the chat stores and sends: a message, a page of history, and the requests of the
 * history store's protocol (shared by the store on its worker loop and its main-loop keeper).
 * Everything here crosses loops, so it is plain structured-cloneable data.
 */

/** A stored chat message, as clients receive it. */
export interface ChatMessage {
  /** Global, increasing id (assigned by the store). */
  readonly id: number;
  readonly room: string;
  readonly nickname: string;
  /** The text as sent (trimmed); never rendered or escaped by the server. */
  readonly text: string;
  /** Server wall-clock time of the send, in ms since the epoch. */
  readonly ts: number;
  /** The sender's id for this message; (room, nickname, clientId) is unique. */
  readonly clientId: string;
}

/** A page of messages in ascending id order; `hasMore` when the query had more to give. */
export interface HistoryPage {
  readonly messages: readonly ChatMessage[];
  readonly hasMore: boolean;
}

/** A message to store (the store assigns `id`). */
export type AppendRequest = Omit<ChatMessage, "id">;

/** The stored message, and whether (room, nickname, clientId) had been stored before. */
export interface AppendResult {
  readonly message: ChatMessage;
  readonly duplicate: boolean;
}

/** The protocol of the history store (and of its keeper, which forwards it). */
export interface HistoryProtocol {
  /** Stores a message in the next batch; replies once the batch is committed. Idempotent on (room, nickname, clientId). */
  append(request: AppendRequest): AppendResult;
  /** The last `limit` messages of `room`. */
  latest(query: { readonly room: string; readonly limit: number }): HistoryPage;
  /** The first `limit` messages of `room` with id > `afterId`. */
  after(query: { readonly room: string; readonly afterId: number; readonly limit: number }): HistoryPage;
  /** The last `limit` messages of `room` with id < `beforeId`. */
  before(query: { readonly room: string; readonly beforeId: number; readonly limit: number }): HistoryPage;
  /** Names of rooms that have messages (at most `limit`). */
  roomNames(limit: number): readonly string[];
}
