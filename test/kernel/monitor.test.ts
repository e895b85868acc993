import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AnyRef,
  type Behaviour,
  type DownSignal,
  type ExitReason,
  ExitReasons,
  type MonitorRef,
} from "../../src/index.js";
import { flush, idle, named, setup, statusOf } from "./kernel-fixtures.js";

interface Watcher {
  watch(ref: AnyRef): MonitorRef;
  unwatch(monitor: MonitorRef): void;
  watchAndUnwatch(ref: AnyRef): void;
}

/** An actor that monitors on request and records its down signals. */
function watcher(downs: DownSignal[]): Behaviour<Watcher, null> {
  return {
    name: "watcher",
    init: () => null,
    handlers: {
      watch: (_state, ref, ctx) => ctx.monitor(ref),
      unwatch(_state, monitor, ctx) {
        ctx.demonitor(monitor);
      },
      watchAndUnwatch(_state, ref, ctx) {
        ctx.demonitor(ctx.monitor(ref));
      },
    },
    onDown(_state, signal) {
      downs.push(signal);
    },
  };
}

test("a monitor delivers one down signal with the reason when the actor stops", async () => {
  const { reactor, loop } = setup();
  const downs: DownSignal[] = [];
  const w = loop.spawn(watcher(downs), undefined);
  const target = loop.spawn(idle("target"), undefined);
  const monitor = w.call("watch", target);
  target.tell("crash", "target failed");
  await flush(reactor);
  assert.equal(downs.length, 1);
  assert.equal(downs[0]?.type, "down");
  assert.equal(downs[0]?.monitor, monitor);
  assert.equal(downs[0]?.ref, target);
  assert.equal(downs[0]?.reason.type, "crash");
  assert.equal((downs[0]?.reason as { error: Error } | undefined)?.error.message, "target failed");
  // Unlike a link, a monitor does not take the watcher down.
  assert.equal(statusOf(loop, w), "running");
});

test("every monitor on an actor fires, each with its own MonitorRef", async () => {
  const { reactor, loop } = setup();
  const downs: DownSignal[] = [];
  const w = loop.spawn(watcher(downs), undefined);
  const target = loop.spawn(idle("target"), undefined);
  const first = w.call("watch", target);
  const second = w.call("watch", target);
  assert.notEqual(first.monitorId, second.monitorId);
  target.tell("stop");
  await flush(reactor);
  assert.deepEqual(
    downs.map((d) => [d.monitor, d.reason]),
    [
      [first, ExitReasons.normal],
      [second, ExitReasons.normal],
    ],
  );
});

test("monitoring a dead actor delivers a down signal with noproc", async () => {
  const { reactor, loop } = setup();
  const downs: DownSignal[] = [];
  const w = loop.spawn(watcher(downs), undefined);
  const target = loop.spawn(idle("target"), undefined);
  loop.exit(target, ExitReasons.shutdown);
  const monitor = w.call("watch", target);
  await flush(reactor);
  assert.deepEqual(named(downs), named([{ type: "down", monitor, ref: target, reason: ExitReasons.noproc }]));
});

test("demonitor stops the down signal", async () => {
  const { reactor, loop } = setup();
  const downs: DownSignal[] = [];
  const w = loop.spawn(watcher(downs), undefined);
  const target = loop.spawn(idle("target"), undefined);
  const monitor = w.call("watch", target);
  w.call("unwatch", monitor);
  w.call("watchAndUnwatch", target);
  target.tell("stop");
  await flush(reactor);
  assert.deepEqual(downs, []);
});

test("demonitor of a monitor on a dead actor stops its noproc down signal", async () => {
  const { reactor, loop } = setup();
  const downs: DownSignal[] = [];
  const w = loop.spawn(watcher(downs), undefined);
  const target = loop.spawn(idle("target"), undefined);
  loop.exit(target, ExitReasons.shutdown);
  w.call("watchAndUnwatch", target);
  const reasons: ExitReason[] = [];
  loop.demonitor(loop.monitor(target, (reason) => reasons.push(reason)));
  await flush(reactor);
  assert.deepEqual(downs, []);
  assert.deepEqual(reasons, []);
});

test("loop.monitor calls back once with the reason, after the actor stopped", async () => {
  const { reactor, loop } = setup();
  const target = loop.spawn(idle("target"), undefined);
  const reasons: ExitReason[] = [];
  loop.monitor(target, (reason) => reasons.push(reason));
  loop.exit(target, { type: "shutdown", detail: "test" });
  loop.exit(target, ExitReasons.killed);
  await flush(reactor);
  assert.deepEqual(reasons, [{ type: "shutdown", detail: "test" }]);
});

test("loop.monitor of a dead actor calls back with noproc, deferred", async () => {
  const { reactor, loop } = setup();
  const target = loop.spawn(idle("target"), undefined);
  loop.exit(target, ExitReasons.killed);
  const reasons: ExitReason[] = [];
  loop.monitor(target, (reason) => reasons.push(reason));
  assert.deepEqual(reasons, []);
  await flush(reactor);
  assert.deepEqual(reasons, [ExitReasons.noproc]);
});

test("loop.demonitor stops the callback", async () => {
  const { reactor, loop } = setup();
  const target = loop.spawn(idle("target"), undefined);
  const reasons: ExitReason[] = [];
  const monitor = loop.monitor(target, (reason) => reasons.push(reason));
  loop.demonitor(monitor);
  loop.demonitor(monitor);
  target.tell("stop");
  await flush(reactor);
  assert.deepEqual(reasons, []);
});

test("a down signal for a watcher that died in the meantime is dropped quietly", async () => {
  const { reactor, loop } = setup();
  const downs: DownSignal[] = [];
  const w = loop.spawn(watcher(downs), undefined);
  const target = loop.spawn(idle("target"), undefined);
  w.call("watch", target);
  loop.exit(w, ExitReasons.shutdown);
  loop.exit(target, ExitReasons.shutdown);
  await flush(reactor);
  assert.deepEqual(downs, []);
  assert.equal(loop.deadLetterCount, 0);
});
