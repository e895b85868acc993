/**
 * The WebSocket transport's per-turn write batching and back-pressure accounting, on Chorus's
 * `ServerWebSocket` over an in-memory socket whose writes the test records and completes by hand,
 * under a virtual clock (the corker's end-of-turn flush is a deferred task).
 */
import assert from "node:assert/strict";
import { Duplex } from "node:stream";
import { test } from "node:test";
import type { EngineIoTransportSink } from "../../../src/edge/engine-io/engine-io-transport.js";
import { SocketCorker } from "../../../src/edge/engine-io/socket-corker.js";
import { WebSocketTransport } from "../../../src/edge/engine-io/websocket-transport.js";
import { textFrame } from "../../../src/edge/websocket/frame-writer.js";
import { CORKED_BYTES_MAX, ServerWebSocket } from "../../../src/edge/websocket/server-web-socket.js";
import { parseServerFrames } from "../websocket/frames.js";
import { VirtualReactor } from "../../../src/reactor/virtual/virtual-reactor.js";

/** A socket that records each write call (a `writev` is one call with several chunks). */
class RecordingSocket extends Duplex {
  readonly calls: Buffer[][] = [];
  /** While true, writes stay "in the OS" until `release()`. */
  stalled = false;
  #held: Array<() => void> = [];
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.#record([chunk], done);
  }
  override _writev(chunks: Array<{ chunk: Buffer }>, done: () => void): void {
    this.#record(
      chunks.map((c) => c.chunk),
      done,
    );
  }
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  /** The OS took everything held. */
  release(): void {
    this.stalled = false;
    for (const done of this.#held.splice(0)) done();
  }
  #record(chunks: Buffer[], done: () => void): void {
    this.calls.push(chunks);
    if (this.stalled) this.#held.push(done);
    else done();
  }
}

function setup() {
  const reactor = new VirtualReactor();
  const socket = new RecordingSocket();
  const channel = new ServerWebSocket(socket, {
    reactor,
    payloadBytesMax: 1 << 20,
    closeTimeoutMs: 30_000,
    corker: new SocketCorker(reactor),
  });
  const transport = new WebSocketTransport(channel);
  channel.start(Buffer.alloc(0));
  let drains = 0;
  const sink: EngineIoTransportSink = { packet: () => {}, drain: () => drains++, closed: () => {} };
  transport.sink = sink;
  return { reactor, socket, transport, drains: () => drains };
}

/** The text payloads of the frames in one recorded write call. */
function payloads(chunks: readonly Buffer[]): string[] {
  return parseServerFrames(Buffer.concat(chunks)).map((frame) => frame.payload.toString());
}

test("frames written in one turn leave in one write when the turn ends", () => {
  const { reactor, socket, transport } = setup();
  transport.sendOne({ type: "message", data: "a" });
  transport.sendOne({ type: "message", data: "b" });
  transport.sendOne({ type: "message", data: "c" });
  assert.equal(socket.calls.length, 0, "nothing is written before the turn ends");
  reactor.runUntilIdle();
  assert.equal(socket.calls.length, 1);
  assert.deepEqual(payloads(socket.calls[0]!), ["4a", "4b", "4c"]);
  transport.sendOne({ type: "message", data: "d" });
  reactor.runUntilIdle();
  assert.deepEqual(payloads(socket.calls[1]!), ["4d"], "the next turn batches again");
});

test("corked bytes are not counted as backed up; bytes the OS does not take are, until it takes them", async () => {
  const { reactor, socket, transport, drains } = setup();
  socket.stalled = true;
  transport.sendOne({ type: "message", data: "x".repeat(100) });
  assert.equal(transport.bufferedBytes, 0, "corked in this turn: not backed up");
  assert.equal(transport.bufferedPackets, 0);
  reactor.runUntilIdle();
  assert.ok(transport.bufferedBytes >= 101, `backed up: ${transport.bufferedBytes} bytes`);
  assert.equal(transport.bufferedPackets, 1);
  transport.sendOne({ type: "message", data: "y" });
  reactor.runUntilIdle();
  assert.equal(transport.bufferedPackets, 2);
  assert.equal(drains(), 0);
  socket.release();
  await new Promise((resolve) => setImmediate(resolve)); // write callbacks run on the next tick
  assert.ok(drains() >= 1, "drain is reported once the OS took the bytes");
  assert.equal(transport.bufferedBytes, 0);
  assert.equal(transport.bufferedPackets, 0);
});

test("a turn holding more than CORKED_BYTES_MAX is written at once, without waiting for the turn to end", () => {
  const { socket, transport } = setup();
  const chunk = "z".repeat(16 * 1024);
  for (let i = 0; i * chunk.length < CORKED_BYTES_MAX; i++) transport.sendOne({ type: "message", data: chunk });
  assert.equal(socket.calls.length, 1, "written mid-turn");
  assert.equal(payloads(socket.calls[0]!).length, CORKED_BYTES_MAX / chunk.length);
});

test("a pre-encoded text message is written from its shared frame, uncopied when alone in its turn", () => {
  const { reactor, socket, transport } = setup();
  const frame = textFrame('2["hi"]', "4");
  const encoded = { webSocketFrames: ['42["hi"]'], pollingRecords: '42["hi"]', webSocketTextFrame: frame };
  transport.sendOne(encoded);
  reactor.runUntilIdle();
  assert.equal(socket.calls[0]![0], frame, "the shared frame is written as it is");
  transport.sendOne(encoded);
  transport.sendOne(encoded);
  reactor.runUntilIdle();
  assert.deepEqual(payloads(socket.calls[1]!), ['42["hi"]', '42["hi"]'], "two in one turn: joined into one write");
  assert.equal(socket.calls[1]!.length, 1);
});

test("a large binary message is written after its header without being copied", () => {
  const { reactor, socket, transport } = setup();
  const bytes = Buffer.alloc(64 * 1024, 7);
  transport.sendOne({ type: "message", data: bytes });
  reactor.runUntilIdle();
  const call = socket.calls.flat();
  assert.ok(call.includes(bytes), "the caller's bytes are written as they are");
  const [frame] = parseServerFrames(Buffer.concat(call));
  assert.equal(frame!.opcode, 2);
  assert.equal(frame!.payload.length, bytes.length);
});
