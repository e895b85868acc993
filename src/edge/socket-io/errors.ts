/**
 * Socket.IO codec errors. Every rejection of peer input, and every packet this side refuses to
 * encode, carries one stable code. The reference server answers any decoder error by closing the
 * client's connection with the disconnect reason `"parse error"`; {@link SOCKET_IO_PARSE_ERROR_REASON}
 * names it for the layer that does the closing.
 *
 * Spec: https://github.com/socketio/socket.io-protocol#packet-encoding
 */

/** Stable codes of Socket.IO codec errors. */
export type SocketIoCodecErrorCode =
  /** The first character is not a packet type digit `0`–`6` (or the message is empty). */
  | "unknown_packet_type"
  /** The namespace has a control character, is too long, or (encoding) lacks `/` or has `,`. */
  | "invalid_namespace"
  /** An ack id that is not a safe integer ≥ 0, is missing on an ACK, or sits on a packet that cannot have one. */
  | "invalid_ack_id"
  /** The `<count>-` prefix of a BINARY_EVENT / BINARY_ACK is not a positive integer. */
  | "invalid_attachment_count"
  /** More attachments than `attachmentsPerPacketMax`. */
  | "too_many_attachments"
  /**
   * Attachments and placeholders disagree: a binary frame with no pending binary packet, text
   * while attachments are still expected, a placeholder index out of range or not an integer,
   * or an attachment no placeholder refers to.
   */
  | "attachment_mismatch"
  /** The payload after the header is not JSON. */
  | "invalid_json"
  /** The payload is JSON of the wrong shape for the packet type (e.g. EVENT without an event name). */
  | "invalid_payload";

/** The disconnect reason the reference server gives a client whose input failed to decode. */
export const SOCKET_IO_PARSE_ERROR_REASON = "parse error";

/** A Socket.IO packet that could not be decoded (bad peer input) or encoded (bad local data). */
export class SocketIoCodecError extends Error {
  /** Stable machine-readable code. */
  readonly code: SocketIoCodecErrorCode;
  constructor(code: SocketIoCodecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
