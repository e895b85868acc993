/**
 * One server-side WebSocket connection over an in-memory socket under a virtual clock: messages,
 * pings, the closing handshake from either side, protocol violations, the close deadline,
 * terminate, and what happens to traffic after the close.
 */
import assert from "node:assert/strict";
import { Duplex } from "node:stream";
import { test } from "node:test";
import { SocketCorker } from "../../../src/edge/engine-io/socket-corker.js";
import { OPCODES } from "../../../src/edge/websocket/frame-reader.js";
import { textFrame } from "../../../src/edge/websocket/frame-writer.js";
import { ServerWebSocket } from "../../../src/edge/websocket/server-web-socket.js";
import type { WebSocketChannelListener, WebSocketEnd } from "../../../src/edge/websocket/web-socket-channel.js";
import { VirtualReactor } from "../../../src/reactor/virtual/virtual-reactor.js";
import { type ServerFrame, clientFrame, closePayload, frameHeader, hex, parseServerFrames } from "./frames.js";

/** The client end of an in-memory connection: records what the server writes and whether it sent FIN. */
class PeerSocket extends Duplex {
  readonly written: Buffer[] = [];
  /** True once the server ended its side (FIN). */
  finished = false;
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.written.push(Buffer.from(chunk));
    done();
  }
  override _final(done: () => void): void {
    this.finished = true;
    done();
  }
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  /** The frames the server wrote so far. */
  frames(): ServerFrame[] {
    return parseServerFrames(Buffer.concat(this.written));
  }
}

const CLOSE_TIMEOUT_MS = 30_000;

function setup(options: { payloadBytesMax?: number; corked?: boolean; head?: Buffer } = {}) {
  const reactor = new VirtualReactor();
  const socket = new PeerSocket();
  const channel = new ServerWebSocket(socket, {
    reactor,
    payloadBytesMax: options.payloadBytesMax ?? 1 << 20,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
    corker: options.corked === true ? new SocketCorker(reactor) : null,
  });
  const messages: Array<[string | Buffer, boolean]> = [];
  const ends: Array<[WebSocketEnd, string]> = [];
  let drains = 0;
  const listener: WebSocketChannelListener = {
    onMessage: (data, isBinary) => void messages.push([typeof data === "string" ? data : Buffer.from(data), isBinary]),
    onDrain: () => void drains++,
    onEnd: (end, description) => void ends.push([end, description]),
  };
  channel.listener = listener;
  channel.start(options.head ?? Buffer.alloc(0));
  /** The client sends `bytes`; resolves once the server has read them. */
  const send = async (...frames: Buffer[]): Promise<void> => {
    for (const frame of frames) socket.push(frame);
    await settle();
  };
  /** The client ends its side (FIN). */
  const fin = async (): Promise<void> => {
    socket.push(null);
    await settle();
  };
  return { reactor, socket, channel, messages, ends, drains: () => drains, send, fin };
}

/** Lets stream events (data, end, finish, close) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

function closeFrameOf(frames: ServerFrame[]): { code: number; reason: string } {
  const close = frames.filter((frame) => frame.opcode === OPCODES.close);
  assert.equal(close.length, 1, "exactly one close frame");
  assert.equal(frames.at(-1)!.opcode, OPCODES.close, "the close frame is the last frame");
  return closePayload(close[0]!.payload);
}

function clientClose(code: number | null, reason = ""): Buffer {
  if (code === null) return clientFrame(OPCODES.close, Buffer.alloc(0));
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return clientFrame(OPCODES.close, Buffer.concat([payload, Buffer.from(reason)]));
}

test("text and binary messages from the client arrive in order with their kind", async () => {
  const { send, messages, ends } = setup();
  await send(clientFrame(OPCODES.text, "4hello"), clientFrame(OPCODES.binary, hex("00 01 ff")));
  await send(clientFrame(OPCODES.text, "é€😀"));
  assert.deepEqual(messages, [
    ["4hello", false],
    [hex("00 01 ff"), true],
    ["é€😀", false],
  ]);
  assert.deepEqual(ends, []);
});

test("bytes that came with the upgrade request (head) are read first", async () => {
  const { send, messages } = setup({ head: clientFrame(OPCODES.text, "early") });
  await send(clientFrame(OPCODES.text, "later"));
  assert.deepEqual(messages, [
    ["early", false],
    ["later", false],
  ]);
});

test("a message split over many socket reads arrives whole", async () => {
  const { send, messages } = setup();
  const frame = clientFrame(OPCODES.binary, Buffer.alloc(5000, 9));
  for (let at = 0; at < frame.length; at += 999) await send(frame.subarray(at, at + 999));
  assert.equal(messages.length, 1);
  assert.deepEqual(messages[0], [Buffer.alloc(5000, 9), true]);
});

test("a client ping gets a pong with the same payload", async () => {
  const { send, socket, messages } = setup();
  await send(clientFrame(OPCODES.ping, "are you there?"));
  const frames = socket.frames();
  assert.equal(frames.length, 1);
  assert.equal(frames[0]!.opcode, OPCODES.pong);
  assert.equal(frames[0]!.fin, true);
  assert.equal(frames[0]!.payload.toString(), "are you there?");
  assert.deepEqual(messages, [], "a ping is not a message");
});

test("an empty ping gets an empty pong, and a 125-byte ping its 125 bytes back", async () => {
  const { send, socket } = setup();
  const payload = Buffer.alloc(125);
  for (let i = 0; i < 125; i++) payload[i] = i;
  await send(clientFrame(OPCODES.ping, ""), clientFrame(OPCODES.ping, payload));
  const frames = socket.frames();
  assert.deepEqual(
    frames.map((frame) => frame.opcode),
    [OPCODES.pong, OPCODES.pong],
  );
  assert.equal(frames[0]!.payload.length, 0);
  assert.deepEqual(frames[1]!.payload, payload);
});

test("with a corker, the pong leaves at the end of the turn", async () => {
  const { send, socket, reactor } = setup({ corked: true });
  await send(clientFrame(OPCODES.ping, "p"));
  assert.equal(socket.written.length, 0, "batched until the turn ends");
  reactor.runUntilIdle({ maxAdvanceMs: 0 });
  await settle();
  assert.equal(socket.frames()[0]!.opcode, OPCODES.pong);
  assert.equal(socket.frames()[0]!.payload.toString(), "p");
});

test("a ping between fragments is answered before the message is delivered", async () => {
  const { send, socket, messages } = setup();
  await send(clientFrame(OPCODES.text, "ab", { fin: false }), clientFrame(OPCODES.ping, "x"));
  assert.equal(socket.frames().length, 1);
  assert.deepEqual(messages, []);
  await send(clientFrame(OPCODES.continuation, "cd"));
  assert.deepEqual(messages, [["abcd", false]]);
});

test("a client close frame (1000, 'bye') gets a close frame echoing 1000, then FIN, and onEnd('closed') once", async () => {
  const { send, fin, socket, channel, ends } = setup();
  await send(clientClose(1000, "bye"));
  assert.deepEqual(closeFrameOf(socket.frames()), { code: 1000, reason: "" });
  assert.equal(socket.finished, true, "the server sent FIN after its close frame");
  assert.equal(channel.open, false);
  assert.equal(ends.length, 1);
  assert.equal(ends[0]![0], "closed");
  assert.match(ends[0]![1], /1000 bye/);
  await fin();
  assert.equal(socket.destroyed, true, "destroyed once the peer's FIN came");
  assert.equal(ends.length, 1, "reported once, not again when the socket closes");
});

test("a client close with 4000 is echoed with 4000", async () => {
  const { send, socket } = setup();
  await send(clientClose(4000, "done"));
  assert.deepEqual(closeFrameOf(socket.frames()), { code: 4000, reason: "" });
});

test("a close frame without a status gets an empty close frame back", async () => {
  const { send, socket, ends } = setup();
  await send(clientClose(null));
  const frames = socket.frames();
  assert.equal(frames.length, 1);
  assert.equal(frames[0]!.opcode, OPCODES.close);
  assert.equal(frames[0]!.payload.length, 0);
  assert.equal(ends.length, 1);
  assert.equal(ends[0]![0], "closed");
});

test("after the peer's close frame, the close timer is cancelled once the socket closes", async () => {
  const { send, fin, reactor } = setup();
  await send(clientClose(1000));
  assert.equal(reactor.pendingTimerCount, 1, "the close deadline runs while waiting for the peer's FIN");
  await fin();
  assert.equal(reactor.pendingTimerCount, 0);
});

test("a peer that sends a close frame but never FIN is destroyed at closeTimeoutMs", async () => {
  const { send, socket, reactor, ends } = setup();
  await send(clientClose(1000));
  reactor.advanceBy(CLOSE_TIMEOUT_MS - 1);
  await settle();
  assert.equal(socket.destroyed, false);
  reactor.advanceBy(1);
  await settle();
  assert.equal(socket.destroyed, true);
  assert.equal(ends.length, 1);
});

const VIOLATIONS: ReadonlyArray<[string, Buffer, number, string, WebSocketEnd]> = [
  ["an unmasked frame", clientFrame(OPCODES.text, "x", { mask: null }), 1002, "protocol error", "protocol error"],
  ["a frame with RSV1 set", clientFrame(OPCODES.text, "x", { rsv: 4 }), 1002, "protocol error", "protocol error"],
  ["an unknown opcode", clientFrame(3, "x"), 1002, "protocol error", "protocol error"],
  ["a continuation without a start", clientFrame(OPCODES.continuation, "x"), 1002, "protocol error", "protocol error"],
  ["a close code 1005", clientClose(1005), 1002, "protocol error", "protocol error"],
  ["invalid UTF-8 text", clientFrame(OPCODES.text, hex("c0 af")), 1007, "invalid UTF-8", "protocol error"],
  [
    "a message over payloadBytesMax (its header only)",
    frameHeader(clientFrame(OPCODES.binary, Buffer.alloc(200)), 200),
    1009,
    "payload too large",
    "too large",
  ],
];
for (const [what, bytes, code, reason, end] of VIOLATIONS) {
  test(`${what} gets a close frame with ${code} '${reason}', FIN, and onEnd('${end}')`, async () => {
    const { send, socket, ends, messages } = setup({ payloadBytesMax: 100 });
    await send(Buffer.concat([bytes, clientFrame(OPCODES.text, "after")]));
    assert.deepEqual(closeFrameOf(socket.frames()), { code, reason });
    assert.equal(socket.finished, true);
    assert.equal(ends.length, 1);
    assert.equal(ends[0]![0], end);
    assert.match(ends[0]![1], new RegExp(`close code ${code}`));
    assert.deepEqual(messages, [], "nothing after the violation is delivered");
  });
}

test("a close reason that is not valid UTF-8 gets a close frame with 1007 'invalid UTF-8'", async () => {
  const { send, socket, ends } = setup();
  const payload = Buffer.concat([hex("03 e8"), hex("ed a0 80")]);
  await send(clientFrame(OPCODES.close, payload));
  assert.deepEqual(closeFrameOf(socket.frames()), { code: 1007, reason: "invalid UTF-8" });
  assert.deepEqual(
    ends.map(([end]) => end),
    ["protocol error"],
  );
});

test("fragments whose sum exceeds payloadBytesMax get 1009 'payload too large' and onEnd('too large')", async () => {
  const { send, socket, ends } = setup({ payloadBytesMax: 100 });
  await send(clientFrame(OPCODES.text, "x".repeat(60), { fin: false }));
  await send(frameHeader(clientFrame(OPCODES.continuation, "y".repeat(41)), 41));
  assert.deepEqual(closeFrameOf(socket.frames()), { code: 1009, reason: "payload too large" });
  assert.deepEqual(
    ends.map(([end]) => end),
    ["too large"],
  );
});

test("messages before a violation in the same read are delivered, the violation then closes", async () => {
  const { send, messages, socket } = setup();
  await send(Buffer.concat([clientFrame(OPCODES.text, "ok"), clientFrame(OPCODES.text, "bad", { mask: null })]));
  assert.deepEqual(messages, [["ok", false]]);
  assert.equal(closeFrameOf(socket.frames()).code, 1002);
});

test("the server's close(1001, 'going away') writes a close frame and FIN, and does not report onEnd", async () => {
  const { fin, send, socket, channel, ends } = setup();
  channel.close(1001, "going away");
  await settle();
  assert.deepEqual(closeFrameOf(socket.frames()), { code: 1001, reason: "going away" });
  assert.equal(socket.finished, true);
  assert.equal(channel.open, false);
  await send(clientClose(1001));
  await fin();
  assert.equal(socket.destroyed, true);
  assert.deepEqual(ends, [], "the server's own close is not reported");
});

test("close() is idempotent: a second close writes nothing more", async () => {
  const { socket, channel } = setup();
  channel.close(1001, "going away");
  channel.close(1000, "again");
  await settle();
  assert.equal(socket.frames().length, 1);
});

test("close() without arguments sends a close frame without a status (1005), as ws's close() does", async () => {
  const { socket, channel } = setup();
  channel.close();
  await settle();
  assert.deepEqual(closeFrameOf(socket.frames()), { code: 1005, reason: "" });
});

test("close() writes frames sent earlier in the turn before the close frame", async () => {
  const { socket, channel, reactor } = setup({ corked: true });
  channel.sendText("last words", "4");
  channel.close(1000, "");
  await settle();
  const frames = socket.frames();
  assert.deepEqual(
    frames.map((frame) => frame.opcode),
    [OPCODES.text, OPCODES.close],
  );
  assert.equal(frames[0]!.payload.toString(), "4last words");
  reactor.runUntilIdle({ maxAdvanceMs: 0 });
  await settle();
  assert.equal(socket.frames().length, 2, "nothing more at the end of the turn");
});

test("a peer that never closes after the server's close is destroyed at closeTimeoutMs, not before", async () => {
  const { socket, channel, reactor, ends } = setup();
  channel.close(1001, "going away");
  await settle();
  reactor.advanceBy(CLOSE_TIMEOUT_MS - 1);
  await settle();
  assert.equal(socket.destroyed, false, "still waiting for the peer");
  reactor.advanceBy(1);
  await settle();
  assert.equal(socket.destroyed, true, "destroyed at the deadline");
  assert.deepEqual(ends, []);
});

test("terminate() destroys the socket at once, without a close frame or onEnd", async () => {
  const { socket, channel, ends, reactor } = setup();
  channel.terminate();
  assert.equal(socket.destroyed, true);
  assert.equal(channel.open, false);
  await settle();
  assert.deepEqual(socket.frames(), []);
  assert.deepEqual(ends, []);
  assert.equal(reactor.pendingTimerCount, 0);
  channel.terminate(); // idempotent
});

test("terminate() drops frames batched for the end of the turn", async () => {
  const { socket, channel, reactor } = setup({ corked: true });
  channel.sendText("never", "4");
  channel.terminate();
  reactor.runUntilIdle({ maxAdvanceMs: 0 });
  await settle();
  assert.deepEqual(socket.written, []);
});

test("terminate() while closing destroys the socket at once and cancels the close deadline", async () => {
  const { socket, channel, reactor } = setup();
  channel.close(1001, "");
  channel.terminate();
  await settle();
  assert.equal(socket.destroyed, true);
  assert.equal(reactor.pendingTimerCount, 0);
});

test("messages that arrive after the server's close are not delivered, and pings are not answered", async () => {
  const { send, socket, channel, messages } = setup();
  channel.close(1001, "going away");
  await send(clientFrame(OPCODES.text, "late"), clientFrame(OPCODES.binary, "late"), clientFrame(OPCODES.ping, "p"));
  assert.deepEqual(messages, []);
  assert.deepEqual(
    socket.frames().map((frame) => frame.opcode),
    [OPCODES.close],
  );
});

test("messages after the client's close frame are not delivered", async () => {
  const { send, messages } = setup();
  await send(Buffer.concat([clientClose(1000), clientFrame(OPCODES.text, "late")]));
  await send(clientFrame(OPCODES.text, "later"));
  assert.deepEqual(messages, []);
});

test("sends after close are dropped: only the close frame is written", async () => {
  const { socket, channel } = setup();
  channel.close(1000, "");
  channel.sendText("dropped", "4");
  channel.sendBinary(Buffer.alloc(10));
  channel.sendBinary(Buffer.alloc(20_000));
  channel.sendFrame(textFrame("dropped"));
  await settle();
  assert.deepEqual(
    socket.frames().map((frame) => frame.opcode),
    [OPCODES.close],
  );
});

test("sends after the client's close frame are dropped", async () => {
  const { send, socket, channel } = setup();
  await send(clientClose(1000));
  channel.sendText("dropped", "4");
  await settle();
  assert.deepEqual(
    socket.frames().map((frame) => frame.opcode),
    [OPCODES.close],
  );
});

test("the server's sends are written as text and binary frames", async () => {
  const { socket, channel } = setup();
  const big = Buffer.alloc(20_000);
  for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
  channel.sendText("hello", "4");
  channel.sendBinary(hex("01 02"));
  channel.sendBinary(big);
  channel.sendFrame(textFrame("shared", "4"));
  await settle();
  const frames = socket.frames();
  assert.deepEqual(
    frames.map((frame) => [frame.opcode, frame.fin]),
    [
      [OPCODES.text, true],
      [OPCODES.binary, true],
      [OPCODES.binary, true],
      [OPCODES.text, true],
    ],
  );
  assert.equal(frames[0]!.payload.toString(), "4hello");
  assert.deepEqual(frames[1]!.payload, hex("01 02"));
  assert.deepEqual(frames[2]!.payload, big);
  assert.equal(frames[3]!.payload.toString(), "4shared");
});

test("a peer FIN without a close frame reports onEnd('closed') once and destroys the socket", async () => {
  const { fin, socket, ends } = setup();
  await fin();
  assert.equal(socket.destroyed, true);
  assert.equal(ends.length, 1);
  assert.equal(ends[0]![0], "closed");
});

test("a socket error reports onEnd('error') once with its message", async () => {
  const { socket, ends } = setup();
  socket.destroy(new Error("boom"));
  await settle();
  assert.deepEqual(ends, [["error", "boom"]]);
});

test("a socket closed under the connection reports onEnd('closed') once", async () => {
  const { socket, ends } = setup();
  socket.destroy();
  await settle();
  assert.deepEqual(
    ends.map(([end]) => end),
    ["closed"],
  );
});

/** A peer whose socket holds each write until `releaseOne()` (a slow reader). */
class StallingPeer extends PeerSocket {
  readonly #held: Array<() => void> = [];
  override _write(chunk: Buffer, encoding: string, done: () => void): void {
    this.#held.push(() => super._write(chunk, encoding, done));
  }
  /** The OS takes the oldest held write; false when none is held. */
  releaseOne(): boolean {
    const next = this.#held.shift();
    next?.();
    return next !== undefined;
  }
}

test("a server close while the peer is backed up still sends the close frame and FIN (no write after end)", async () => {
  const reactor = new VirtualReactor();
  const socket = new StallingPeer();
  const errors: Error[] = [];
  socket.on("error", (error: Error) => errors.push(error));
  const channel = new ServerWebSocket(socket, {
    reactor,
    payloadBytesMax: 1 << 20,
    closeTimeoutMs: 30_000,
    corker: null,
  });
  channel.start(Buffer.alloc(0));
  channel.sendText("x".repeat(100), "4"); // held by the OS: backlogged, a marker follows it
  channel.sendText("y", "4");
  assert.ok(channel.bufferedBytes > 0, "backed up");
  channel.close(1001, "going away");
  for (let i = 0; i < 20; i++) {
    socket.releaseOne();
    await settle();
  }
  assert.deepEqual(errors, [], "no ERR_STREAM_WRITE_AFTER_END: nothing is written after the FIN");
  const frames = socket.frames();
  assert.deepEqual(
    frames.map((f) => f.opcode),
    [OPCODES.text, OPCODES.text, OPCODES.close],
  );
  assert.deepEqual(closePayload(frames[2]!.payload), { code: 1001, reason: "going away" });
  assert.equal(socket.finished, true, "FIN after the close frame");
});

test("bufferedFrames stays exact when a drain check finds frames still pending in the turn", async () => {
  const reactor = new VirtualReactor();
  const socket = new StallingPeer();
  const channel = new ServerWebSocket(socket, {
    reactor,
    payloadBytesMax: 1 << 20,
    closeTimeoutMs: 30_000,
    corker: new SocketCorker(reactor),
  });
  channel.start(Buffer.alloc(0));
  const release = async (count: number) => {
    for (let i = 0; i < count; i++) socket.releaseOne();
    await settle();
  };
  channel.sendText("a", "4");
  reactor.runUntilIdle(); // "a" held by the OS, a marker behind it
  channel.sendText("b", "4");
  reactor.runUntilIdle(); // "b" queued in the socket behind the marker
  channel.sendText("c", "4"); // pending in this turn
  assert.equal(channel.bufferedFrames, 3);
  await release(2); // "a" and the marker: "b" is still held, "c" still pending
  assert.equal(channel.bufferedFrames, 2);
  reactor.runUntilIdle(); // "c" goes to the socket, behind a new marker
  await release(2); // "b" and that marker: "c" is still held
  assert.equal(channel.bufferedFrames, 1, "c is still held by the OS");
  await release(2);
  assert.equal(channel.bufferedFrames, 0);
  assert.deepEqual(
    socket.frames().map((f) => f.payload.toString()),
    ["4a", "4b", "4c"],
  );
});
