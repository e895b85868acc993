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
import { type EngineIoMessagePacket, messagePacket } from "../engine-io/packet.js";
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
  const json = guard(() => deconstruct(data, attachments));
  if (attachments.length > 0 && packet.type !== "event" && packet.type !== "ack") {
    throw new SocketIoCodecError("invalid_payload", `binary data is only allowed in EVENT and ACK, not ${packet.type}`);
  }
  let text = String(wireTypeOf(packet.type, attachments.length > 0));
  if (attachments.length > 0) text += attachments.length + "-";
  if (packet.nsp !== MAIN_NAMESPACE) text += packet.nsp + ",";
  if (id !== undefined) text += id;
  if (json !== undefined) text += guard(() => JSON.stringify(json));
  return { text, attachments };
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
 * Runs a step over the caller's data, turning what JSON itself would throw (a BigInt, a throwing
 * toJSON, nesting deeper than the stack) into `invalid_payload` with the original as `cause`.
 */
function guard<T>(step: () => T): T {
  try {
    return step();
  } catch (cause) {
    if (cause instanceof SocketIoCodecError) throw cause;
    throw new SocketIoCodecError("invalid_payload", `payload cannot be JSON-encoded: ${String(cause)}`, { cause });
  }
}

/** The frozen result of {@link encodePacket}; the polling form is built lazily, once. */
class SharedEncoding implements EncodedPacket {
  readonly text: string;
  readonly attachments: readonly Uint8Array[];
  readonly messages: readonly EngineIoMessagePacket[];
  readonly webSocketFrames: readonly (string | Uint8Array)[];
  #pollingRecords: string | undefined;

  constructor(text: string, attachments: Uint8Array[]) {
    this.text = text;
    this.attachments = Object.freeze(attachments);
    const messages = [messagePacket(text)];
    for (const attachment of attachments) messages.push(messagePacket(attachment));
    this.messages = Object.freeze(messages.map((message) => Object.freeze(message)));
    this.webSocketFrames = Object.freeze(this.messages.map(encodeFrame));
    Object.freeze(this);
  }

  get pollingRecords(): string {
    // Private fields stay writable on a frozen object: the cache is filled on first use.
    this.#pollingRecords ??= encodePayload(this.messages);
    return this.#pollingRecords;
  }
}
