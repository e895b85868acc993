/**
 * The bodies of NACK and CLOSE frames, as msgpack maps with string keys:
 *
 * - NACK: `{ code: str, message: str }` — why the peer's handler refused the MSG (`code` is the
 *   error's stable code or class name, e.g. "Error"; `message` is for humans, ≤ 1,024 chars).
 * - CLOSE: `{ code: uint16, reason: str }` — the close code (1000 normal, 4001–4099 from the
 *   error table) and a short reason (≤ 1,024 chars).
 *
 * Unknown keys are ignored. Spec: docs/wire-protocol.md.
 */
import type { BodyCodec } from "./body-codec.js";
import { WIRE_CLOSE_NORMAL, WIRE_ERRORS, WireError } from "./errors.js";

/** Longest message or reason text a record carries, in characters (longer text is cut). */
export const RECORD_TEXT_MAX = 1024;

/** Why a MSG was refused. */
export interface NackRecord {
  readonly code: string;
  readonly message: string;
}

/** Why a connection is closing. */
export interface CloseRecord {
  /** 1000 for a normal close, else a close code from the error table. */
  readonly code: number;
  readonly reason: string;
}

/** Encodes a NACK record (fresh bytes). */
export function encodeNack(codec: BodyCodec, nack: NackRecord): Uint8Array {
  return codec.encode({ code: cut(nack.code), message: cut(nack.message) });
}

/** Decodes a NACK record. @throws WireError `bad_body` when it is not `{code, message}`. */
export function decodeNack(codec: BodyCodec, body: Uint8Array): NackRecord {
  const record = mapOf(codec, body, "NACK");
  const { code, message } = record;
  if (typeof code !== "string" || typeof message !== "string")
    throw new WireError("bad_body", "NACK record needs string code and message");
  return { code, message };
}

/** Encodes a CLOSE record (fresh bytes). */
export function encodeClose(codec: BodyCodec, close: CloseRecord): Uint8Array {
  return codec.encode({ code: close.code, reason: cut(close.reason) });
}

/** Decodes a CLOSE record. @throws WireError `bad_body` when it is not `{code, reason}`. */
export function decodeClose(codec: BodyCodec, body: Uint8Array): CloseRecord {
  const record = mapOf(codec, body, "CLOSE");
  const { code, reason } = record;
  if (typeof code !== "number" || !Number.isInteger(code) || code < 0 || code > 0xffff || typeof reason !== "string")
    throw new WireError("bad_body", "CLOSE record needs a u16 code and a string reason");
  return { code, reason };
}

function mapOf(codec: BodyCodec, body: Uint8Array, what: string): Record<string, unknown> {
  const value = codec.decode(body);
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Uint8Array)
    throw new WireError("bad_body", `${what} body is not a map`);
  return value as Record<string, unknown>;
}

function cut(text: string): string {
  return text.length > RECORD_TEXT_MAX ? text.slice(0, RECORD_TEXT_MAX) : text;
}

/** The NACK record describing a handler's failure: the error's `code` (or class name) and message. */
export function nackRecordOf(error: unknown): NackRecord {
  const code = error instanceof Error ? ((error as { code?: unknown }).code ?? error.name) : "Error";
  return { code: String(code), message: error instanceof Error ? error.message : String(error) };
}

/**
 * Reads a peer's CLOSE body: its code and reason, and the {@link WireError} its code stands for
 * (null for 1000 or an unknown code). A malformed body reads as a normal close.
 */
export function peerClose(
  codec: BodyCodec,
  body: Uint8Array,
): { code: number; reason: string; error: WireError | null } {
  let record: CloseRecord = { code: WIRE_CLOSE_NORMAL, reason: "closed by peer" };
  try {
    record = decodeClose(codec, body);
  } catch {
    // A malformed CLOSE still closes.
  }
  const row = WIRE_ERRORS.find((entry) => entry.closeCode === record.code);
  return { ...record, error: row === undefined ? null : new WireError(row.code, `peer closed: ${record.reason}`) };
}
