/**
 * Engine.IO v4 packets: a type (one of seven) and an optional payload.
 *
 * Spec: https://github.com/socketio/engine.io-protocol#protocol
 *
 * | type    | id | carries                                                  |
 * | ------- | -- | -------------------------------------------------------- |
 * | open    | 0  | the handshake JSON (server → client)                     |
 * | close   | 1  | nothing (a transport may be closed)                      |
 * | ping    | 2  | optional text (`probe` during an upgrade)                |
 * | pong    | 3  | optional text (echoes the ping's)                        |
 * | message | 4  | text or binary: the layer above (Socket.IO) lives here   |
 * | upgrade | 5  | nothing (completes the upgrade to WebSocket)             |
 * | noop    | 6  | nothing (closes a pending poll during an upgrade)        |
 */

/** The Engine.IO protocol revision these codecs speak (the `EIO` query parameter). */
export const ENGINE_IO_PROTOCOL = 4;

/** Names of the Engine.IO packet types. */
export type EngineIoPacketType = "open" | "close" | "ping" | "pong" | "message" | "upgrade" | "noop";

/**
 * Packet type names indexed by their wire digit: `ENGINE_IO_PACKET_TYPES[4] === "message"`.
 * The digit is the first character of every text encoding.
 */
export const ENGINE_IO_PACKET_TYPES: readonly EngineIoPacketType[] = Object.freeze([
  "open",
  "close",
  "ping",
  "pong",
  "message",
  "upgrade",
  "noop",
]);

/** Wire digit of each packet type (`"0"`–`"6"`), the inverse of {@link ENGINE_IO_PACKET_TYPES}. */
export const ENGINE_IO_TYPE_DIGITS: Readonly<Record<EngineIoPacketType, string>> = Object.freeze({
  open: "0",
  close: "1",
  ping: "2",
  pong: "3",
  message: "4",
  upgrade: "5",
  noop: "6",
});

/**
 * Every packet type except `message`. These carry text only: the reference parser keeps any text
 * that follows the type digit (`2probe` → ping with data `probe`), so we do too.
 */
export type EngineIoControlType = Exclude<EngineIoPacketType, "message">;

/** A packet of any type but `message`; `data` is absent when nothing follows the digit. */
export interface EngineIoControlPacket {
  /** The packet type. */
  readonly type: EngineIoControlType;
  /** Text after the type digit, if any (`probe`, or the handshake JSON of `open`). */
  readonly data?: string;
}

/**
 * A `message` packet. Text travels as `4<text>`; binary travels as a raw WebSocket binary frame,
 * or as `b<base64>` inside a polling payload. An empty message decodes with `data: ""`.
 */
export interface EngineIoMessagePacket {
  /** Always `message`. */
  readonly type: "message";
  /** The message: a string, or bytes (decoded bytes are Node Buffers, a Uint8Array subclass). */
  readonly data: string | Uint8Array;
}

/** An Engine.IO packet, discriminated on `type`. */
export type EngineIoPacket = EngineIoControlPacket | EngineIoMessagePacket;

/** The record separator (U+001E) that joins packets in a polling payload. */
export const RECORD_SEPARATOR = "\x1e";

/** The record separator as a byte, for scanning raw polling bodies. */
export const RECORD_SEPARATOR_BYTE = 0x1e;

/** Builds a text or binary `message` packet. */
export function messagePacket(data: string | Uint8Array): EngineIoMessagePacket {
  return { type: "message", data };
}

/**
 * Builds a control packet; `data` is omitted when undefined so that decoded and built packets
 * compare equal.
 */
export function controlPacket(type: EngineIoControlType, data?: string): EngineIoControlPacket {
  return data === undefined ? { type } : { type, data };
}

/** True when `packet` is a message whose payload is binary. */
export function isBinaryMessage(packet: EngineIoPacket): packet is EngineIoMessagePacket & { data: Uint8Array } {
  return packet.type === "message" && typeof packet.data !== "string";
}

/**
 * The packet type of a wire digit character code, or `undefined` for anything but `0`–`6`.
 * Only ASCII digits count: the reference parser's table lookup behaves the same.
 */
export function packetTypeOfCharCode(charCode: number): EngineIoPacketType | undefined {
  const digit = charCode - 0x30;
  return digit >= 0 && digit < ENGINE_IO_PACKET_TYPES.length ? ENGINE_IO_PACKET_TYPES[digit] : undefined;
}
