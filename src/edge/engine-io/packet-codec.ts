/**
 * Encodes and decodes Engine.IO v4 packets: one packet per WebSocket frame, or many packets in
 * one HTTP long-polling payload. Pure functions; no state.
 *
 * WebSocket (https://github.com/socketio/engine.io-protocol#websocket-1): a text frame is
 * `<type digit>[<data>]`; a binary frame is the raw bytes of a `message` packet (v4 dropped the
 * leading type byte that v3 had).
 *
 * Polling (https://github.com/socketio/engine.io-protocol#http-long-polling-1): packets are
 * joined by the record separator `\x1e`; a binary message becomes `b<base64>`.
 *
 * ```
 * 4hello \x1e 2 \x1e bAQIDBA==
 * └─msg─┘     └ping └─binary message <01 02 03 04>
 * ```
 */
import { EngineIoCodecError } from "./errors.js";
import {
  ENGINE_IO_TYPE_DIGITS,
  type EngineIoPacket,
  RECORD_SEPARATOR,
  RECORD_SEPARATOR_BYTE,
  controlPacket,
  messagePacket,
  packetTypeOfCharCode,
} from "./packet.js";

/** Limits of the polling payload decoders. */
export interface PayloadLimits {
  /**
   * Largest accepted polling payload, in bytes of its UTF-8 encoding. A larger payload is
   * rejected with `payload_too_large` (HTTP 413) before it is split or decoded. Default 1e6, the
   * reference server's `maxHttpBufferSize`. Must be an integer ≥ 1.
   */
  readonly payloadBytesMax: number;
}

/** Defaults of {@link PayloadLimits}. */
export const PAYLOAD_LIMITS_DEFAULTS: PayloadLimits = Object.freeze({ payloadBytesMax: 1_000_000 });

/**
 * Resolves payload limits once: defaults first, then validation.
 * @throws TypeError if `payloadBytesMax` is not a number; RangeError if it is not an integer ≥ 1.
 */
export function resolvePayloadLimits(options: Partial<PayloadLimits> = {}): PayloadLimits {
  const limits = { ...PAYLOAD_LIMITS_DEFAULTS, ...options };
  if (typeof limits.payloadBytesMax !== "number") {
    throw new TypeError(`payloadBytesMax must be a number of bytes, got ${typeof limits.payloadBytesMax}`);
  }
  if (!Number.isSafeInteger(limits.payloadBytesMax) || limits.payloadBytesMax < 1) {
    throw new RangeError(`payloadBytesMax must be an integer number of bytes >= 1, got ${limits.payloadBytesMax}`);
  }
  return Object.freeze(limits);
}

/**
 * Encodes one packet as a WebSocket frame: a string for a text frame, or the message's own bytes
 * (not copied) for a binary frame.
 */
export function encodeFrame(packet: EngineIoPacket): string | Uint8Array {
  if (packet.type === "message" && typeof packet.data !== "string") return packet.data;
  return ENGINE_IO_TYPE_DIGITS[packet.type] + (packet.data ?? "");
}

/**
 * Decodes one WebSocket frame. A binary frame is a binary `message`; a text frame is
 * `<digit>[<data>]`, or `b<base64>` (the reference parser accepts the polling form in any text,
 * so we do too).
 * @throws EngineIoCodecError `invalid_packet` for an empty frame, an unknown type, or bad base64.
 */
export function decodeFrame(frame: string | Uint8Array): EngineIoPacket {
  if (typeof frame !== "string") return messagePacket(frame);
  return decodeRecord(frame);
}

/**
 * Encodes one packet as a record of a polling payload: like a text frame, but a binary message
 * becomes `b<base64>`.
 * @throws EngineIoCodecError `unencodable_packet` if text data holds the record separator, which
 *   would split the packet in two on the other side (the spec assumes it never occurs; Socket.IO's
 *   JSON never contains it raw, since JSON.stringify escapes control characters).
 */
export function encodeRecord(packet: EngineIoPacket): string {
  const data = packet.data ?? "";
  if (typeof data !== "string") {
    return "b" + Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
  }
  if (data.includes(RECORD_SEPARATOR)) {
    throw new EngineIoCodecError("unencodable_packet", `a ${packet.type} packet holds the record separator \\x1e`);
  }
  return ENGINE_IO_TYPE_DIGITS[packet.type] + data;
}

/**
 * Encodes packets as one polling payload (a string: v4 payloads are always text).
 * @throws RangeError for an empty list (an empty body is not a valid payload).
 * @throws EngineIoCodecError `unencodable_packet` as {@link encodeRecord}.
 */
export function encodePayload(packets: readonly EngineIoPacket[]): string {
  if (packets.length === 0) throw new RangeError("encodePayload needs at least one packet");
  let out = encodeRecord(packets[0]!);
  for (let i = 1; i < packets.length; i++) out += RECORD_SEPARATOR + encodeRecord(packets[i]!);
  return out;
}

/**
 * Decodes a whole polling payload (an HTTP POST body) into its packets, all or nothing. Bytes
 * must be UTF-8. For a body that arrives in chunks, use `PayloadDecoder`, which never holds more
 * than `payloadBytesMax` bytes.
 * @throws EngineIoCodecError `payload_too_large` when the body exceeds `payloadBytesMax` bytes
 *   (checked before anything is split or allocated), `invalid_utf8`, or `invalid_packet` for any
 *   malformed record (including an empty one, e.g. from a trailing separator).
 * @throws TypeError / RangeError for invalid limits.
 */
export function decodePayload(body: string | Uint8Array, limits: Partial<PayloadLimits> = {}): EngineIoPacket[] {
  const { payloadBytesMax } = resolvePayloadLimits(limits);
  if (typeof body === "string") {
    // A UTF-16 code unit never takes less than one UTF-8 byte: the cheap test first.
    if (body.length > payloadBytesMax || Buffer.byteLength(body, "utf8") > payloadBytesMax) {
      throw tooLarge(payloadBytesMax);
    }
    return body.split(RECORD_SEPARATOR).map(decodeRecord);
  }
  if (body.byteLength > payloadBytesMax) throw tooLarge(payloadBytesMax);
  // Record by record, UTF-8 then packet, in order: the same first error as PayloadDecoder.
  // (0x1e never occurs inside a multi-byte UTF-8 sequence, so splitting bytes first is safe.)
  const packets: EngineIoPacket[] = [];
  for (let start = 0; ;) {
    const end = body.indexOf(RECORD_SEPARATOR_BYTE, start);
    packets.push(decodeRecord(decodeUtf8(body.subarray(start, end === -1 ? body.byteLength : end))));
    if (end === -1) return packets;
    start = end + 1;
  }
}

/**
 * Decodes one record of a polling payload (or one text frame).
 * @throws EngineIoCodecError `invalid_packet`.
 */
export function decodeRecord(text: string): EngineIoPacket {
  if (text.length === 0) throw new EngineIoCodecError("invalid_packet", "empty packet");
  const first = text.charCodeAt(0);
  if (first === 0x62 /* b */) return messagePacket(decodeBase64(text));
  const type = packetTypeOfCharCode(first);
  if (type === undefined) {
    throw new EngineIoCodecError("invalid_packet", `unknown packet type ${preview(text.slice(0, 1))}`);
  }
  if (type === "message") return messagePacket(text.slice(1));
  return controlPacket(type, text.length > 1 ? text.slice(1) : undefined);
}

/**
 * Decodes UTF-8 strictly (invalid sequences are an error, a leading BOM is kept as U+FEFF).
 * @throws EngineIoCodecError `invalid_utf8`.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch (cause) {
    throw new EngineIoCodecError("invalid_utf8", "polling payload is not valid UTF-8", { cause });
  }
}

// Stateless when called without { stream: true }: safe to share.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// Standard alphabet, optional padding. Buffer.from(…, "base64") silently skips anything else;
// we reject it instead, so garbage is an error rather than different bytes.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(record: string): Buffer {
  const body = record.slice(1);
  const padded = body.endsWith("=");
  if (!BASE64.test(body) || (padded ? body.length % 4 !== 0 : body.length % 4 === 1)) {
    throw new EngineIoCodecError("invalid_packet", `malformed base64 in binary packet ${preview(record)}`);
  }
  return Buffer.from(body, "base64");
}

function tooLarge(payloadBytesMax: number): EngineIoCodecError {
  return new EngineIoCodecError(
    "payload_too_large",
    `polling payload exceeds payloadBytesMax (${payloadBytesMax} bytes)`,
  );
}

/** A short, escaped excerpt of peer input for error messages (never the whole of it). */
export function preview(text: string): string {
  return JSON.stringify(text.length > 24 ? text.slice(0, 24) + "…" : text);
}
