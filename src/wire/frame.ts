/**
 * The wire's frame format, version 1: a fixed 16-byte big-endian header, then `headerLength`
 * bytes of upper-layer header, then `bodyLength` bytes of body. Both are opaque bytes in this
 * layer; the body encoding (msgpack) is specified by the next layer. Spec: docs/wire-protocol.md.
 *
 * ```
 *  0      2    3    4         6              8                  12                 16
 *  ┌──────┬────┬────┬─────────┬──────────────┬──────────────────┬──────────────────┐
 *  │ 43 57│ ver│type│  flags  │ headerLength │    message id    │    bodyLength    │
 *  │ magic│ u8 │ u8 │   u16   │     u16      │       u32        │       u32        │
 *  └──────┴────┴────┴─────────┴──────────────┴──────────────────┴──────────────────┘
 *  then headerLength bytes of header, then bodyLength bytes of body
 * ```
 */
import { WireError } from "./errors.js";

/** The two magic bytes every frame starts with: ASCII "CW" (Chorus Wire). */
export const WIRE_MAGIC: readonly [number, number] = Object.freeze([0x43, 0x57]) as readonly [number, number];
/** The protocol version this code speaks (byte 2 of every frame). */
export const WIRE_VERSION = 1;
/** Bytes in the fixed header. */
export const FIXED_HEADER_BYTES = 16;
/** Flag bit 0: the sender wants an ACK (or NACK) for this MSG. */
export const FLAG_ACK_REQUESTED = 0x0001;
/** Every flag bit version 1 defines; the others must be zero. */
export const FLAGS_KNOWN = FLAG_ACK_REQUESTED;
/** Largest upper-layer header, in bytes (a u16 field). */
export const HEADER_BYTES_MAX = 0xffff;
/** Largest body, in bytes (a u32 field); {@link WireLimits.frameBytesMax} is usually far lower. */
export const BODY_BYTES_MAX = 0xffff_ffff;
/** Largest message id (a u32 field; ids wrap, compare them with wrap-safe deltas). */
export const MESSAGE_ID_MAX = 0xffff_ffff;
/** Largest frame the length fields can describe, in bytes. */
export const FRAME_BYTES_LIMIT = FIXED_HEADER_BYTES + HEADER_BYTES_MAX + BODY_BYTES_MAX;

/** A HELLO frame: the first frame each side sends; the body is the handshake record. */
export interface HelloFrame {
  readonly type: "hello";
  readonly id: number;
  readonly body: Uint8Array;
}
/** A MSG frame: one upper-layer message (a kernel `Frame` once the body encoding lands). */
export interface MsgFrame {
  readonly type: "msg";
  readonly id: number;
  /** Set when the sender wants an ACK (or NACK) carrying the same `id`. */
  readonly ackRequested: boolean;
  /** Upper-layer header, at most {@link HEADER_BYTES_MAX} bytes. */
  readonly header: Uint8Array;
  readonly body: Uint8Array;
}
/** An ACK frame: the receiver's handler has finished with MSG `id`. No header, no body. */
export interface AckFrame {
  readonly type: "ack";
  readonly id: number;
}
/** A NACK frame: MSG `id` was refused; the body is the reason record. */
export interface NackFrame {
  readonly type: "nack";
  readonly id: number;
  readonly body: Uint8Array;
}
/** A PING frame: a liveness probe; the peer answers PONG with the same `id`. */
export interface PingFrame {
  readonly type: "ping";
  readonly id: number;
}
/** A PONG frame: the answer to PING `id`. */
export interface PongFrame {
  readonly type: "pong";
  readonly id: number;
}
/** A CLOSE frame: the sender is closing; the body is the close record (code and reason). */
export interface CloseFrame {
  readonly type: "close";
  readonly id: number;
  readonly body: Uint8Array;
}

/** One wire frame, discriminated on `type`. */
export type WireFrame = HelloFrame | MsgFrame | AckFrame | NackFrame | PingFrame | PongFrame | CloseFrame;

/** The name of a frame type. */
export type WireFrameType = WireFrame["type"];

/** What a frame type may carry: its byte on the wire and which parts may be non-empty. */
export interface FrameTypeRule {
  readonly type: WireFrameType;
  /** Byte 3 of the fixed header. */
  readonly code: number;
  readonly headerAllowed: boolean;
  readonly bodyAllowed: boolean;
  readonly ackRequestAllowed: boolean;
}

/** The frame types of version 1, in code order. Frozen data; see docs/wire-protocol.md. */
export const FRAME_TYPE_RULES: readonly FrameTypeRule[] = Object.freeze(
  (
    [
      { type: "hello", code: 1, headerAllowed: false, bodyAllowed: true, ackRequestAllowed: false },
      { type: "msg", code: 2, headerAllowed: true, bodyAllowed: true, ackRequestAllowed: true },
      { type: "ack", code: 3, headerAllowed: false, bodyAllowed: false, ackRequestAllowed: false },
      { type: "nack", code: 4, headerAllowed: false, bodyAllowed: true, ackRequestAllowed: false },
      { type: "ping", code: 5, headerAllowed: false, bodyAllowed: false, ackRequestAllowed: false },
      { type: "pong", code: 6, headerAllowed: false, bodyAllowed: false, ackRequestAllowed: false },
      { type: "close", code: 7, headerAllowed: false, bodyAllowed: true, ackRequestAllowed: false },
    ] as const satisfies readonly FrameTypeRule[]
  ).map((row) => Object.freeze(row)),
);

/**
 * The rule of a frame type by name.
 * @throws RangeError for a name that is not in the table (only possible from untyped callers).
 */
export function frameTypeRule(type: WireFrameType): FrameTypeRule {
  const rule = FRAME_TYPE_RULES.find((row) => row.type === type);
  if (rule === undefined) throw new RangeError(`unknown frame type "${String(type)}"`);
  return rule;
}

/** Limits of the framing layer, resolved once by {@link resolveWireLimits}. */
export interface WireLimits {
  /** Largest whole frame (fixed header + header + body), in bytes. Default 1 MiB (1,048,576). */
  readonly frameBytesMax: number;
}

/** Default {@link WireLimits}. */
export const WIRE_LIMITS_DEFAULT: WireLimits = Object.freeze({ frameBytesMax: 1024 * 1024 });

/**
 * Resolves partial limits: defaults first, then validation.
 * @throws TypeError when `frameBytesMax` is not an integer; RangeError when it is below
 *   {@link FIXED_HEADER_BYTES} or above {@link FRAME_BYTES_LIMIT} (what the length fields can say).
 */
export function resolveWireLimits(limits: Partial<WireLimits> = {}): WireLimits {
  const resolved = { ...WIRE_LIMITS_DEFAULT, ...limits };
  const max = resolved.frameBytesMax;
  if (!Number.isSafeInteger(max)) throw new TypeError(`frameBytesMax must be an integer (bytes), got ${String(max)}`);
  if (max < FIXED_HEADER_BYTES || max > FRAME_BYTES_LIMIT)
    throw new RangeError(`frameBytesMax must be between ${FIXED_HEADER_BYTES} and ${FRAME_BYTES_LIMIT}, got ${max}`);
  return Object.freeze(resolved);
}

/** The fixed header's fields, after validation. */
export interface FixedHeader {
  readonly rule: FrameTypeRule;
  readonly flags: number;
  readonly id: number;
  readonly headerLength: number;
  readonly bodyLength: number;
  /** Fixed header + header + body, in bytes. */
  readonly frameBytes: number;
}

/**
 * Checks the parts of a frame against its type's rule and the size limit. Shared by the encoder
 * (before it allocates) and the decoder (before it buffers the rest of the frame).
 * @throws WireError `bad_flags`, `bad_length` or `frame_too_large`.
 */
export function checkFrameParts(
  rule: FrameTypeRule,
  flags: number,
  headerLength: number,
  bodyLength: number,
  limits: WireLimits,
): number {
  if ((flags & ~FLAGS_KNOWN) !== 0) throw new WireError("bad_flags", `reserved flag bits set: 0x${hex(flags, 4)}`);
  if ((flags & FLAG_ACK_REQUESTED) !== 0 && !rule.ackRequestAllowed)
    throw new WireError("bad_flags", `ack-requested is not allowed on ${rule.type.toUpperCase()}`);
  if ((headerLength > 0 && !rule.headerAllowed) || (bodyLength > 0 && !rule.bodyAllowed))
    throw new WireError("bad_length", `${rule.type.toUpperCase()} carries ${headerLength}+${bodyLength} bytes`);
  const frameBytes = FIXED_HEADER_BYTES + headerLength + bodyLength;
  if (frameBytes > limits.frameBytesMax)
    throw new WireError(
      "frame_too_large",
      `frame of ${frameBytes} bytes exceeds frameBytesMax (${limits.frameBytesMax})`,
    );
  return frameBytes;
}

/** Rules by type code (index = code), for a lookup without a search per frame. */
const RULE_BY_CODE: ReadonlyArray<FrameTypeRule | undefined> = (() => {
  const table: Array<FrameTypeRule | undefined> = new Array(256).fill(undefined);
  for (const rule of FRAME_TYPE_RULES) table[rule.code] = rule;
  return Object.freeze(table);
})();

/**
 * Reads and validates the fixed header at `bytes[at, at + 16)`, in the order magic, version,
 * type, flags, lengths, size.
 * @throws WireError `bad_magic`, `unsupported_version`, `unknown_type`, `bad_flags`, `bad_length`
 *   or `frame_too_large`.
 */
export function parseFixedHeader(bytes: Uint8Array, limits: WireLimits, at = 0): FixedHeader {
  return readFixedHeaderInto(bytes, limits, at, { ...EMPTY_HEADER });
}

/** A {@link FixedHeader} a decoder reuses for every frame (no allocation per frame). */
export type MutableFixedHeader = { -readonly [K in keyof FixedHeader]: FixedHeader[K] };

const EMPTY_HEADER: FixedHeader = Object.freeze({
  rule: FRAME_TYPE_RULES[0]!,
  flags: 0,
  id: 0,
  headerLength: 0,
  bodyLength: 0,
  frameBytes: FIXED_HEADER_BYTES,
});

/** A fresh {@link MutableFixedHeader} to pass to {@link readFixedHeaderInto}. */
export function mutableFixedHeader(): MutableFixedHeader {
  return { ...EMPTY_HEADER };
}

/** {@link parseFixedHeader} into `out` (returned). @throws WireError as parseFixedHeader. */
export function readFixedHeaderInto(
  bytes: Uint8Array,
  limits: WireLimits,
  at: number,
  out: MutableFixedHeader,
): MutableFixedHeader {
  if (bytes[at] !== WIRE_MAGIC[0] || bytes[at + 1] !== WIRE_MAGIC[1])
    throw new WireError("bad_magic", `bad magic 0x${hex(bytes[at]!, 2)}${hex(bytes[at + 1]!, 2)}`);
  if (bytes[at + 2] !== WIRE_VERSION)
    throw new WireError("unsupported_version", `unsupported version ${bytes[at + 2]}`);
  const rule = RULE_BY_CODE[bytes[at + 3]!];
  if (rule === undefined) throw new WireError("unknown_type", `unknown frame type ${bytes[at + 3]}`);
  const flags = (bytes[at + 4]! << 8) | bytes[at + 5]!;
  const headerLength = (bytes[at + 6]! << 8) | bytes[at + 7]!;
  const bodyLength = readU32(bytes, at + 12);
  out.frameBytes = checkFrameParts(rule, flags, headerLength, bodyLength, limits);
  out.rule = rule;
  out.flags = flags;
  out.id = readU32(bytes, at + 8);
  out.headerLength = headerLength;
  out.bodyLength = bodyLength;
  return out;
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

/**
 * Builds the typed frame from a validated fixed header and its header and body bytes.
 * Parts a type does not carry are empty (the header check guarantees it).
 */
export function frameFromParts(fixed: FixedHeader, header: Uint8Array, body: Uint8Array): WireFrame {
  const { id } = fixed;
  switch (fixed.rule.type) {
    case "hello":
      return { type: "hello", id, body };
    case "msg":
      return { type: "msg", id, ackRequested: (fixed.flags & FLAG_ACK_REQUESTED) !== 0, header, body };
    case "ack":
      return { type: "ack", id };
    case "nack":
      return { type: "nack", id, body };
    case "ping":
      return { type: "ping", id };
    case "pong":
      return { type: "pong", id };
    case "close":
      return { type: "close", id, body };
  }
}

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, "0");
}
