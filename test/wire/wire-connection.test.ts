import assert from "node:assert/strict";
import { test } from "node:test";
import { WireSendError } from "../../src/wire/send-error.js";
import type { WireMessage } from "../../src/wire/wire-message.js";
import { WireConnection } from "../../src/wire/wire-connection.js";
import { advance, openPair, outcome, QUIET } from "./connection-fixtures.js";
import { framesWritten, memoryPair, virtualReactor } from "./memory-duplex.js";

test("a handshake opens both sides, each knowing the other's node id, name and slots", async () => {
  const { a, b } = await openPair({ slots: 3 }, { slots: 5 });
  assert.equal(a.status, "open");
  assert.equal(b.status, "open");
  assert.equal(a.peer?.nodeName, "b");
  assert.equal(b.peer?.nodeName, "a");
  assert.equal(a.peer?.slots, 5);
  assert.equal(b.peer?.slots, 3);
  assert.deepEqual(a.peer?.nodeId, b.options.nodeId);
  assert.equal(a.peerId, Buffer.from(b.options.nodeId).toString("hex"));
  assert.notEqual(a.peerId, b.peerId);
});

test("an acknowledged send resolves only after the peer's handler called done", async () => {
  const { reactor, a, b } = await openPair();
  let finish: (() => void) | null = null;
  const seen: unknown[] = [];
  b.onMessage = (message: WireMessage, done) => {
    seen.push(message.body);
    finish = () => done();
  };
  const sent = outcome(a.send({ hello: "world", n: [1, 2] }));
  await advance(reactor, 1000);
  assert.deepEqual(seen, [{ hello: "world", n: [1, 2] }]);
  assert.equal(sent.state, "pending");
  finish!();
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(sent.state, "resolved");
});

test("a handler returning a promise releases its slot and acks when the promise settles", async () => {
  const { reactor, a, b } = await openPair();
  b.onMessage = () => new Promise<void>((resolve) => reactor.setTimer(100, resolve));
  const sent = outcome(a.send("x"));
  await advance(reactor, 99);
  assert.equal(sent.state, "pending");
  await advance(reactor, 10);
  assert.equal(sent.state, "resolved");
});

test("a handler that throws makes the send reject with handler_failed naming the error", async () => {
  const { reactor, a, b } = await openPair();
  b.onMessage = () => {
    throw new TypeError("no such room");
  };
  const sent = outcome(a.send("x"));
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(sent.state, "rejected");
  assert.ok(sent.error instanceof WireSendError);
  assert.equal(sent.error.code, "handler_failed");
  assert.equal(sent.error.remoteCode, "TypeError");
  assert.match(sent.error.message, /no such room/);
  assert.equal(a.status, "open");
});

test("acknowledged sends pipeline up to the peer's slots and are handled in order", async () => {
  const { reactor, a, b } = await openPair({}, { slots: 4 });
  const order: unknown[] = [];
  const dones: Array<() => void> = [];
  b.onMessage = (message, done) => {
    order.push(message.body);
    dones.push(() => done());
  };
  const sends = Array.from({ length: 10 }, (_, i) => outcome(a.send(i)));
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.deepEqual(order, [0, 1, 2, 3]);
  assert.equal(a.stats.inFlight, 4);
  assert.equal(a.stats.queued, 6);
  while (dones.length > 0) {
    dones.shift()!();
    await reactor.settle({ maxAdvanceMs: 0 });
  }
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(sends.every((s) => s.state === "resolved"));
});

test("a send times out per message at 5,000 ms; a 4,900 ms handler still resolves", async () => {
  const { reactor, a, b } = await openPair({}, { slots: 2 });
  const delays = [4_900, 5_100];
  b.onMessage = () => new Promise<void>((resolve) => reactor.setTimer(delays.shift()!, resolve));
  const quick = outcome(a.send("quick"));
  const slow = outcome(a.send("slow"));
  await advance(reactor, 4_999);
  assert.equal(quick.state, "resolved");
  assert.equal(slow.state, "pending");
  await advance(reactor, 1);
  assert.equal(slow.state, "rejected");
  assert.equal((slow.error as WireSendError).code, "send_timeout");
  await advance(reactor, 1_000);
  assert.equal(a.status, "open", "a slow handler does not tear the connection down");
  assert.equal(a.stats.acksLate, 1);
  assert.equal(a.stats.inFlight, 0);
});

test("fire-and-forget resolves when written, before the peer's handler runs, without ack-requested", async () => {
  const { reactor, a, b, ends } = await openPair();
  const handled: unknown[] = [];
  b.onMessage = (message) => {
    handled.push(message.body);
  };
  const sent = outcome(a.send(new Uint8Array([1, 2, 3]), { ack: false }));
  reactor.runUntilIdle({ maxSteps: 1 });
  await Promise.resolve();
  assert.equal(sent.state, "resolved");
  assert.deepEqual(handled, []);
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.deepEqual(handled, [new Uint8Array([1, 2, 3])]);
  const msg = framesWritten(ends[0]).find((frame) => frame.type === "msg");
  assert.equal(msg?.type === "msg" && msg.ackRequested, false);
});

test("losing the connection rejects every unfinished send with connection_lost", async () => {
  const { reactor, a, b, ends } = await openPair();
  b.onMessage = (_message, _done) => {};
  const inFlight = outcome(a.send("held"));
  await reactor.settle({ maxAdvanceMs: 0 });
  ends[0].reset();
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(inFlight.state, "rejected");
  assert.equal((inFlight.error as WireSendError).code, "connection_lost");
  assert.equal(a.status, "closed");
  assert.equal(b.status, "closed");
  const after = outcome(a.send("late"));
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal((after.error as WireSendError).code, "closed");
});

test("a close sends CLOSE with its code, and the peer sees it as a close by the peer", async () => {
  const { reactor, a, b } = await openPair();
  a.close(1000, "bye");
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.deepEqual(b.closeInfo, { code: 1000, reason: "bye", error: null, byPeer: true });
  assert.equal(a.closeInfo?.byPeer, false);
});

test("a message over frameBytesMax (ours or the peer's) rejects at once and writes nothing", async () => {
  const { reactor, a, ends } = await openPair({ frameBytesMax: 4096 }, { frameBytesMax: 1024 });
  const writes = ends[0].written.length;
  const sent = outcome(a.send(new Uint8Array(2000)));
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(sent.state, "rejected");
  assert.equal((sent.error as WireSendError).code, "message_too_large");
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(ends[0].written.length, writes);
});

test("a full outbound queue rejects with queue_full, or waits for room until the send's timeout", async () => {
  const { reactor, a, b } = await openPair({ outboundMessagesMax: 2 }, { slots: 1 });
  b.onMessage = (_message, _done) => {};
  const first = outcome(a.send(1)); // written, in flight (the peer has one slot)
  await reactor.settle({ maxAdvanceMs: 0 });
  const queued = [outcome(a.send(2)), outcome(a.send(3))];
  const refused = outcome(a.send(4, { whenFull: "reject" }));
  const waiting = outcome(a.send(5, { timeoutMs: 300 }));
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal((refused.error as WireSendError).code, "queue_full");
  assert.equal(waiting.state, "pending");
  assert.equal(a.stats.waiting, 1);
  await advance(reactor, 300);
  assert.equal((waiting.error as WireSendError).code, "send_timeout");
  assert.equal(first.state, "pending");
  assert.ok(queued.every((q) => q.state === "pending"));
});

test("a send waiting for room goes out once room appears", async () => {
  const { reactor, a, b } = await openPair({ outboundMessagesMax: 1 }, { slots: 1 });
  b.onMessage = () => {};
  const sends = [1, 2, 3, 4].map((n) => outcome(a.send(n)));
  await advance(reactor, 100);
  assert.ok(sends.every((s) => s.state === "resolved"));
});

test("sends queued before the handshake go out after it, in order", async () => {
  const reactor = virtualReactor();
  const [endA, endB] = memoryPair(reactor);
  const a = new WireConnection(endA, reactor, QUIET);
  const early = [outcome(a.send("one")), outcome(a.send("two", { ack: false })), outcome(a.send("three"))];
  assert.equal(a.status, "handshaking");
  const b = new WireConnection(endB, reactor, QUIET);
  const got: unknown[] = [];
  b.onMessage = (message) => {
    got.push(message.body);
  };
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.deepEqual(got, ["one", "two", "three"]);
  assert.ok(early.every((s) => s.state === "resolved"));
});

test("a receiver runs at most `slots` handlers and stops reading while its parked messages fill", async () => {
  const { reactor, a, b, ends } = await openPair({}, { slots: 2 });
  let calls = 0;
  b.onMessage = (_message, _done) => {
    calls++; // never finishes
  };
  for (let i = 0; i < 20; i++) void a.send(i, { ack: false }).catch(() => {});
  await advance(reactor, 10);
  assert.equal(calls, 2);
  assert.equal(b.stats.slotsBusy, 2);
  assert.ok(b.stats.parked >= 2, `parked ${b.stats.parked}`);
  assert.equal(ends[1].paused, true);
});
