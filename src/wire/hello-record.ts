/**
 * The handshake record each side sends as the body of its HELLO frame (msgpack map, string keys):
 *
 * | key             | msgpack type   | meaning                                                     |
 * | --------------- | -------------- | ----------------------------------------------------------- |
 * | `v`             | uint           | protocol version; must equal {@link WIRE_PROTOCOL_VERSION}   |
 * | `id`            | bin, 16 bytes  | the sender's random 128-bit node id (new each process start) |
 * | `name`          | str, ≤ 255 B   | the sender's node name (for logs; not unique)               |
 * | `slots`         | uint, 1–1024   | receive slots: most ack-requested MSGs it accepts in flight  |
 * | `frameBytesMax` | uint ≥ 64      | largest frame it accepts, in bytes                          |
 * | `listen`        | str or nil     | optional address it listens on ("host:port" or a path)      |
 *
 * Unknown keys are ignored (a later minor revision may add some). Spec: docs/wire-protocol.md.
 */
import type { BodyCodec } from "./body-codec.js";
import { WireError } from "./errors.js";

/** The connection protocol version carried in HELLO (independent of the frame format byte). */
export const WIRE_PROTOCOL_VERSION = 1;
/** Bytes in a node id. */
export const NODE_ID_BYTES = 16;
/** Longest node name, in UTF-8 bytes. */
export const NODE_NAME_BYTES_MAX = 255;
/** Most receive slots a node may advertise. */
export const SLOTS_MAX = 1024;
/** Smallest `frameBytesMax` a node may advertise, in bytes (room for a small MSG). */
export const HELLO_FRAME_BYTES_MIN = 64;

/** What a HELLO says about its sender. */
export interface HelloRecord {
  readonly protocolVersion: number;
  /** 16 random bytes. */
  readonly nodeId: Uint8Array;
  readonly nodeName: string;
  /** Receive slots (1–1024): the sender of acknowledged MSGs keeps at most this many un-ACKed. */
  readonly slots: number;
  /** Largest frame the node accepts, in bytes. */
  readonly frameBytesMax: number;
  /** Address the node listens on, or null. */
  readonly listen: string | null;
}

/** Encodes a HELLO record as msgpack (fresh bytes). */
export function encodeHello(codec: BodyCodec, hello: HelloRecord): Uint8Array {
  return codec.encode({
    v: hello.protocolVersion,
    id: hello.nodeId,
    name: hello.nodeName,
    slots: hello.slots,
    frameBytesMax: hello.frameBytesMax,
    listen: hello.listen,
  });
}

/**
 * Decodes and validates a HELLO body.
 * @throws WireError `version_mismatch` when `v` is another version; `bad_hello` for anything
 *   malformed (not a map, a field missing or out of range).
 */
export function decodeHello(codec: BodyCodec, body: Uint8Array): HelloRecord {
  let value: unknown;
  try {
    value = codec.decode(body);
  } catch (error) {
    throw new WireError("bad_hello", "HELLO body is not msgpack", { cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Uint8Array)
    throw new WireError("bad_hello", "HELLO body is not a map");
  const record = value as Record<string, unknown>;
  const { v, id, name, slots, frameBytesMax, listen } = record;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new WireError("bad_hello", "HELLO has no version");
  if (v !== WIRE_PROTOCOL_VERSION)
    throw new WireError("version_mismatch", `peer speaks protocol version ${v}, we speak ${WIRE_PROTOCOL_VERSION}`);
  if (!(id instanceof Uint8Array) || id.byteLength !== NODE_ID_BYTES)
    throw new WireError("bad_hello", "HELLO node id must be 16 bytes");
  if (typeof name !== "string" || Buffer.byteLength(name) > NODE_NAME_BYTES_MAX)
    throw new WireError("bad_hello", "HELLO node name must be a string of at most 255 bytes");
  if (!isIntIn(slots, 1, SLOTS_MAX)) throw new WireError("bad_hello", `HELLO slots must be 1–${SLOTS_MAX}`);
  if (!isIntIn(frameBytesMax, HELLO_FRAME_BYTES_MIN, Number.MAX_SAFE_INTEGER))
    throw new WireError("bad_hello", `HELLO frameBytesMax must be an integer >= ${HELLO_FRAME_BYTES_MIN}`);
  if (listen !== undefined && listen !== null && typeof listen !== "string")
    throw new WireError("bad_hello", "HELLO listen must be a string or nil");
  return {
    protocolVersion: v,
    nodeId: new Uint8Array(id),
    nodeName: name,
    slots: slots as number,
    frameBytesMax: frameBytesMax as number,
    listen: listen ?? null,
  };
}

/** A node id as 32 lowercase hex characters (how peers are addressed once connected). */
export function nodeIdHex(nodeId: Uint8Array): string {
  return Buffer.from(nodeId.buffer, nodeId.byteOffset, nodeId.byteLength).toString("hex");
}

function isIntIn(value: unknown, min: number, max: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}
