/**
 * Errors a send on a wire connection rejects with: {@link WireSendError}, one class with a stable
 * `code`. These are outcomes of one message, not protocol faults, so they carry no close code;
 * when a send fails because its connection closed, `cause` is the connection's close reason (a
 * {@link WireError} for a protocol fault). Spec: docs/wire-protocol.md § Send outcomes.
 */

/** Stable codes of send failures (T-ERR-1). */
export type WireSendErrorCode =
  /** No ACK (or NACK) arrived within the send's `timeoutMs`; also a wait for room that timed out. */
  | "send_timeout"
  /** The connection closed before the message was acknowledged (or written). */
  | "connection_lost"
  /** The outbound queue was full and the send asked not to wait (`whenFull: "reject"`). */
  | "queue_full"
  /** The encoded frame is longer than our or the peer's `frameBytesMax`; nothing was written. */
  | "message_too_large"
  /** The peer's handler failed and the peer answered NACK; `remoteCode` names its error. */
  | "handler_failed"
  /** The connection (or dialer) was closed locally before the send. */
  | "closed"
  /** The dialer could not connect (or the handshake failed) before the send's deadline. */
  | "cannot_connect"
  /** The body could not be encoded as msgpack. */
  | "unencodable_body"
  /** The node (its WirePeerRegistry) is closing: no new sends (T-API-2). */
  | "shutdown";

/** A rejected send. */
export class WireSendError extends Error {
  /** Stable machine-readable code. */
  readonly code: WireSendErrorCode;
  /** For `handler_failed`: the error code the peer put in its NACK record (e.g. "Error"). */
  readonly remoteCode: string | null;

  /**
   * @param code - the failure.
   * @param message - detail for humans.
   * @param options - `cause` for chaining; `remoteCode` for a NACK.
   */
  constructor(code: WireSendErrorCode, message: string, options: { cause?: unknown; remoteCode?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WireSendError";
    this.code = code;
    this.remoteCode = options.remoteCode ?? null;
  }
}
