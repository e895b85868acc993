/**
 * Options of a {@link WireConnection}, resolved once: defaults first, then validation that names
 * the bad option. Every limit has a unit in its name. Spec: docs/wire-protocol.md § Limits.
 */
import { HELLO_FRAME_BYTES_MIN, NODE_ID_BYTES, NODE_NAME_BYTES_MAX, SLOTS_MAX } from "./hello-record.js";

/** What a send does when the outbound queue is full. */
export type WhenFull = "wait" | "reject";

/** Options of one connection (all optional except the node identity, which has a default). */
export interface WireConnectionOptions {
  /** This node's 128-bit id (16 bytes). Default: 16 bytes from `reactor.randomByteArray`. */
  nodeId?: Uint8Array;
  /** This node's name, ≤ 255 UTF-8 bytes. Default "chorus". */
  nodeName?: string;
  /** Address this node listens on, advertised in HELLO. Default null. */
  listen?: string | null;
  /** Receive slots: handlers running at once, and the peer's window of ack-requested MSGs. Default 16 (1–1024). */
  slots?: number;
  /** Largest frame accepted and sent, in bytes. Default 1 MiB (1,048,576). */
  frameBytesMax?: number;
  /** Most messages waiting to be written (queued and batched). Default 1,024. */
  outboundMessagesMax?: number;
  /** Most bytes of frames waiting to be written. Default 8 MiB. */
  outboundBytesMax?: number;
  /** Default for sends: wait for room until the send's timeout, or reject at once. Default "wait". */
  whenFull?: WhenFull;
  /** Default per-message send timeout, in ms (100–1,200,000). Default 5,000. */
  sendTimeoutMs?: number;
  /** Longest wait for the peer's HELLO, in ms. Default 5,000. */
  helloTimeoutMs?: number;
  /** Keepalive: PING when nothing was received for this long, in ms; 0 disables. Default 10,000. */
  pingIntervalMs?: number;
  /** Longest wait for a PONG, in ms (keepalive and idle probes). Default 5,000. */
  pingTimeoutMs?: number;
  /** Close a connection with no message traffic for this long, in ms; 0 disables. Default 30,000. */
  idleMs?: number;
  /** Most PONGs owed and not yet written before the peer counts as flooding. Default 64. */
  pongsOwedMax?: number;
  /** Largest single write handed to the byte stream, in bytes. Default 65,536. */
  writeBytesMax?: number;
}

/** Fully resolved options. */
export type ResolvedConnectionOptions = Required<Omit<WireConnectionOptions, "nodeId">> & {
  readonly nodeId: Uint8Array;
};

/** Defaults of {@link WireConnectionOptions} (nodeId excepted: it is random). */
export const CONNECTION_DEFAULTS: Readonly<Required<Omit<WireConnectionOptions, "nodeId">>> = Object.freeze({
  nodeName: "chorus",
  listen: null,
  slots: 16,
  frameBytesMax: 1024 * 1024,
  outboundMessagesMax: 1024,
  outboundBytesMax: 8 * 1024 * 1024,
  whenFull: "wait",
  sendTimeoutMs: 5_000,
  helloTimeoutMs: 5_000,
  pingIntervalMs: 10_000,
  pingTimeoutMs: 5_000,
  idleMs: 30_000,
  pongsOwedMax: 64,
  writeBytesMax: 64 * 1024,
});

/** Integer options with their inclusive bounds. A table beats a branch per option. */
const INTEGER_BOUNDS: ReadonlyArray<readonly [keyof typeof CONNECTION_DEFAULTS, number, number]> = [
  ["slots", 1, SLOTS_MAX],
  ["frameBytesMax", HELLO_FRAME_BYTES_MIN, 0xffff_ffff],
  ["outboundMessagesMax", 1, 1 << 24],
  ["outboundBytesMax", 1024, Number.MAX_SAFE_INTEGER],
  ["sendTimeoutMs", 1, 1_200_000],
  ["helloTimeoutMs", 1, 600_000],
  ["pingIntervalMs", 0, 86_400_000],
  ["pingTimeoutMs", 1, 600_000],
  ["idleMs", 0, 86_400_000],
  ["pongsOwedMax", 1, 1 << 20],
  ["writeBytesMax", 1024, 1 << 30],
];

/**
 * Resolves options: defaults, then checks.
 * @throws TypeError for a value of the wrong type; RangeError for one out of bounds (the message
 *   names the option and its unit).
 */
export function resolveConnectionOptions(
  options: WireConnectionOptions,
  randomNodeId: () => Uint8Array,
): ResolvedConnectionOptions {
  const merged = { ...CONNECTION_DEFAULTS, ...stripUndefined(options) };
  for (const [name, min, max] of INTEGER_BOUNDS) {
    const value = merged[name];
    if (typeof value !== "number" || !Number.isInteger(value))
      throw new TypeError(`${name} must be an integer, got ${String(value)}`);
    if (value < min || value > max) throw new RangeError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  if (typeof merged.nodeName !== "string" || Buffer.byteLength(merged.nodeName) > NODE_NAME_BYTES_MAX)
    throw new TypeError(`nodeName must be a string of at most ${NODE_NAME_BYTES_MAX} bytes`);
  if (merged.whenFull !== "wait" && merged.whenFull !== "reject")
    throw new TypeError(`whenFull must be "wait" or "reject", got ${String(merged.whenFull)}`);
  const nodeId = options.nodeId ?? randomNodeId();
  if (!(nodeId instanceof Uint8Array) || nodeId.byteLength !== NODE_ID_BYTES)
    throw new TypeError(`nodeId must be ${NODE_ID_BYTES} bytes`);
  return Object.freeze({ ...merged, nodeId });
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(options) as Array<keyof T>) if (options[key] !== undefined) out[key] = options[key];
  return out;
}
