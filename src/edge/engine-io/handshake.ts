/**
 * The Engine.IO v4 handshake: the JSON the server sends in its `open` packet.
 *
 * Spec: https://github.com/socketio/engine.io-protocol#handshake
 *
 * ```
 * CLIENT                                              SERVER
 *   │  GET /engine.io/?EIO=4&transport=polling           │
 *   │ ─────────────────────────────────────────────────► │
 *   │  0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],
 *   │    "pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}
 *   │ ◄───────────────────────────────────────────────── │
 * ```
 * The field names are the wire's and carry no units: `pingInterval` and `pingTimeout` are
 * milliseconds, `maxPayload` is bytes.
 */
import { EngineIoCodecError } from "./errors.js";
import type { EngineIoControlPacket, EngineIoPacket } from "./packet.js";
import { preview } from "./packet-codec.js";

/** The handshake data of an `open` packet. */
export interface EngineIoHandshake {
  /** The session id; the client sends it back as the `sid` query parameter. */
  readonly sid: string;
  /** Transports the client may upgrade to from the current one (`["websocket"]` from polling). */
  readonly upgrades: readonly string[];
  /** Milliseconds between two server pings (reference default 25000). */
  readonly pingInterval: number;
  /** Milliseconds the server waits for a pong (reference default 20000). */
  readonly pingTimeout: number;
  /** Bytes the client may put in one polling payload (reference `maxHttpBufferSize`, 1e6). */
  readonly maxPayload: number;
}

/**
 * Serialises a handshake with the reference server's key order (sid, upgrades, pingInterval,
 * pingTimeout, maxPayload), so that our `open` packets are byte-identical to its.
 * @throws EngineIoCodecError `invalid_handshake` if a field is out of its domain.
 */
export function encodeHandshake(handshake: EngineIoHandshake): string {
  const problem = handshakeProblem(handshake);
  if (problem !== null) throw new EngineIoCodecError("invalid_handshake", `cannot encode handshake: ${problem}`);
  return JSON.stringify({
    sid: handshake.sid,
    upgrades: handshake.upgrades,
    pingInterval: handshake.pingInterval,
    pingTimeout: handshake.pingTimeout,
    maxPayload: handshake.maxPayload,
  });
}

/**
 * The `open` packet announcing a handshake.
 * @throws EngineIoCodecError `invalid_handshake` as {@link encodeHandshake}.
 */
export function openPacket(handshake: EngineIoHandshake): EngineIoControlPacket {
  return { type: "open", data: encodeHandshake(handshake) };
}

/**
 * Parses and validates handshake JSON (the data of an `open` packet). Unknown extra fields are
 * ignored, as clients do.
 * @throws EngineIoCodecError `invalid_handshake` for bad JSON or a missing or ill-typed field.
 */
export function decodeHandshake(json: string): EngineIoHandshake {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new EngineIoCodecError("invalid_handshake", `handshake is not JSON: ${preview(json)}`, { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new EngineIoCodecError("invalid_handshake", `handshake is not a JSON object: ${preview(json)}`);
  }
  const record = value as Record<string, unknown>;
  const handshake = {
    sid: record.sid,
    upgrades: record.upgrades,
    pingInterval: record.pingInterval,
    pingTimeout: record.pingTimeout,
    maxPayload: record.maxPayload,
  } as EngineIoHandshake;
  const problem = handshakeProblem(handshake);
  if (problem !== null) throw new EngineIoCodecError("invalid_handshake", `invalid handshake: ${problem}`);
  return Object.freeze({ ...handshake, upgrades: Object.freeze([...handshake.upgrades]) });
}

/**
 * The handshake carried by a decoded `open` packet.
 * @throws EngineIoCodecError `invalid_handshake` if `packet` is not an `open` packet with valid JSON.
 */
export function handshakeOf(packet: EngineIoPacket): EngineIoHandshake {
  if (packet.type !== "open" || packet.data === undefined) {
    throw new EngineIoCodecError("invalid_handshake", `expected an open packet with data, got ${packet.type}`);
  }
  return decodeHandshake(packet.data);
}

/** Field checks as data: name, test, what the field must be. */
const FIELD_CHECKS: ReadonlyArray<readonly [keyof EngineIoHandshake, (value: unknown) => boolean, string]> = [
  ["sid", (v) => typeof v === "string" && v.length > 0, "a non-empty string"],
  ["upgrades", (v) => Array.isArray(v) && v.every((t) => typeof t === "string"), "an array of strings"],
  ["pingInterval", isDuration, "an integer number of ms >= 1"],
  ["pingTimeout", isDuration, "an integer number of ms >= 1"],
  ["maxPayload", isDuration, "an integer number of bytes >= 1"],
];

function isDuration(value: unknown): boolean {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1;
}

function handshakeProblem(handshake: EngineIoHandshake): string | null {
  for (const [field, ok, expected] of FIELD_CHECKS) {
    if (!ok(handshake[field])) return `${field} must be ${expected}`;
  }
  return null;
}
