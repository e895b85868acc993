/**
 * Parses the text form of a Socket.IO packet (the data of one Engine.IO text `message`) into its
 * parts, checking the header syntax but not yet the payload's shape or the placeholders.
 *
 * Spec: https://github.com/socketio/socket.io-protocol#packet-encoding
 *
 * ```
 * 5 2- /admin, 13 ["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]
 * │ │  │       │  └ JSON payload (optional)
 * │ │  │       └ ack id: digits (optional)
 * │ │  └ namespace: from "/" up to "," or the end of the text (optional, default "/")
 * │ └ attachment count and "-" (BINARY_EVENT and BINARY_ACK only)
 * └ wire type digit 0–6
 * ```
 */
import { SocketIoCodecError } from "./errors.js";
import { MAIN_NAMESPACE, SOCKET_IO_WIRE_TYPES, type SocketIoPacketType, hasControlCharacter } from "./packet.js";

/** Limits the text parser enforces. */
export interface PacketTextLimits {
  /** Most attachments one packet may announce (count). */
  readonly attachmentsPerPacketMax: number;
  /** Longest namespace accepted, in UTF-16 code units. */
  readonly namespaceLengthMax: number;
}

/** The parts of a packet's text form. */
export interface PacketText {
  /** Logical type (BINARY_EVENT → `event`, BINARY_ACK → `ack`). */
  readonly type: SocketIoPacketType;
  /** The namespace, `/` when the text names none. */
  readonly nsp: string;
  /** Announced attachments, 0 for non-binary wire types. */
  readonly attachmentCount: number;
  /** Ack id, if the text has one. */
  readonly id: number | undefined;
  /** Parsed JSON payload, `undefined` if the text ends after the header. */
  readonly data: unknown;
}

/** Logical type of each wire digit. */
const LOGICAL_TYPES: readonly SocketIoPacketType[] = [
  "connect",
  "disconnect",
  "event",
  "ack",
  "connect_error",
  "event",
  "ack",
];

// 2^53 - 1 has 16 digits: anything longer cannot be a safe integer.
const ACK_ID_DIGITS_MAX = 16;

/**
 * Parses one packet text.
 * @throws SocketIoCodecError `unknown_packet_type`, `invalid_attachment_count`,
 *   `too_many_attachments`, `invalid_namespace`, `invalid_ack_id` or `invalid_json`.
 */
export function parsePacketText(text: string, limits: PacketTextLimits): PacketText {
  const wire = text.length > 0 ? text.charCodeAt(0) - 0x30 : -1;
  if (!(wire >= 0 && wire < LOGICAL_TYPES.length)) {
    const what = text.length > 0 ? JSON.stringify(text.charAt(0)) : "an empty message";
    throw new SocketIoCodecError("unknown_packet_type", `unknown packet type: ${what}`);
  }
  let i = 1;
  let attachmentCount = 0;
  if (wire === SOCKET_IO_WIRE_TYPES.BINARY_EVENT || wire === SOCKET_IO_WIRE_TYPES.BINARY_ACK) {
    const end = digitsEnd(text, i);
    if (end === i || text.charCodeAt(end) !== 0x2d /* - */) {
      throw new SocketIoCodecError("invalid_attachment_count", "a binary packet must start with <count>-");
    }
    attachmentCount = Number(text.slice(i, end));
    if (attachmentCount < 1) throw new SocketIoCodecError("invalid_attachment_count", "attachment count must be >= 1");
    if (attachmentCount > limits.attachmentsPerPacketMax) {
      throw new SocketIoCodecError(
        "too_many_attachments",
        `${text.slice(i, Math.min(end, i + 12))} attachments exceed attachmentsPerPacketMax (${limits.attachmentsPerPacketMax})`,
      );
    }
    i = end + 1;
  }
  let nsp = MAIN_NAMESPACE;
  if (text.charCodeAt(i) === 0x2f /* / */) {
    // The namespace runs to the next comma, or to the end of the text (the reference accepts
    // `1/admin` as well as `1/admin,`).
    const comma = text.indexOf(",", i);
    const end = comma === -1 ? text.length : comma;
    nsp = checkNamespace(text, i, end, limits.namespaceLengthMax);
    i = comma === -1 ? end : comma + 1;
  }
  let id: number | undefined;
  const idEnd = digitsEnd(text, i);
  if (idEnd > i) {
    const digits = text.slice(i, idEnd);
    id = Number(digits);
    if (digits.length > ACK_ID_DIGITS_MAX || !Number.isSafeInteger(id)) {
      throw new SocketIoCodecError("invalid_ack_id", `ack id ${digits.slice(0, 20)} is larger than 2^53 - 1`);
    }
    i = idEnd;
  }
  const data = i < text.length ? parseJson(text, i) : undefined;
  return { type: LOGICAL_TYPES[wire]!, nsp, attachmentCount, id, data };
}

/** Index just after the run of ASCII digits starting at `from`. */
function digitsEnd(text: string, from: number): number {
  let i = from;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
  }
  return i;
}

function checkNamespace(text: string, start: number, end: number, lengthMax: number): string {
  if (end - start > lengthMax) {
    throw new SocketIoCodecError("invalid_namespace", `namespace longer than namespaceLengthMax (${lengthMax})`);
  }
  const nsp = text.slice(start, end);
  if (hasControlCharacter(nsp)) {
    throw new SocketIoCodecError("invalid_namespace", `namespace ${JSON.stringify(nsp)} has a control character`);
  }
  return nsp;
}

function parseJson(text: string, from: number): unknown {
  try {
    return JSON.parse(text.slice(from));
  } catch (cause) {
    throw new SocketIoCodecError("invalid_json", `payload is not valid JSON (from offset ${from})`, { cause });
  }
}
