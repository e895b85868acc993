/**
 * The sending side of the wire benchmark: one timed run of each subject (wire fire-and-forget,
 * wire acknowledged, a raw length-prefixed `net` socket, NATS publish) against a peer process
 * started by `wire-peer.ts`. Each returns the elapsed ms of one run; latency samples go into the
 * given array (ms). Benchmarks may read the clock directly.
 */
import type { Socket } from "node:net";
import type { NatsConnection } from "nats";
import type { WireConnection } from "../src/wire/wire-connection.js";
import { nowMs } from "./harness.js";

const FF = { ack: false } as const;
/** Sends issued per macrotask turn in fire-and-forget runs (each turn ends in one write). */
export const FF_CHUNK = 1024;
/** Acknowledged sends kept outstanding (queued + in flight) by the pipelined sender. */
export const ACK_OUTSTANDING = 256;

/** A wire client with a way to wait for the peer's "done". */
export interface WireClient {
  readonly connection: WireConnection;
  /** Resolves at the peer's next "done". */
  nextDone(): Promise<void>;
}

/** Wraps a connection whose peer sends "done" when it has counted its messages. */
export function wireClient(connection: WireConnection): WireClient {
  let resolveDone: (() => void) | null = null;
  connection.onMessage = (message) => {
    if (message.body === "done") resolveDone?.();
  };
  return {
    connection,
    nextDone: () => new Promise<void>((resolve) => (resolveDone = resolve)),
  };
}

/**
 * Fire-and-forget: `n` messages in turns of {@link FF_CHUNK}, each turn awaiting its last send
 * (written), and waiting for the connection to be writable before a turn (as the raw sender
 * waits for `drain`); ends when the peer reports all `n` handled. Every 256th turn a PING measures the
 * round trip through the loaded connection (into `rttMs`).
 */
export async function wireFireAndForget(
  client: WireClient,
  payload: Uint8Array,
  n: number,
  rttMs: number[],
): Promise<number> {
  const { connection } = client;
  await connection.send({ expect: n });
  const done = client.nextDone();
  const start = nowMs();
  let turn = 0;
  for (let sent = 0; sent < n;) {
    if (!connection.writable) await connection.whenWritable();
    const end = Math.min(n, sent + FF_CHUNK);
    let last: Promise<void> | null = null;
    for (; sent < end; sent++) last = connection.send(payload, FF);
    if (turn++ % 16 === 0) void connection.ping(10_000).then((rtt) => rttMs.push(rtt));
    await last;
  }
  await done;
  return nowMs() - start;
}

/**
 * Fire-and-forget through the synchronous `trySend` (no promise at all): `n` messages in turns of
 * {@link FF_CHUNK}, each turn ending with a yield (as the raw sender's), waiting for the
 * connection to be writable when `trySend` says "blocked"; ends when the peer reports all `n`
 * handled. Every 16th turn a PING measures the round trip (into `rttMs`).
 */
export async function wireTrySendFireAndForget(
  client: WireClient,
  payload: Uint8Array,
  n: number,
  rttMs: number[],
): Promise<number> {
  const { connection } = client;
  await connection.send({ expect: n });
  const done = client.nextDone();
  const start = nowMs();
  let turn = 0;
  for (let sent = 0; sent < n;) {
    if (!connection.writable) await connection.whenWritable();
    const end = Math.min(n, sent + FF_CHUNK);
    for (; sent < end; sent++) {
      const status = connection.trySend(payload);
      if (status === "blocked") break;
      if (status === "closed") throw new Error("the connection closed");
    }
    if (turn++ % 16 === 0) void connection.ping(10_000).then((rtt) => rttMs.push(rtt));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await done;
  return nowMs() - start;
}

/** Acknowledged, pipelined: keeps {@link ACK_OUTSTANDING} sends outstanding; latency of each send → `latencyMs`. */
export function wireAcknowledged(
  client: WireClient,
  payload: Uint8Array,
  n: number,
  latencyMs: number[],
): Promise<number> {
  const { connection } = client;
  const sentAt = new Float64Array(n);
  let issued = 0;
  let acked = 0;
  const start = nowMs();
  return new Promise<number>((resolve, reject) => {
    const onAck = (): void => {
      // ACKs come in send order: the peer's handler finishes each message at once.
      latencyMs.push(nowMs() - sentAt[acked]!);
      if (++acked === n) resolve(nowMs() - start);
      else if (issued - acked < ACK_OUTSTANDING / 2) refill();
    };
    const refill = (): void => {
      const target = Math.min(n, acked + ACK_OUTSTANDING);
      const t = nowMs();
      for (; issued < target; issued++) {
        sentAt[issued] = t;
        connection.send(payload).then(onAck, reject);
      }
    };
    refill();
  });
}

/**
 * The raw-socket baseline of the fire-and-forget bar, written as an application would: per
 * message, one length-prefixed frame is built and handed to `socket.write`; each turn of
 * {@link FF_CHUNK} messages is corked so Node writes it with one `writev` (the batching a Node
 * application gets for free, and the wire's own per-tick batching); waits for `drain` when
 * `write` says so. Ends at the peer's reply.
 */
export async function rawFireAndForget(socket: Socket, payload: Uint8Array, n: number): Promise<number> {
  const done = nextChunk(socket);
  socket.write(frame(u32(n)));
  const start = nowMs();
  const length = payload.byteLength;
  for (let sent = 0; sent < n;) {
    const end = Math.min(n, sent + FF_CHUNK);
    socket.cork();
    let ok = true;
    for (; sent < end; sent++) {
      const out = Buffer.allocUnsafe(4 + length);
      out.writeUInt32BE(length, 0);
      out.set(payload, 4);
      ok = socket.write(out);
    }
    socket.uncork();
    if (!ok) await new Promise((resolve) => socket.once("drain", resolve));
    else await new Promise((resolve) => setImmediate(resolve));
  }
  await done;
  return nowMs() - start;
}

/**
 * An upper bound, not the bar's baseline: the frames of each turn are copied by hand into one
 * pre-sized buffer and written at once (no per-message object at all).
 */
export async function rawBatchedFireAndForget(socket: Socket, payload: Uint8Array, n: number): Promise<number> {
  const done = nextChunk(socket);
  socket.write(frame(u32(n)));
  const start = nowMs();
  const one = 4 + payload.byteLength;
  for (let sent = 0; sent < n;) {
    const count = Math.min(FF_CHUNK, n - sent);
    const out = Buffer.allocUnsafe(count * one);
    for (let i = 0; i < count; i++) {
      out.writeUInt32BE(payload.byteLength, i * one);
      out.set(payload, i * one + 4);
    }
    sent += count;
    if (!socket.write(out)) await new Promise((resolve) => socket.once("drain", resolve));
    else await new Promise((resolve) => setImmediate(resolve));
  }
  await done;
  return nowMs() - start;
}

/** Raw request/ack: the peer answers each frame with a 4-byte frame; {@link ACK_OUTSTANDING} outstanding. */
export function rawAcknowledged(socket: Socket, payload: Uint8Array, n: number, latencyMs: number[]): Promise<number> {
  const sentAt = new Float64Array(n);
  const one = 4 + payload.byteLength;
  let issued = 0;
  let acked = 0;
  let pending = 0;
  const start = nowMs();
  return new Promise<number>((resolve) => {
    const refill = (): void => {
      const count = Math.min(n, acked + ACK_OUTSTANDING) - issued;
      if (count <= 0) return;
      const out = Buffer.allocUnsafe(count * one);
      const t = nowMs();
      for (let i = 0; i < count; i++) {
        out.writeUInt32BE(payload.byteLength, i * one);
        out.set(payload, i * one + 4);
        sentAt[issued++] = t;
      }
      socket.write(out);
    };
    const onData = (chunk: Buffer): void => {
      pending += chunk.byteLength;
      const acks = Math.floor(pending / 8);
      pending -= acks * 8;
      const t = nowMs();
      for (let i = 0; i < acks; i++) latencyMs.push(t - sentAt[acked++]!);
      if (acked >= n) {
        socket.off("data", onData);
        resolve(nowMs() - start);
      } else if (issued - acked < ACK_OUTSTANDING / 2) refill();
    };
    socket.on("data", onData);
    refill();
  });
}

/** Publishes `n` messages on `bench.data` (yielding every {@link FF_CHUNK}, flushing every 16 turns); ends at `bench.done`. */
export async function natsPublish(nc: NatsConnection, payload: Uint8Array, n: number): Promise<number> {
  const done = new Promise<void>((resolve) => {
    const sub = nc.subscribe("bench.done", { max: 1, callback: () => resolve() });
    void sub;
  });
  await nc.request("bench.start", new TextEncoder().encode(String(n)), { timeout: 10_000 });
  const start = nowMs();
  let turn = 0;
  for (let sent = 0; sent < n;) {
    const end = Math.min(n, sent + FF_CHUNK);
    for (; sent < end; sent++) nc.publish("bench.data", payload);
    if (++turn % 16 === 0) await nc.flush();
    else await new Promise((resolve) => setImmediate(resolve));
  }
  await done;
  return nowMs() - start;
}

function u32(value: number): Uint8Array {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value, 0);
  return out;
}

function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.byteLength);
  out.writeUInt32BE(payload.byteLength, 0);
  out.set(payload, 4);
  return out;
}

function nextChunk(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once("data", () => resolve()));
}
