/**
 * The chat's client/server event protocol, as the browser sees it. The server side lives in
 * `examples/chat/server/`; both follow the protocol described in the chat's README/issue.
 */
import type { ChatErrorCode } from "../server/chat-error.js";

/** A stored chat message: ids are global and increasing, `ts` is the server wall clock in ms. */
export interface Message {
  id: number;
  room: string;
  nickname: string;
  text: string;
  ts: number;
  clientId: string;
}

/** A room as listed by `rooms:list` and the `rooms` event. */
export interface RoomSummary {
  name: string;
  members: number;
}

/** Stable error codes an ack may carry (the server's own list), plus the UI's `timeout` and `disconnected`. */
export type ErrorCode = ChatErrorCode | "timeout" | "disconnected";

/** The error half of every ack. */
export interface AckError {
  code: ErrorCode | string;
  message: string;
}

/** Every client→server event is acked with `{ ok: true, ...result }` or `{ ok: false, error }`. */
export type Ack<T> = ({ ok: true } & T) | { ok: false; error: AckError };

/** Reply to `room:join`. */
export interface JoinResult {
  room: string;
  members: string[];
  messages: Message[];
  hasMore: boolean;
}

/** Reply to `history:before`. */
export interface HistoryResult {
  messages: Message[];
  hasMore: boolean;
}

/** Server→client `presence`: the full member list after every change. */
export interface PresenceEvent {
  room: string;
  members: string[];
}

/** Server→client `member:joined` / `member:left`. */
export interface MemberEvent {
  room: string;
  nickname: string;
}

/** Server→client `typing`. */
export interface TypingEvent {
  room: string;
  nickname: string;
  typing: boolean;
}

/**
 * Server→client `room:replaced`: a newer connection of this tab (same `sessionKey`, e.g. a
 * duplicated tab) took this connection's nickname over in `room`; this one is no longer in it.
 */
export interface ReplacedEvent {
  room: string;
}

const errorText: Record<string, string> = {
  bad_request: "The server did not understand that request.",
  nickname_invalid: "Nicknames are 1–24 letters, digits, _, - or . characters.",
  nickname_taken: "That nickname is already in use in this room.",
  room_invalid: "Room names are 1–32 characters: a–z, 0–9 and -.",
  not_in_room: "You are not in this room any more.",
  too_long: "Messages can be at most 2,000 characters.",
  rate_limited: "You are sending too fast; wait a moment and retry.",
  unavailable: "The chat is briefly unavailable; retry in a moment.",
  timeout: "The server did not answer in time.",
  disconnected: "Not connected; it will be sent after reconnecting.",
};

/** A sentence for a user, preferring the UI's wording for known codes over the server's text. */
export function describeError(error: AckError): string {
  return errorText[error.code] ?? (error.message || `Error: ${error.code}`);
}
