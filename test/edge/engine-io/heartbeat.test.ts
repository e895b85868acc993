/**
 * The heartbeat scheduler under a virtual clock: one scheduler, many heartbeats, two timers —
 * pings and timeouts to the millisecond, pongs re-arming, stops forgetting, and no timer left
 * when nothing waits.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Heartbeat, HeartbeatScheduler } from "../../../src/edge/engine-io/heartbeat.js";
import { VirtualReactor } from "../../../src/reactor/virtual/virtual-reactor.js";

function setup(pingIntervalMs = 100, pingTimeoutMs = 50) {
  const reactor = new VirtualReactor();
  const scheduler = new HeartbeatScheduler(reactor, { pingIntervalMs, pingTimeoutMs });
  const log: string[] = [];
  const beat = (name: string) =>
    new Heartbeat(scheduler, {
      ping: () => log.push(`${reactor.nowMs()} ping ${name}`),
      timeout: () => log.push(`${reactor.nowMs()} timeout ${name}`),
    });
  return { reactor, scheduler, log, beat };
}

test("a heartbeat pings after pingIntervalMs and times out pingTimeoutMs later without a pong", () => {
  const { reactor, log, beat } = setup();
  beat("a").start();
  reactor.advanceBy(1000);
  assert.deepEqual(log, ["100 ping a", "150 timeout a"]);
});

test("a pong re-arms the next ping pingIntervalMs after it, and cancels the timeout", () => {
  const { reactor, log, beat } = setup();
  const a = beat("a");
  a.start();
  reactor.advanceBy(120);
  a.pong();
  reactor.advanceBy(130);
  assert.deepEqual(log, ["100 ping a", "220 ping a"]);
  reactor.advanceBy(100);
  assert.deepEqual(log.slice(2), ["270 timeout a"]);
});

test("heartbeats started at different times each keep their own schedule", () => {
  const { reactor, log, beat } = setup();
  const a = beat("a");
  const b = beat("b");
  a.start();
  reactor.advanceBy(30);
  b.start();
  reactor.advanceBy(90); // a pinged at 100
  a.pong(); // at 120: next ping of a at 220
  reactor.advanceBy(200);
  assert.deepEqual(log, ["100 ping a", "130 ping b", "180 timeout b", "220 ping a", "270 timeout a"]);
});

test("a stopped heartbeat does nothing more, and an empty scheduler leaves no timer behind", () => {
  const { reactor, scheduler, log, beat } = setup();
  const a = beat("a");
  const b = beat("b");
  a.start();
  b.start();
  assert.deepEqual(scheduler.counts, { awaitingPing: 2, awaitingPong: 0 });
  a.stop();
  b.stop();
  assert.deepEqual(scheduler.counts, { awaitingPing: 0, awaitingPong: 0 });
  assert.equal(reactor.runUntilIdle(), 0, "no timer is left armed");
  assert.deepEqual(log, []);
});

test("many heartbeats share two timers and each pings exactly once per period", () => {
  const { reactor, scheduler, log, beat } = setup(1000, 500);
  const beats = Array.from({ length: 100 }, (_, i) => beat(String(i)));
  for (const [i, b] of beats.entries()) {
    b.start();
    if (i % 10 === 9) reactor.advanceBy(1);
  }
  reactor.advanceBy(1000);
  assert.equal(log.filter((line) => line.includes("ping")).length, 100);
  assert.deepEqual(scheduler.counts, { awaitingPing: 0, awaitingPong: 100 });
  for (const b of beats) b.pong();
  assert.deepEqual(scheduler.counts, { awaitingPing: 100, awaitingPong: 0 });
  reactor.advanceBy(2000);
  assert.equal(log.filter((line) => line.includes("timeout")).length, 100);
});
