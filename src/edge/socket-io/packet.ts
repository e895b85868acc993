/**
 * Socket.IO v5 packets and the rules every packet obeys, shared by the encoder and the decoder so
 * that whatever one accepts the other does too.
 *
 * Spec: https://github.com/socketio/socket.io-protocol#exchange-protocol
 *
 * The wire has seven packet types; BINARY_EVENT (5) and BINARY_ACK (6) are EVENT and ACK whose
 * data holds binary. This union is the logical view with five types: the encoder picks the binary
 * wire type when the data holds bytes, and the decoder folds it back, as the reference parser
 * does (it also hands EVENT/ACK to the server after reassembly).
 */

/** The Socket.IO protocol revision these codecs speak. */
export const SOCKET_IO_PROTOCOL = 5;

/** The main namespace, left out of the encoding (`2["a"]` rather than `2/,["a"]`). */
export const MAIN_NAMESPACE = "/";

/** Wire type numbers, by their names in the spec. */
export const SOCKET_IO_WIRE_TYPES = Object.freeze({
  CONNECT: 0,
  DISCONNECT: 1,
  EVENT: 2,
  ACK: 3,
  CONNECT_ERROR: 4,
  BINARY_EVENT: 5,
  BINARY_ACK: 6,
} as const);

/** A wire type number, `0`–`6`. */
export type SocketIoWireType = (typeof SOCKET_IO_WIRE_TYPES)[keyof typeof SOCKET_IO_WIRE_TYPES];

/** Logical packet types (the binary wire types fold into `event` and `ack`). */
export type SocketIoPacketType = "connect" | "disconnect" | "event" | "ack" | "connect_error";

/**
 * Event names a peer may not use: they mean something to the Socket.IO API itself. Same list as
 * the reference parser's `RESERVED_EVENTS`.
 */
export const RESERVED_EVENT_NAMES: ReadonlySet<string> = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);

/** Event data: the event name (a string, or a number as the reference allows), then the arguments. */
export type EventData = readonly [eventName: string | number, ...args: unknown[]];

/** A JSON object payload (CONNECT auth / session data, CONNECT_ERROR `{ message, data? }`). */
export type ObjectPayload = Readonly<Record<string, unknown>>;

/** CONNECT: the client asks to join `nsp` (optional auth object); the server grants it (`{ sid }`). */
export interface ConnectPacket {
  /** Packet type. */
  readonly type: "connect";
  /** Namespace, `/` for the main one. */
  readonly nsp: string;
  /** Auth (client → server) or `{ sid, pid? }` (server → client); absent when not sent. */
  readonly data?: ObjectPayload;
}

/** DISCONNECT: leave `nsp`. Carries no payload. */
export interface DisconnectPacket {
  /** Packet type. */
  readonly type: "disconnect";
  /** Namespace. */
  readonly nsp: string;
}

/** EVENT (or BINARY_EVENT on the wire): an event with arguments, and an ack id if a reply is wanted. */
export interface EventPacket {
  /** Packet type. */
  readonly type: "event";
  /** Namespace. */
  readonly nsp: string;
  /** `[eventName, ...args]`; args may hold binary (Uint8Array; Buffers, ArrayBuffers and views when encoding). */
  readonly data: EventData;
  /** Ack id: a safe integer ≥ 0, present when the sender wants an ACK. */
  readonly id?: number;
}

/** ACK (or BINARY_ACK on the wire): the reply to the EVENT with the same id. */
export interface AckPacket {
  /** Packet type. */
  readonly type: "ack";
  /** Namespace. */
  readonly nsp: string;
  /** The reply's arguments, possibly empty; may hold binary. */
  readonly data: readonly unknown[];
  /** The id of the EVENT being acknowledged. */
  readonly id: number;
}

/** CONNECT_ERROR: the server refuses a namespace, `{ message, data? }` (a plain string in v4). */
export interface ConnectErrorPacket {
  /** Packet type. */
  readonly type: "connect_error";
  /** Namespace. */
  readonly nsp: string;
  /** Why: `{ message: string, data?: unknown }`, or a string from older peers. */
  readonly data: ObjectPayload | string;
}

/** A Socket.IO packet, discriminated on `type`. */
export type SocketIoPacket = ConnectPacket | DisconnectPacket | EventPacket | AckPacket | ConnectErrorPacket;

/** True for a plain object (what JSON.parse makes of `{…}`), the reference parser's `isObject`. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === "[object Object]";
}

/**
 * Why a namespace cannot be encoded, or `null` if it can: it must start with `/`, and contain no
 * `,` (the comma ends the namespace on the wire) and no control character.
 */
export function namespaceProblem(nsp: string): string | null {
  if (typeof nsp !== "string" || !nsp.startsWith("/")) return "must be a string starting with /";
  if (nsp.includes(",")) return "must not contain a comma";
  return hasControlCharacter(nsp) ? "must not contain control characters" : null;
}

/** True if `text` holds a C0 control character or DEL (never valid in a namespace). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Why `id` is not allowed on a packet of `type`, or `null`. Only EVENT and ACK carry ids; ACK must. */
export function ackIdProblem(type: SocketIoPacketType, id: unknown): string | null {
  if (id === undefined) return type === "ack" ? "an ACK needs an ack id" : null;
  if (type !== "event" && type !== "ack") return `a ${type} packet cannot carry an ack id`;
  return Number.isSafeInteger(id) && (id as number) >= 0 ? null : "must be a safe integer >= 0";
}

/** Shape rules per type, as data. */
const PAYLOAD_RULES: Readonly<Record<SocketIoPacketType, (data: unknown) => string | null>> = {
  connect: (d) => (d === undefined || isPlainObject(d) ? null : "CONNECT payload must be an object"),
  disconnect: (d) => (d === undefined ? null : "DISCONNECT carries no payload"),
  event: eventDataProblem,
  ack: (d) => (Array.isArray(d) ? null : "ACK payload must be an array"),
  connect_error: (d) =>
    typeof d === "string" || isPlainObject(d) ? null : "CONNECT_ERROR payload must be an object or a string",
};

/** Why `data` is not a valid payload for a packet of `type`, or `null`. */
export function payloadProblem(type: SocketIoPacketType, data: unknown): string | null {
  return PAYLOAD_RULES[type](data);
}

function eventDataProblem(data: unknown): string | null {
  if (!Array.isArray(data) || data.length === 0) return "EVENT payload must be a non-empty array";
  const name: unknown = data[0];
  if (typeof name === "number") return Number.isFinite(name) ? null : "event name must be a finite number";
  if (typeof name !== "string") return "event name must be a string";
  return RESERVED_EVENT_NAMES.has(name) ? `"${name}" is a reserved event name` : null;
}
