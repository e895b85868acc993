/**
 * Encodes Socket.IO v5 packets, once, into data that can be written to any number of sockets
 * unchanged: the broadcast path calls {@link encodePacket} once and hands the same frozen result
 * to every recipient, allocating nothing per recipient.
 *
 * Spec: https://github.com/socketio/socket.io-protocol#packet-encoding
 *
 * ```
 * <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]   + attachments
 *   2                                                ["foo"]
 *   5       1-                          14          ["foo",{"_placeholder":true,"num":0}] + <01 02>
 *   0                     /admin,                    {"token":"123"}
 * ```
 */
import { encodeFrame, encodePayload } from "../engine-io/packet-codec.js";
import { ENGINE_IO_TYPE_DIGITS, type EngineIoMessagePacket, messagePacket } from "../engine-io/packet.js";
import { SocketIoCodecError } from "./errors.js";
import {
  MAIN_NAMESPACE,
  SOCKET_IO_WIRE_TYPES,
  type SocketIoPacket,
  type SocketIoWireType,
  ackIdProblem,
  namespaceProblem,
  payloadProblem,
} from "./packet.js";
import { deconstruct } from "./placeholders.js";
import { textFrame } from "../websocket/frame-writer.js";

/** A packet encoded once, ready to be written to many sockets. Immutable. */
export interface EncodedPacket {
  /** The Socket.IO text form, e.g. `2["hello",1]` or `51-["a",{"_placeholder":true,"num":0}]`. */
  readonly text: string;
  /** Binary attachments in placeholder order (the caller's bytes, not copies); empty if none. */
  readonly attachments: readonly Uint8Array[];
  /** The Engine.IO `message` packets carrying it: the text, then one per attachment. */
  readonly messages: readonly EngineIoMessagePacket[];
  /** WebSocket frames: the text frame `4<text>`, then each attachment as a binary frame. */
  readonly webSocketFrames: readonly (string | Uint8Array)[];
  /**
   * The packet's records for a polling payload (`4<text>` then `b<base64>` per attachment,
   * joined by `\x1e`), computed on first use and then shared.
   */
  readonly pollingRecords: string;
}

/**
 * Encodes a packet. EVENT and ACK whose data holds binary (Buffers, ArrayBuffers, typed arrays,
 * DataViews, at any depth) become BINARY_EVENT / BINARY_ACK with placeholders; the input is not
 * modified.
 * @throws SocketIoCodecError `invalid_namespace` (no leading `/`, a comma, a control character),
 *   `invalid_ack_id` (see `ackIdProblem`), or `invalid_payload` (wrong shape for the type, a
 *   reserved event name, binary outside EVENT/ACK, circular data, or a value JSON cannot hold such
 *   as a BigInt).
 */
export function encodePacket(packet: SocketIoPacket): EncodedPacket {
  const { text, attachments } = encodeParts(packet);
  return new SharedEncoding(text, attachments);
}

/**
 * Encodes a packet to its text and attachments only (no Engine.IO framing).
 * @throws SocketIoCodecError as {@link encodePacket}.
 */
export function encodeParts(packet: SocketIoPacket): { text: string; attachments: Uint8Array[] } {
  const nspProblem = namespaceProblem(packet.nsp);
  if (nspProblem !== null) throw new SocketIoCodecError("invalid_namespace", `namespace ${nspProblem}`);
  const id = "id" in packet ? packet.id : undefined;
  const idProblem = ackIdProblem(packet.type, id);
  if (idProblem !== null) throw new SocketIoCodecError("invalid_ack_id", `ack id: ${idProblem}`);
  const data = "data" in packet ? packet.data : undefined;
  const problem = payloadProblem(packet.type, data);
  if (problem !== null) throw new SocketIoCodecError("invalid_payload", problem);

  const attachments: Uint8Array[] = [];
  let text: string;
  try {
    // Most payloads are strings, numbers and plain objects: no walk (and no copy) for binary.
    const json = data === undefined || holdsNoBinary(data, PLAIN_DEPTH_MAX) ? data : deconstruct(data, attachments);
    if (attachments.length > 0 && packet.type !== "event" && packet.type !== "ack") {
      throw new SocketIoCodecError(
        "invalid_payload",
        `binary data is only allowed in EVENT and ACK, not ${packet.type}`,
      );
    }
    text = String(wireTypeOf(packet.type, attachments.length > 0));
    if (attachments.length > 0) text += attachments.length + "-";
    if (packet.nsp !== MAIN_NAMESPACE) text += packet.nsp + ",";
    if (id !== undefined) text += id;
    if (json !== undefined) text += JSON.stringify(json);
  } catch (cause) {
    // What JSON itself throws (a BigInt, a throwing toJSON, nesting deeper than the stack)
    // becomes invalid_payload with the original as `cause`.
    if (cause instanceof SocketIoCodecError) throw cause;
    throw new SocketIoCodecError("invalid_payload", `payload cannot be JSON-encoded: ${String(cause)}`, { cause });
  }
  return { text, attachments };
}

/** Nesting the binary pre-check looks through before it leaves the payload to the full walk. */
const PLAIN_DEPTH_MAX = 4;

/**
 * True when `value` is made only of primitives, arrays and plain objects (no `toJSON`), at most
 * `depth` levels deep: it holds no binary, so {@link deconstruct} would return it unchanged.
 * False means "walk it" (binary, class instances, deeper nesting, cycles).
 */
function holdsNoBinary(value: unknown, depth: number): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (depth === 0 || typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!holdsNoBinary(value[i], depth - 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) if (!holdsNoBinary((value as Record<string, unknown>)[key], depth - 1)) return false;
  return true;
}

function wireTypeOf(type: SocketIoPacket["type"], binary: boolean): SocketIoWireType {
  switch (type) {
    case "connect":
      return SOCKET_IO_WIRE_TYPES.CONNECT;
    case "disconnect":
      return SOCKET_IO_WIRE_TYPES.DISCONNECT;
    case "event":
      return binary ? SOCKET_IO_WIRE_TYPES.BINARY_EVENT : SOCKET_IO_WIRE_TYPES.EVENT;
    case "ack":
      return binary ? SOCKET_IO_WIRE_TYPES.BINARY_ACK : SOCKET_IO_WIRE_TYPES.ACK;
    case "connect_error":
      return SOCKET_IO_WIRE_TYPES.CONNECT_ERROR;
  }
}

/**
 * The frozen result of {@link encodePacket}. Only the text and attachments are made up front; the
 * Engine.IO forms (messages, WebSocket frames, the text frame's bytes, polling records) are built
 * on first use and then shared, so a unicast pays only for the form its transport writes.
 */
class SharedEncoding implements EncodedPacket {
  readonly text: string;
  readonly attachments: readonly Uint8Array[];
  // Private fields stay writable on a frozen object: the caches are filled on first use.
  #messages: readonly EngineIoMessagePacket[] | undefined;
  #webSocketFrames: readonly (string | Uint8Array)[] | undefined;
  #webSocketTextFrame: Uint8Array | undefined;
  #pollingRecords: string | undefined;

  constructor(text: string, attachments: Uint8Array[]) {
    this.text = text;
    this.attachments = attachments.length === 0 ? NO_ATTACHMENTS : Object.freeze(attachments);
    Object.freeze(this);
  }

  get messages(): readonly EngineIoMessagePacket[] {
    if (this.#messages === undefined) {
      const messages = [Object.freeze(messagePacket(this.text))];
      for (const attachment of this.attachments) messages.push(Object.freeze(messagePacket(attachment)));
      this.#messages = Object.freeze(messages);
    }
    return this.#messages;
  }

  get webSocketFrames(): readonly (string | Uint8Array)[] {
    this.#webSocketFrames ??= Object.freeze(this.messages.map(encodeFrame));
    return this.#webSocketFrames;
  }

  /** See {@link EngineIoEncodedMessages.webSocketTextFrame}: defined when there are no attachments. */
  get webSocketTextFrame(): Uint8Array | undefined {
    if (this.attachments.length > 0) return undefined;
    this.#webSocketTextFrame ??= textFrame(this.text, MESSAGE_FRAME_PREFIX);
    return this.#webSocketTextFrame;
  }

  get pollingRecords(): string {
    this.#pollingRecords ??= encodePayload(this.messages);
    return this.#pollingRecords;
  }
}

const NO_ATTACHMENTS: readonly Uint8Array[] = Object.freeze([]);

/** The Engine.IO `message` digit that starts a text frame. */
const MESSAGE_FRAME_PREFIX = ENGINE_IO_TYPE_DIGITS.message;
