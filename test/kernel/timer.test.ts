import assert from "node:assert/strict";
import { test } from "node:test";
import { type Behaviour, ExitReasons, type Loop, type Ref, type TimerRef } from "../../src/index.js";
import type { VirtualReactor } from "../../src/testing.js";
import { flush, setup, statusOf } from "./kernel-fixtures.js";

interface Clock {
  after(ms: number): TimerRef;
  every(ms: number): TimerRef;
  cancel(timer: TimerRef): void;
  tick(label: string): void;
  stop(): void;
  crash(): void;
}

/** An actor that sets timers on request and records the time of every tick. */
function clock(ticks: Array<[string, number]>, reactor: VirtualReactor, options: Partial<Behaviour<Clock, null>> = {}) {
  const behaviour: Behaviour<Clock, null> = {
    name: "clock",
    init: () => null,
    handlers: {
      after: (_state, ms, ctx) => ctx.sendAfter(ms, "tick", "after"),
      every: (_state, ms, ctx) => ctx.sendInterval(ms, "tick", "every"),
      cancel(_state, timer, ctx) {
        ctx.cancelTimer(timer);
      },
      tick(_state, label) {
        ticks.push([label, reactor.nowMs()]);
      },
      stop(_state, _payload, ctx) {
        ctx.stop();
      },
      crash() {
        throw new Error("clock crashed");
      },
    },
    ...options,
  };
  return behaviour;
}

test("sendAfter delivers its message once, delayMs after the turn", async () => {
  const { reactor, loop } = setup();
  const ticks: Array<[string, number]> = [];
  const ref = loop.spawn(clock(ticks, reactor), undefined);
  reactor.advanceBy(5);
  ref.call("after", 100);
  assert.equal(loop.inspect(ref)?.timerCount, 1);
  reactor.advanceBy(99);
  assert.deepEqual(ticks, []);
  reactor.advanceBy(1);
  await flush(reactor);
  assert.deepEqual(ticks, [["after", 105]]);
  reactor.advanceBy(1_000);
  assert.equal(ticks.length, 1);
  assert.equal(loop.inspect(ref)?.timerCount, 0);
  assert.equal(reactor.pendingTimerCount, 0);
});

test("sendInterval delivers its message every periodMs until cancelled", async () => {
  const { reactor, loop } = setup();
  const ticks: Array<[string, number]> = [];
  const ref = loop.spawn(clock(ticks, reactor), undefined);
  const timer = ref.call("every", 30);
  reactor.advanceBy(95);
  assert.deepEqual(ticks, [
    ["every", 30],
    ["every", 60],
    ["every", 90],
  ]);
  ref.call("cancel", timer);
  reactor.advanceBy(300);
  assert.equal(ticks.length, 3);
  assert.equal(loop.inspect(ref)?.timerCount, 0);
  assert.equal(reactor.pendingTimerCount, 0);
});

test("cancelTimer stops a pending sendAfter, and cancelling twice is harmless", () => {
  const { reactor, loop } = setup();
  const ticks: Array<[string, number]> = [];
  const ref = loop.spawn(clock(ticks, reactor), undefined);
  const timer = ref.call("after", 10);
  ref.call("cancel", timer);
  ref.call("cancel", timer);
  reactor.advanceBy(100);
  assert.deepEqual(ticks, []);
  assert.equal(statusOf(loop, ref), "running");
});

test("timers set in init start when init returns", () => {
  const { reactor, loop } = setup();
  const ticks: Array<[string, number]> = [];
  loop.spawn(
    clock(ticks, reactor, {
      init: (_args, ctx) => {
        ctx.sendAfter(10, "tick", "from init");
        return null;
      },
    }),
    undefined,
  );
  reactor.advanceBy(10);
  assert.deepEqual(ticks, [["from init", 10]]);
});

const deaths: Array<[string, (loop: Loop, ref: Ref<Clock>) => void]> = [
  ["it stops itself", (_loop, ref) => ref.call("stop")],
  ["it crashes", (_loop, ref) => assert.throws(() => ref.call("crash"))],
  ["it is killed", (loop, ref) => loop.exit(ref, ExitReasons.killed)],
  ["it is shut down", (loop, ref) => loop.exit(ref, ExitReasons.shutdown)],
  ["the loop shuts down", (loop) => loop.shutdown()],
];

for (const [how, kill] of deaths) {
  test(`timers die with the actor when ${how}`, () => {
    const env = setup();
    const ticks: Array<[string, number]> = [];
    const ref = env.loop.spawn(clock(ticks, env.reactor), undefined);
    ref.call("after", 50);
    ref.call("every", 20);
    assert.equal(env.reactor.pendingTimerCount, 2);
    kill(env.loop, ref);
    assert.equal(env.reactor.pendingTimerCount, 0);
    env.reactor.advanceBy(200);
    assert.deepEqual(ticks, []);
    assert.equal(env.loop.deadLetterCount, 0);
  });
}

test("a timer set in terminate does not survive the actor", () => {
  const { reactor, loop } = setup();
  const ticks: Array<[string, number]> = [];
  const ref = loop.spawn(
    clock(ticks, reactor, {
      terminate(_state, _reason, ctx) {
        ctx.sendAfter(10, "tick", "from terminate");
        ctx.sendInterval(10, "tick", "from terminate");
      },
    }),
    undefined,
  );
  ref.call("stop");
  assert.equal(reactor.pendingTimerCount, 0);
});
