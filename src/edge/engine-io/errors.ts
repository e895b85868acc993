/**
 * Engine.IO errors. Two families, each with stable string codes:
 *
 * - the reference server's request errors (`engine.io`'s `Server.errors` / `Server.errorMessages`),
 *   kept here as data so that every HTTP or WebSocket rejection carries the same number, message
 *   and status a stock client expects;
 * - codec errors raised by the pure packet and payload codecs of this folder.
 *
 * Spec: https://github.com/socketio/engine.io-protocol#transports (HTTP 400 on a bad request).
 */

/** Stable codes of the reference server's request errors. */
export type EngineIoRequestErrorCode =
  | "unknown_transport"
  | "unknown_sid"
  | "bad_handshake_method"
  | "bad_request"
  | "forbidden"
  | "unsupported_protocol_version";

/** One row of the reference server's error table. */
export interface EngineIoRequestErrorEntry {
  /** Stable string code used inside Chorus. */
  readonly code: EngineIoRequestErrorCode;
  /** The number the reference server sends in the `code` field of its JSON error body. */
  readonly number: 0 | 1 | 2 | 3 | 4 | 5;
  /** The reference server's message, byte for byte. */
  readonly message: string;
  /** HTTP status of a polling response carrying this error (403 for `forbidden`, else 400). */
  readonly httpStatus: 400 | 403;
}

/**
 * The reference server's error table, in number order. Numbers and messages match `engine.io`'s
 * `Server.errors` and `Server.errorMessages`; the status matches its `abortRequest` (403 only for
 * FORBIDDEN).
 */
export const ENGINE_IO_REQUEST_ERRORS: readonly EngineIoRequestErrorEntry[] = Object.freeze(
  (
    [
      { code: "unknown_transport", number: 0, message: "Transport unknown", httpStatus: 400 },
      { code: "unknown_sid", number: 1, message: "Session ID unknown", httpStatus: 400 },
      { code: "bad_handshake_method", number: 2, message: "Bad handshake method", httpStatus: 400 },
      { code: "bad_request", number: 3, message: "Bad request", httpStatus: 400 },
      { code: "forbidden", number: 4, message: "Forbidden", httpStatus: 403 },
      { code: "unsupported_protocol_version", number: 5, message: "Unsupported protocol version", httpStatus: 400 },
    ] as const satisfies readonly EngineIoRequestErrorEntry[]
  ).map((row) => Object.freeze(row)),
);

/**
 * Looks up a row of {@link ENGINE_IO_REQUEST_ERRORS} by its stable code.
 * @throws RangeError for a code that is not in the table (only possible from untyped callers).
 */
export function requestErrorEntry(code: EngineIoRequestErrorCode): EngineIoRequestErrorEntry {
  const entry = ENGINE_IO_REQUEST_ERRORS.find((row) => row.code === code);
  if (entry === undefined) throw new RangeError(`unknown Engine.IO request error code "${String(code)}"`);
  return entry;
}

/**
 * The JSON body the reference server writes for a rejected polling request:
 * `{"code":<number>,"message":<message>}`. `message` overrides the table's message, as the
 * reference does when an `allowRequest` hook refuses with its own message.
 */
export function requestErrorBody(code: EngineIoRequestErrorCode, message?: string): string {
  const entry = requestErrorEntry(code);
  return JSON.stringify({ code: entry.number, message: message ?? entry.message });
}

/** A request the Engine.IO server refuses, with the reference server's number, message and status. */
export class EngineIoRequestError extends Error {
  /** Stable machine-readable code. */
  readonly code: EngineIoRequestErrorCode;
  /** The reference server's error number (0–5). */
  readonly number: EngineIoRequestErrorEntry["number"];
  /** HTTP status for a polling response. */
  readonly httpStatus: 400 | 403;
  /**
   * @param code - the table row.
   * @param message - defaults to the table's message.
   */
  constructor(code: EngineIoRequestErrorCode, message?: string, options?: { cause?: unknown }) {
    const entry = requestErrorEntry(code);
    super(message ?? entry.message, options);
    this.name = new.target.name;
    this.code = code;
    this.number = entry.number;
    this.httpStatus = entry.httpStatus;
  }
}

/** Stable codes of Engine.IO codec errors. */
export type EngineIoCodecErrorCode =
  /** Not an Engine.IO packet: empty, unknown type digit, or malformed base64 after `b`. */
  | "invalid_packet"
  /** A polling payload whose bytes are not valid UTF-8. */
  | "invalid_utf8"
  /** A polling payload larger than `payloadBytesMax`. */
  | "payload_too_large"
  /** An `open` packet whose JSON is not a valid handshake. */
  | "invalid_handshake"
  /** A text packet that cannot be put in a polling payload (it holds the record separator). */
  | "unencodable_packet";

/** HTTP status the polling transport answers with for each codec error. */
const CODEC_HTTP_STATUS: Readonly<Record<EngineIoCodecErrorCode, 400 | 413 | 500>> = {
  invalid_packet: 400,
  invalid_utf8: 400,
  payload_too_large: 413,
  invalid_handshake: 400,
  unencodable_packet: 500,
};

/**
 * An Engine.IO codec error: bad input from the peer (`invalid_packet`, `invalid_utf8`,
 * `payload_too_large`, `invalid_handshake`) or a packet this side cannot encode
 * (`unencodable_packet`).
 */
export class EngineIoCodecError extends Error {
  /** Stable machine-readable code. */
  readonly code: EngineIoCodecErrorCode;
  /** HTTP status a polling transport should answer with (413 for `payload_too_large`). */
  readonly httpStatus: 400 | 413 | 500;
  constructor(code: EngineIoCodecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = CODEC_HTTP_STATUS[code];
  }
}
