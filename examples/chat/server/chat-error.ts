/**
 * The chat's errors: the stable codes of the client/server protocol and the error class that
 * carries one. Acks report them as `{ ok: false, error: { code, message } }`.
 */

/** Stable error codes of the chat protocol. */
export type ChatErrorCode =
  | "bad_request"
  | "nickname_invalid"
  | "nickname_taken"
  | "room_invalid"
  | "not_in_room"
  | "too_long"
  | "rate_limited"
  | "unavailable";

/** What an ack carries on failure. */
export interface ChatErrorBody {
  readonly code: ChatErrorCode;
  readonly message: string;
}

/** A refusal with a stable {@link ChatErrorCode}. */
export class ChatError extends Error {
  /** Stable machine-readable code. */
  readonly code: ChatErrorCode;
  constructor(code: ChatErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ChatError";
    this.code = code;
  }

  /** The ack body of this error. */
  toBody(): ChatErrorBody {
    return { code: this.code, message: this.message };
  }
}

/** The ack body for any thrown value: a {@link ChatError}'s own, else `unavailable`. */
export function errorBody(error: unknown): ChatErrorBody {
  if (error instanceof ChatError) return error.toBody();
  return { code: "unavailable", message: "the chat is temporarily unavailable, try again" };
}
