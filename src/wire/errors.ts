/**
 * Wire errors: one class, {@link WireError}, with a stable string `code` and the CLOSE code a
 * connection sends (or records) when it fails with that error. The code-to-close-code table is
 * data ({@link WIRE_ERRORS}), so the protocol document, the decoder and the connection agree.
 *
 * Close codes: `1000` is a normal close; `4001`–`4099` are protocol errors, one per code, so a
 * peer's log names the exact fault. Spec: docs/wire-protocol.md § Errors.
 */

/** Stable codes of framing errors, raised by the frame encoder and the frame decoder. */
export type WireErrorCode =
  | "bad_magic"
  | "unsupported_version"
  | "unknown_type"
  | "bad_flags"
  | "bad_length"
  | "frame_too_large"
  | "truncated_frame"
  | "invalid_frame"
  | "bad_hello"
  | "version_mismatch"
  | "hello_timeout"
  | "window_exceeded"
  | "flood"
  | "ping_timeout"
  | "bad_body"
  | "write_failed";

/** One row of the wire's error table. */
export interface WireErrorEntry {
  /** Stable machine-readable code. */
  readonly code: WireErrorCode;
  /** The u16 close code a connection failing with this error reports to its peer. */
  readonly closeCode: number;
  /** What went wrong, in one sentence (the default message). */
  readonly description: string;
}

/** The close code of a normal, requested close (no error). */
export const WIRE_CLOSE_NORMAL = 1000;

/** The wire's framing errors, in close-code order. Frozen data; see docs/wire-protocol.md. */
export const WIRE_ERRORS: readonly WireErrorEntry[] = Object.freeze(
  (
    [
      { code: "bad_magic", closeCode: 4001, description: "frame does not start with the magic bytes 0x43 0x57" },
      { code: "unsupported_version", closeCode: 4002, description: "frame carries a protocol version we do not speak" },
      { code: "unknown_type", closeCode: 4003, description: "frame type is not one of HELLO…CLOSE" },
      {
        code: "bad_flags",
        closeCode: 4004,
        description: "reserved flag bits set, or ack-requested on a non-MSG frame",
      },
      { code: "bad_length", closeCode: 4005, description: "frame carries a header or body its type does not allow" },
      { code: "frame_too_large", closeCode: 4006, description: "frame is longer than frameBytesMax" },
      { code: "truncated_frame", closeCode: 4007, description: "input ended inside a frame" },
      { code: "invalid_frame", closeCode: 4008, description: "frame fields are out of range (sender side)" },
      {
        code: "bad_hello",
        closeCode: 4009,
        description: "handshake record is malformed, or a frame other than HELLO came first",
      },
      { code: "version_mismatch", closeCode: 4010, description: "the peer speaks another protocol version" },
      { code: "hello_timeout", closeCode: 4011, description: "the peer's HELLO did not arrive in time" },
      {
        code: "window_exceeded",
        closeCode: 4012,
        description: "the peer sent more ack-requested messages than our advertised slots",
      },
      { code: "flood", closeCode: 4013, description: "the peer sent control frames faster than it read our answers" },
      { code: "ping_timeout", closeCode: 4014, description: "the peer did not answer a PING in time" },
      { code: "bad_body", closeCode: 4015, description: "a HELLO, NACK or CLOSE body is not the record it must be" },
      { code: "write_failed", closeCode: 4016, description: "the byte stream failed under the connection" },
    ] as const satisfies readonly WireErrorEntry[]
  ).map((row) => Object.freeze(row)),
);

/**
 * Looks up a row of {@link WIRE_ERRORS} by its stable code.
 * @throws RangeError for a code that is not in the table (only possible from untyped callers).
 */
export function wireErrorEntry(code: WireErrorCode): WireErrorEntry {
  const entry = WIRE_ERRORS.find((row) => row.code === code);
  if (entry === undefined) throw new RangeError(`unknown wire error code "${String(code)}"`);
  return entry;
}

/** A framing error: bytes the decoder refuses, or a frame the encoder refuses to write. */
export class WireError extends Error {
  /** Stable machine-readable code. */
  readonly code: WireErrorCode;
  /** The u16 close code a connection failing with this error sends (from {@link WIRE_ERRORS}). */
  readonly closeCode: number;

  /**
   * @param code - the table row.
   * @param message - detail for humans; defaults to the row's description.
   * @param options - `cause` for chaining.
   */
  constructor(code: WireErrorCode, message?: string, options?: { cause?: unknown }) {
    const entry = wireErrorEntry(code);
    super(message ?? entry.description, options);
    this.name = "WireError";
    this.code = code;
    this.closeCode = entry.closeCode;
  }
}
