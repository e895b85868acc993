// Shared helpers of the wire connection tests: two connections over a memory pair on a virtual
// reactor, and a "raw" peer that speaks frames by hand (to send what a correct peer never would).
import type { VirtualReactor } from "../../src/reactor/virtual/virtual-reactor.js";
import { BodyCodec } from "../../src/wire/body-codec.js";
import type { WireConnectionOptions } from "../../src/wire/connection-options.js";
import { encodeFrame } from "../../src/wire/frame-encoder.js";
import { WIRE_LIMITS_DEFAULT, type WireFrame } from "../../src/wire/frame.js";
import { encodeHello, WIRE_PROTOCOL_VERSION } from "../../src/wire/hello-record.js";
import { WireConnection } from "../../src/wire/wire-connection.js";
import { type MemoryDuplex, memoryPair, virtualReactor } from "./memory-duplex.js";

/** Options without background timers, so `settle` can run to idle. */
export const QUIET: WireConnectionOptions = { pingIntervalMs: 0, idleMs: 0 };

export interface Pair {
  readonly reactor: VirtualReactor;
  readonly a: WireConnection;
  readonly b: WireConnection;
  readonly ends: [MemoryDuplex, MemoryDuplex];
}

/** Two connections talking to each other, handshake done. */
export async function openPair(
  optionsA: WireConnectionOptions = {},
  optionsB: WireConnectionOptions = optionsA,
  highWaterBytes?: number,
): Promise<Pair> {
  const reactor = virtualReactor();
  const ends = memoryPair(reactor, highWaterBytes);
  const a = new WireConnection(ends[0], reactor, { nodeName: "a", ...QUIET, ...optionsA });
  const b = new WireConnection(ends[1], reactor, { nodeName: "b", ...QUIET, ...optionsB });
  await reactor.settle({ maxAdvanceMs: 0 });
  return { reactor, a, b, ends };
}

export interface RawPeer {
  readonly reactor: VirtualReactor;
  readonly connection: WireConnection;
  /** The raw end: write frames with `send`, read what the connection wrote with framesWritten(ends[0]). */
  readonly raw: MemoryDuplex;
  readonly local: MemoryDuplex;
  send(frame: WireFrame): void;
  sendBytes(bytes: Uint8Array): void;
}

/** A connection whose peer is driven by hand. `hello` false: the raw side sends no HELLO. */
export function rawPeer(
  options: WireConnectionOptions = {},
  hello: Partial<Record<string, unknown>> | false = {},
): RawPeer {
  const reactor = virtualReactor();
  const [local, raw] = memoryPair(reactor);
  const connection = new WireConnection(local, reactor, { nodeName: "local", ...QUIET, ...options });
  const limits = WIRE_LIMITS_DEFAULT;
  const peer: RawPeer = {
    reactor,
    connection,
    raw,
    local,
    send: (frame) => raw.write(encodeFrame(frame, limits)),
    sendBytes: (bytes) => raw.write(bytes),
  };
  if (hello !== false) peer.send({ type: "hello", id: 0, body: helloBody(hello) });
  return peer;
}

/** A HELLO body with fields overridden (e.g. `{ v: 2 }`). */
export function helloBody(overrides: Partial<Record<string, unknown>> = {}): Uint8Array {
  const codec = new BodyCodec();
  const base = encodeHello(codec, {
    protocolVersion: WIRE_PROTOCOL_VERSION,
    nodeId: new Uint8Array(16).fill(7),
    nodeName: "raw",
    slots: 2,
    frameBytesMax: 1024 * 1024,
    listen: null,
  });
  if (Object.keys(overrides).length === 0) return base;
  return codec.encode({ ...(codec.decode(base) as object), ...overrides });
}

/** A msgpack body. */
export function body(value: unknown): Uint8Array {
  return new BodyCodec().encode(value);
}

/** Settles a promise's outcome into a value the test can inspect without unhandled rejections. */
export function outcome<T>(promise: Promise<T>): {
  state: "pending" | "resolved" | "rejected";
  value?: T;
  error?: unknown;
} {
  const box: { state: "pending" | "resolved" | "rejected"; value?: T; error?: unknown } = { state: "pending" };
  promise.then(
    (value) => {
      box.state = "resolved";
      box.value = value;
    },
    (error: unknown) => {
      box.state = "rejected";
      box.error = error;
    },
  );
  return box;
}

/** Moves virtual time forward by exactly `ms`, running every task, timer and promise continuation due. */
export async function advance(reactor: VirtualReactor, ms: number): Promise<void> {
  const target = reactor.nowMs() + ms;
  await reactor.settle({ maxAdvanceMs: ms });
  if (reactor.nowMs() < target) reactor.advanceBy(target - reactor.nowMs());
  await reactor.settle({ maxAdvanceMs: 0 });
}
