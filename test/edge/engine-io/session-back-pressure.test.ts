/**
 * The session's back-pressure contract under a virtual clock, with a transport whose buffer the
 * test drains by hand: the mark, `drain`, the grace period and the hard cap, to the millisecond.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type EngineIoServerOptions,
  resolveEngineIoServerOptions,
  SLOW_CONSUMER_CAP_FACTOR,
} from "../../../src/edge/engine-io/engine-io-server-options.js";
import { EngineIoSession } from "../../../src/edge/engine-io/engine-io-session.js";
import {
  type EngineIoOutbound,
  type EngineIoTransport,
  type EngineIoTransportSink,
  IGNORING_SINK,
} from "../../../src/edge/engine-io/engine-io-transport.js";
import { outboundBytes } from "../../../src/edge/engine-io/outbound-queue.js";
import { VirtualReactor } from "../../../src/reactor/virtual/virtual-reactor.js";

/** A WebSocket-like transport that keeps everything "in the OS buffer" until `drainAll()`. */
class HeldTransport implements EngineIoTransport {
  readonly name = "websocket" as const;
  sink: EngineIoTransportSink = IGNORING_SINK;
  bufferedBytes = 0;
  bufferedPackets = 0;
  aborted = false;
  closed = false;
  get writable(): boolean {
    return !this.closed && !this.aborted;
  }
  send(items: readonly EngineIoOutbound[]): void {
    for (const item of items) this.sendOne(item);
  }
  sendOne(item: EngineIoOutbound): void {
    this.bufferedBytes += outboundBytes(item);
    this.bufferedPackets += 1;
  }
  close(done: () => void): void {
    this.closed = true;
    done();
  }
  discard(): void {}
  abort(): void {
    this.aborted = true;
    this.bufferedBytes = this.bufferedPackets = 0;
  }
  /** The OS took everything. */
  drainAll(): void {
    this.bufferedBytes = this.bufferedPackets = 0;
    this.sink.drain();
  }
}

function setup(options: Partial<EngineIoServerOptions> = {}) {
  const reactor = new VirtualReactor();
  const logs: string[] = [];
  const resolved = resolveEngineIoServerOptions({
    reactor,
    outboundBytesMax: 1000,
    outboundPacketsMax: 100,
    slowConsumerGraceMs: 500,
    pingIntervalMs: 1_000_000,
    log: (line) => logs.push(line),
    ...options,
  });
  const transport = new HeldTransport();
  const session = new EngineIoSession("sid-1", transport, resolved, () => {});
  const closes: string[] = [];
  let drains = 0;
  session.on("close", (reason, description) => closes.push(`${reason}: ${description}`));
  session.on("drain", () => drains++);
  return { reactor, transport, session, closes, logs, drains: () => drains };
}

const MESSAGE = "x".repeat(99); // counts 100 bytes

test("send returns true under the mark and false once bufferedBytes reaches outboundBytesMax", () => {
  const { session } = setup();
  const results = Array.from({ length: 10 }, () => session.send(MESSAGE));
  assert.deepEqual(results, [...Array<boolean>(9).fill(true), false]);
  assert.equal(session.bufferedBytes, 1000);
  assert.equal(session.bufferedPackets, 10);
  assert.equal(session.needsDrain, true);
});

test("drain is emitted once when the transport's buffer empties, and the grace timer is cancelled", () => {
  const { reactor, transport, session, closes, drains } = setup();
  for (let i = 0; i < 10; i++) session.send(MESSAGE);
  reactor.advanceBy(400);
  transport.drainAll();
  assert.equal(drains(), 1);
  assert.equal(session.needsDrain, false);
  transport.drainAll();
  assert.equal(drains(), 1, "no drain without a preceding false");
  reactor.advanceBy(1000);
  assert.deepEqual(closes, []);
  assert.equal(session.send(MESSAGE), true);
});

test("a session over the mark for exactly slowConsumerGraceMs is closed with slow consumer and logged once", () => {
  const { reactor, transport, session, closes, logs } = setup();
  for (let i = 0; i < 10; i++) session.send(MESSAGE);
  reactor.advanceBy(499);
  assert.deepEqual(closes, []);
  reactor.advanceBy(1);
  assert.deepEqual(closes, ["slow consumer: over the high-water mark for 500 ms"]);
  assert.equal(transport.aborted, true);
  assert.equal(session.readyState, "closed");
  assert.equal(session.bufferedBytes, 0);
  assert.equal(session.send(MESSAGE), false);
  assert.deepEqual(logs, ["engine.io session sid-1 closed: slow consumer (over the high-water mark for 500 ms)"]);
});

test("a buffer that would pass the hard cap closes the session at once, before it grows", () => {
  const { transport, session, closes } = setup();
  let most = 0;
  for (let i = 0; i < 100 && closes.length === 0; i++) {
    session.send(MESSAGE);
    most = Math.max(most, transport.bufferedBytes);
  }
  assert.equal(most, 1000 * SLOW_CONSUMER_CAP_FACTOR);
  assert.deepEqual(closes, ["slow consumer: outbound buffer full (4000 bytes, 40 packets)"]);
});

test("the packet mark works alone: many tiny messages trip it", () => {
  const { session } = setup({ outboundPacketsMax: 5 });
  const results = Array.from({ length: 5 }, () => session.send("a"));
  assert.deepEqual(results, [true, true, true, true, false]);
});

test("one message larger than the cap still goes to an empty buffer", () => {
  const { session, closes } = setup();
  assert.equal(session.send("y".repeat(10_000)), false);
  assert.deepEqual(closes, []);
  assert.equal(session.send("z"), false);
  assert.deepEqual(closes, ["slow consumer: outbound buffer full (10001 bytes, 1 packets)"]);
});
