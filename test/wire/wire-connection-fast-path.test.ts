import assert from "node:assert/strict";
import { test } from "node:test";
import { WireSendError } from "../../src/wire/send-error.js";
import { WireConnection } from "../../src/wire/wire-connection.js";
import type { WireMessage } from "../../src/wire/wire-message.js";
import { advance, openPair, outcome, QUIET } from "./connection-fixtures.js";
import { framesWritten, memoryPair, virtualReactor } from "./memory-duplex.js";

const bytes = (n: number): Uint8Array => new Uint8Array([n, n, n]);

test("trySend puts a fire-and-forget message in this tick's batch; it arrives in order with sends", async () => {
  const { reactor, a, b, ends } = await openPair();
  const handled: unknown[] = [];
  b.onMessage = (message) => {
    handled.push(message.body);
  };
  const before = ends[0].written.length;
  assert.equal(a.trySend(bytes(1)), "sent");
  void a.send("two", { ack: false });
  assert.equal(a.trySend({ three: 3 }, new Uint8Array([9])), "sent");
  assert.equal(ends[0].written.length, before, "nothing is written before the end of the tick");
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(ends[0].written.length, before + 1, "the tick's messages go out in one write");
  assert.deepEqual(handled, [bytes(1), "two", { three: 3 }]);
  const msgs = framesWritten(ends[0]).filter((frame) => frame.type === "msg");
  assert.ok(msgs.every((frame) => frame.type === "msg" && !frame.ackRequested));
  assert.deepEqual(msgs.at(-1)?.type === "msg" && [...msgs.at(-1)!.header], [9]);
  assert.equal(a.stats.messagesSent, 3);
});

test("trySend says blocked, writing nothing, before the handshake and while sends are queued ahead", async () => {
  const reactor = virtualReactor();
  const ends = memoryPair(reactor);
  const a = new WireConnection(ends[0], reactor, { ...QUIET });
  const b = new WireConnection(ends[1], reactor, { ...QUIET, slots: 1 });
  assert.equal(a.trySend(bytes(1)), "blocked");
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(a.status, "open");
  const handled: unknown[] = [];
  let release: (() => void) | null = null;
  b.onMessage = (message, done) => {
    handled.push(message.body);
    release = () => done();
  };
  void a.send("first"); // takes the peer's only slot (the ack window is 1)
  void a.send("second"); // waits for the window
  void a.send("third", { ack: false }); // queued behind it, to keep order
  assert.equal(a.trySend(bytes(4)), "blocked");
  assert.equal(a.writable, false);
  await reactor.settle({ maxAdvanceMs: 0 });
  release!();
  await reactor.settle({ maxAdvanceMs: 0 });
  release!();
  await a.whenWritable();
  assert.equal(a.trySend(bytes(4)), "sent");
  await reactor.settle({ maxAdvanceMs: 0 });
  release!();
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.deepEqual(handled, ["first", "second", "third", bytes(4)]);
});

test("trySend says blocked above the byte stream's high-water mark until it drains", async () => {
  const { reactor, a, b, ends } = await openPair({}, {}, 150);
  let handled = 0;
  b.onFireAndForget = () => void handled++;
  ends[1].pause(); // the peer stops reading: our bytes pile up in its buffer
  assert.equal(a.trySend(new Uint8Array(200)), "sent");
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(a.trySend(bytes(2)), "blocked");
  const writable = outcome(a.whenWritable());
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(writable.state, "pending");
  ends[1].resume();
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(writable.state, "resolved");
  assert.equal(a.trySend(bytes(2)), "sent");
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(handled, 2);
});

test("trySend says closed after close, and throws for a message too large or not encodable", async () => {
  const { a } = await openPair({}, { frameBytesMax: 128 });
  assert.throws(
    () => a.trySend(new Uint8Array(200)),
    (error: unknown) => error instanceof WireSendError && error.code === "message_too_large",
  );
  assert.throws(
    () => a.trySend({ f: () => 1 }),
    (error: unknown) => error instanceof WireSendError && error.code === "unencodable_body",
  );
  assert.equal(a.stats.messagesSent, 0);
  a.close();
  assert.equal(a.trySend(bytes(1)), "closed");
});

test("onFireAndForget takes fire-and-forget messages as they are read; acknowledged ones go to onMessage", async () => {
  const { reactor, a, b } = await openPair();
  const fast: Array<[unknown, boolean, string, number]> = [];
  const slow: unknown[] = [];
  b.onFireAndForget = (message) => {
    fast.push([message.body, message.ackRequested, message.peerId, message.header.byteLength]);
  };
  b.onMessage = (message) => {
    slow.push(message.body);
  };
  void a.send("acked");
  assert.equal(a.trySend(bytes(1)), "sent");
  void a.send({ n: 2 }, { ack: false, header: new Uint8Array([1, 2]) });
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.deepEqual(slow, ["acked"]);
  assert.deepEqual(fast, [
    [bytes(1), false, b.peerId, 0],
    [{ n: 2 }, false, b.peerId, 2],
  ]);
  assert.equal(b.stats.messagesReceived, 3);
  assert.equal(b.stats.slotsBusy, 0);
});

test("fire-and-forget messages wait behind parked ones: arrival order holds and reading stops at the slots", async () => {
  const { reactor, a, b, ends } = await openPair({}, { slots: 2 });
  const order: string[] = [];
  const releases: Array<() => void> = [];
  b.onMessage = (message, done) => {
    order.push(String(message.body));
    releases.push(() => done());
  };
  b.onFireAndForget = (message: WireMessage) => void order.push(`ff${(message.body as Uint8Array)[0]}`);
  a.trySend(bytes(0)); // a free slot: handled at once
  void a.send("ack1");
  void a.send("ack2"); // both slots now held
  for (let i = 3; i < 13; i++) a.trySend(bytes(i)); // must wait behind the held slots
  await advance(reactor, 10);
  assert.deepEqual(order, ["ff0", "ack1", "ack2"]);
  assert.ok(b.stats.parked >= 2 && b.stats.parked <= 10, `parked ${b.stats.parked}`);
  assert.equal(ends[1].paused, true);
  releases.shift()!();
  await advance(reactor, 10);
  assert.deepEqual(order, ["ff0", "ack1", "ack2", ...Array.from({ length: 10 }, (_, i) => `ff${i + 3}`)]);
  assert.equal(b.stats.parked, 0);
  assert.equal(ends[1].paused, false);
});

test("a throwing fire-and-forget handler is counted, and the messages after it are still handled in order", async () => {
  const { reactor, a, b } = await openPair({}, { slots: 1 });
  const seen: number[] = [];
  b.onFireAndForget = (message) => {
    const n = (message.body as Uint8Array)[0]!;
    seen.push(n);
    if (n % 2 === 1) throw new Error(`odd ${n}`);
  };
  for (let i = 0; i < 6; i++) a.trySend(bytes(i));
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);
  assert.equal(b.stats.handlerErrors, 3);
  assert.equal(b.stats.slotsBusy, 0);
  assert.equal(b.status, "open");
  b.onFireAndForget = null; // back to onMessage, whose fire-and-forget throws are counted too
  b.onMessage = () => {
    throw new Error("no");
  };
  a.trySend(bytes(9));
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(b.stats.handlerErrors, 4);
  assert.equal(b.status, "open");
});
