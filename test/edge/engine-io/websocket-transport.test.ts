/**
 * The WebSocket transport's per-turn write batching and back-pressure accounting, on a real `ws`
 * connection over an in-memory socket whose writes the test records and completes by hand, under
 * a virtual clock (the corker's end-of-turn flush is a deferred task).
 */
import assert from "node:assert/strict";
import { Duplex } from "node:stream";
import { test } from "node:test";
import { CloseReasonWebSocket } from "../../../src/edge/engine-io/close-reason-web-socket.js";
import type { EngineIoTransportSink } from "../../../src/edge/engine-io/engine-io-transport.js";
import { SocketCorker } from "../../../src/edge/engine-io/socket-corker.js";
import { CORKED_BYTES_MAX, WebSocketTransport } from "../../../src/edge/engine-io/websocket-transport.js";
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

/** `ws`'s (undocumented in its types) server-side hook the WebSocketServer calls. */
interface ServerSideWebSocket {
  setSocket(socket: Duplex, head: Buffer, options: { maxPayload: number; skipUTF8Validation: boolean }): void;
}

function setup() {
  const reactor = new VirtualReactor();
  const socket = new RecordingSocket();
  // A server-side connection, as `ws`'s WebSocketServer makes one: no address, then setSocket.
  const ws = new CloseReasonWebSocket(null as unknown as string, undefined, {});
  (ws as unknown as ServerSideWebSocket).setSocket(socket, Buffer.alloc(0), {
    maxPayload: 1 << 20,
    skipUTF8Validation: false,
  });
  const transport = new WebSocketTransport(ws, socket, new SocketCorker(reactor));
  let drains = 0;
  const sink: EngineIoTransportSink = { packet: () => {}, drain: () => drains++, closed: () => {} };
  transport.sink = sink;
  return { reactor, socket, transport, drains: () => drains };
}

/** The text payloads of the frames in `chunks` (header and payload chunks alternate). */
function payloads(chunks: readonly Buffer[]): string[] {
  return chunks.filter((_, i) => i % 2 === 1).map((chunk) => chunk.toString());
}

test("frames written in one turn leave in one writev when the turn ends", () => {
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
  assert.deepEqual(payloads(socket.calls[1]!), ["4d"], "the next turn corks again");
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

test("a pre-encoded text message is written from its shared bytes", () => {
  const { reactor, socket, transport } = setup();
  const bytes = Buffer.from('42["hi"]');
  const encoded = { webSocketFrames: ['42["hi"]'], pollingRecords: '42["hi"]', textFrameBytes: bytes };
  transport.sendOne(encoded);
  transport.sendOne(encoded);
  reactor.runUntilIdle();
  assert.equal(socket.calls[0]![1], bytes, "the shared bytes are written as they are");
  assert.equal(socket.calls[0]![3], bytes);
  assert.equal(socket.calls[0]![0]![0], 0x81, "as a text frame");
});
