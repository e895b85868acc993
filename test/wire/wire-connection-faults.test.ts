import assert from "node:assert/strict";
import { test } from "node:test";
import { BodyCodec } from "../../src/wire/body-codec.js";
import { decodeClose } from "../../src/wire/control-records.js";
import type { WireFrame } from "../../src/wire/frame.js";
import { WireConnection } from "../../src/wire/wire-connection.js";
import { advance, body, helloBody, outcome, QUIET, rawPeer } from "./connection-fixtures.js";
import { framesWritten, type MemoryDuplex, memoryPair, virtualReactor } from "./memory-duplex.js";

/** The CLOSE record the connection wrote to its raw peer, if any. */
function closeWritten(local: MemoryDuplex): { code: number; reason: string } | null {
  const close = framesWritten(local).find(
    (frame): frame is Extract<WireFrame, { type: "close" }> => frame.type === "close",
  );
  return close === undefined ? null : decodeClose(new BodyCodec(), close.body);
}

test("a peer speaking another protocol version is refused with version_mismatch (4010)", async () => {
  const peer = rawPeer({}, { v: 2 });
  await peer.reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(peer.connection.status, "closed");
  assert.equal(peer.connection.closeInfo?.error?.code, "version_mismatch");
  assert.equal(closeWritten(peer.local)?.code, 4010);
});

test("a malformed HELLO, or a MSG before HELLO, closes with bad_hello (4009)", async () => {
  const short = rawPeer({}, { id: new Uint8Array(3) });
  await short.reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(short.connection.closeInfo?.error?.code, "bad_hello");
  const early = rawPeer({}, false);
  early.send({ type: "msg", id: 1, ackRequested: false, header: new Uint8Array(0), body: body(1) });
  await early.reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(early.connection.closeInfo?.error?.code, "bad_hello");
  assert.equal(closeWritten(early.local)?.code, 4009);
});

test("a peer that never says HELLO is cut off with hello_timeout (4011) after helloTimeoutMs", async () => {
  const peer = rawPeer({ helloTimeoutMs: 2_000 }, false);
  const opened = outcome(peer.connection.whenOpen());
  await advance(peer.reactor, 1_999);
  assert.equal(peer.connection.status, "handshaking");
  await advance(peer.reactor, 1);
  assert.equal(peer.connection.closeInfo?.error?.code, "hello_timeout");
  assert.equal(opened.state, "rejected");
});

test("garbage bytes close that connection with the decoder's code and leave another one alone", async () => {
  const bad = rawPeer();
  const reactor = virtualReactor();
  const [x, y] = memoryPair(reactor);
  const good = new WireConnection(x, reactor, QUIET);
  new WireConnection(y, reactor, QUIET).onMessage = () => {};
  await bad.reactor.settle({ maxAdvanceMs: 0 });
  bad.sendBytes(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
  await bad.reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(bad.connection.closeInfo?.error?.code, "bad_magic");
  assert.equal(closeWritten(bad.local)?.code, 4001);
  const sent = outcome(good.send("still fine"));
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(sent.state, "resolved");
});

test("a frame over frameBytesMax is refused after its 16-byte header (frame_too_large, 4006)", async () => {
  const peer = rawPeer({ frameBytesMax: 1024 });
  await peer.reactor.settle({ maxAdvanceMs: 0 });
  const header = new Uint8Array([0x43, 0x57, 1, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0x10, 0, 0, 0]);
  peer.sendBytes(header);
  await peer.reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(peer.connection.closeInfo?.error?.code, "frame_too_large");
});

test("a peer sending more ack-requested messages than our slots is cut off (window_exceeded, 4012)", async () => {
  const peer = rawPeer({ slots: 2 });
  peer.connection.onMessage = (_message, _done) => {};
  for (let id = 1; id <= 3; id++)
    peer.send({ type: "msg", id, ackRequested: true, header: new Uint8Array(0), body: body(id) });
  await peer.reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(peer.connection.closeInfo?.error?.code, "window_exceeded");
});

test("a flood of PINGs is cut off (flood, 4013) once more than pongsOwedMax are owed", async () => {
  const peer = rawPeer({ pongsOwedMax: 8 });
  await peer.reactor.settle({ maxAdvanceMs: 0 });
  for (let id = 1; id <= 4; id++) peer.send({ type: "ping", id });
  await peer.reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(peer.connection.status, "open", "a few pings are fine");
  assert.equal(framesWritten(peer.local).filter((f) => f.type === "pong").length, 4);
  const burst = new Uint8Array(16 * 9);
  for (let i = 0; i < 9; i++) burst.set([0x43, 0x57, 1, 5, 0, 0, 0, 0, 0, 0, 0, i + 10, 0, 0, 0, 0], i * 16);
  peer.sendBytes(burst);
  await peer.reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(peer.connection.closeInfo?.error?.code, "flood");
});

test("ping resolves with the round trip; a keepalive PING left unanswered closes with ping_timeout", async () => {
  const peer = rawPeer({ pingIntervalMs: 1_000, pingTimeoutMs: 500 });
  await peer.reactor.settle({ maxAdvanceMs: 0 });
  const rtt = outcome(peer.connection.ping());
  await advance(peer.reactor, 30);
  const ping = framesWritten(peer.local).find((frame) => frame.type === "ping");
  peer.send({ type: "pong", id: ping!.id });
  await peer.reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(rtt.state, "resolved");
  assert.equal(rtt.value, 30);
  // Heard from at 30 ms: the 1,000 ms tick finds it fresh; the 2,000 ms tick pings; 2,500 ms times out.
  await advance(peer.reactor, 2_460);
  assert.equal(peer.connection.status, "open");
  assert.equal(framesWritten(peer.local).filter((frame) => frame.type === "ping").length, 2);
  await advance(peer.reactor, 20);
  assert.equal(peer.connection.closeInfo?.error?.code, "ping_timeout");
});

test("an idle connection is reaped with a normal close after idleMs, never before", async () => {
  const reactor = virtualReactor();
  const [x, y] = memoryPair(reactor);
  const a = new WireConnection(x, reactor, { pingIntervalMs: 0, idleMs: 1_000 });
  const b = new WireConnection(y, reactor, { pingIntervalMs: 0, idleMs: 60_000 });
  b.onMessage = () => {};
  await reactor.settle({ maxAdvanceMs: 0 });
  await advance(reactor, 999);
  assert.equal(a.status, "open");
  await advance(reactor, 1_100);
  assert.equal(a.status, "closed");
  assert.deepEqual(a.closeInfo, { code: 1000, reason: "idle", error: null, byPeer: false });
  assert.equal(b.closeInfo?.byPeer, true);
});

test("a send on a connection idle for more than 3/4 of idleMs goes after a PING probe's PONG", async () => {
  const peer = rawPeer({ idleMs: 1_000 });
  await peer.reactor.settle({ maxAdvanceMs: 0 });
  await advance(peer.reactor, 800);
  const sent = outcome(peer.connection.send("after the probe", { ack: false }));
  await peer.reactor.settle({ maxAdvanceMs: 0 });
  const types = framesWritten(peer.local).map((frame) => frame.type);
  assert.deepEqual(types, ["hello", "ping"]);
  assert.equal(sent.state, "pending");
  const ping = framesWritten(peer.local).find((frame) => frame.type === "ping")!;
  peer.send({ type: "pong", id: ping.id });
  await peer.reactor.settle({ maxAdvanceMs: 0 });
  assert.deepEqual(
    framesWritten(peer.local).map((frame) => frame.type),
    ["hello", "ping", "msg"],
  );
  assert.equal(sent.state, "resolved");
  assert.equal(helloBody().byteLength > 0, true);
});
