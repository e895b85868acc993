import assert from "node:assert/strict";
import { test } from "node:test";
import { VirtualReactor } from "../../src/reactor/virtual/virtual-reactor.js";

test("virtual time starts at startMs and moves only when stepped", () => {
  const reactor = new VirtualReactor({ startMs: 100, wallClockStartMs: 1_000_000 });
  assert.equal(reactor.nowMs(), 100);
  assert.equal(reactor.wallClockMs(), 1_000_000);
  reactor.advanceBy(25);
  assert.equal(reactor.nowMs(), 125);
  assert.equal(reactor.wallClockMs(), 1_000_025);
});

test("timers run in order of due time, then of creation", () => {
  const reactor = new VirtualReactor();
  const order: string[] = [];
  reactor.setTimer(20, () => order.push("b@20"));
  reactor.setTimer(10, () => order.push("a@10"));
  reactor.setTimer(20, () => order.push("c@20"));
  reactor.setTimer(0, () => order.push("z@0"));
  reactor.setTimer(10, () => order.push("d@10"));
  reactor.runUntilIdle();
  assert.deepEqual(order, ["z@0", "a@10", "d@10", "b@20", "c@20"]);
  assert.equal(reactor.nowMs(), 20);
});

test("a timer fires at its due time, observing the clock at that instant", () => {
  const reactor = new VirtualReactor();
  const seen: number[] = [];
  reactor.setTimer(7, () => seen.push(reactor.nowMs()));
  reactor.setTimer(3, () => seen.push(reactor.nowMs()));
  reactor.runUntilIdle();
  assert.deepEqual(seen, [3, 7]);
});

test("a timer set for the current instant from a timer runs after the timers already due then", () => {
  const reactor = new VirtualReactor();
  const order: string[] = [];
  reactor.setTimer(5, () => {
    order.push("first");
    reactor.setTimer(0, () => order.push("added"));
  });
  reactor.setTimer(5, () => order.push("second"));
  reactor.runUntilIdle();
  assert.deepEqual(order, ["first", "second", "added"]);
});

test("a negative, NaN or infinite delay is refused with a RangeError naming it", () => {
  const reactor = new VirtualReactor({ startMs: 50 });
  for (const bad of [-10, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => reactor.setTimer(bad, () => {}), /delayMs must be a finite number/);
    assert.throws(() => reactor.setRepeatingTimer(bad, () => {}), /periodMs must be a finite number/);
  }
  assert.equal(reactor.pendingTimerCount, 0);
});

test("a cancelled timer never runs, and cancelling twice or after firing is a no-op", () => {
  const reactor = new VirtualReactor();
  const fired: string[] = [];
  const a = reactor.setTimer(10, () => fired.push("a"));
  const b = reactor.setTimer(5, () => fired.push("b"));
  assert.equal(reactor.pendingTimerCount, 2);
  a.cancel();
  a.cancel();
  assert.equal(reactor.pendingTimerCount, 1);
  reactor.runUntilIdle();
  b.cancel();
  assert.deepEqual(fired, ["b"]);
  assert.equal(reactor.pendingTimerCount, 0);
});

test("a timer cancelled by an earlier timer of the same instant does not run", () => {
  const reactor = new VirtualReactor();
  const fired: string[] = [];
  reactor.setTimer(5, () => {
    fired.push("first");
    second.cancel();
  });
  const second = reactor.setTimer(5, () => fired.push("second"));
  reactor.runUntilIdle();
  assert.deepEqual(fired, ["first"]);
});

test("a repeating timer fires every period until cancelled", () => {
  const reactor = new VirtualReactor();
  const seen: number[] = [];
  const handle = reactor.setRepeatingTimer(10, () => seen.push(reactor.nowMs()));
  reactor.advanceBy(35);
  assert.deepEqual(seen, [10, 20, 30]);
  assert.equal(reactor.pendingTimerCount, 1);
  handle.cancel();
  assert.equal(reactor.pendingTimerCount, 0);
  reactor.advanceBy(100);
  assert.deepEqual(seen, [10, 20, 30]);
});

test("a repeating timer can cancel itself from its own callback", () => {
  const reactor = new VirtualReactor();
  let count = 0;
  const handle = reactor.setRepeatingTimer(4, () => {
    if (++count === 3) handle.cancel();
  });
  assert.equal(reactor.runUntilIdle(), 3);
  assert.equal(count, 3);
  assert.equal(reactor.nowMs(), 12);
  assert.equal(reactor.pendingTimerCount, 0);
});

test("a repeating timer's period is at least 1 ms", () => {
  const reactor = new VirtualReactor();
  let count = 0;
  reactor.setRepeatingTimer(0, () => count++);
  reactor.advanceBy(5);
  assert.equal(count, 5);
});

test("repeating and one-shot timers due at the same instant keep creation order", () => {
  const reactor = new VirtualReactor();
  const order: string[] = [];
  reactor.setRepeatingTimer(10, () => order.push(`tick@${reactor.nowMs()}`));
  reactor.setTimer(20, () => order.push("once@20"));
  reactor.advanceBy(30);
  // A repeating timer re-arms as a new timer each time it fires, so at 20 the one-shot timer,
  // set before that re-arming, runs first.
  assert.deepEqual(order, ["tick@10", "once@20", "tick@20", "tick@30"]);
});

test("deferred tasks run first-in first-out, before any timer", () => {
  const reactor = new VirtualReactor();
  const order: string[] = [];
  reactor.setTimer(0, () => order.push("timer"));
  reactor.defer(() => {
    order.push("task 1");
    reactor.defer(() => order.push("task 3 (deferred by task 1)"));
  });
  reactor.defer(() => order.push("task 2"));
  assert.equal(reactor.pendingTaskCount, 2);
  reactor.runUntilIdle();
  assert.deepEqual(order, ["task 1", "task 2", "task 3 (deferred by task 1)", "timer"]);
  assert.equal(reactor.pendingTaskCount, 0);
});

test("deferred tasks stay FIFO across many tasks (the queue compacts without reordering)", () => {
  const reactor = new VirtualReactor();
  const ran: number[] = [];
  let enqueued = 0;
  const enqueue = (): void => {
    const id = enqueued++;
    reactor.defer(() => {
      ran.push(id);
      if (enqueued >= 5_000) return;
      enqueue();
      if (id % 3 === 0) enqueue();
    });
  };
  for (let i = 0; i < 3; i++) enqueue();
  reactor.runUntilIdle();
  assert.ok(enqueued >= 5_000);
  assert.equal(ran.length, enqueued);
  assert.deepEqual(
    ran,
    ran.map((_, i) => i),
  );
});

test("runUntilIdle returns the number of tasks run and stops at maxSteps", () => {
  const reactor = new VirtualReactor();
  let count = 0;
  reactor.setRepeatingTimer(1, () => count++);
  assert.equal(reactor.runUntilIdle({ maxSteps: 10 }), 10);
  assert.equal(count, 10);
  assert.equal(reactor.nowMs(), 10);
});

test("runUntilIdle leaves timers beyond maxAdvanceMs pending and does not move past them", () => {
  const reactor = new VirtualReactor();
  const fired: number[] = [];
  reactor.setTimer(5, () => fired.push(5));
  reactor.setTimer(50, () => fired.push(50));
  assert.equal(reactor.runUntilIdle({ maxAdvanceMs: 10 }), 1);
  assert.deepEqual(fired, [5]);
  assert.equal(reactor.nowMs(), 5);
  assert.equal(reactor.pendingTimerCount, 1);
});

test("advanceBy runs what falls due on the way and lands exactly on the target time", () => {
  const reactor = new VirtualReactor();
  const fired: number[] = [];
  reactor.setTimer(10, () => fired.push(reactor.nowMs()));
  reactor.setTimer(30, () => fired.push(reactor.nowMs()));
  reactor.setTimer(31, () => fired.push(reactor.nowMs()));
  assert.equal(reactor.advanceBy(30), 2);
  assert.deepEqual(fired, [10, 30]);
  assert.equal(reactor.nowMs(), 30);
  reactor.advanceBy(0);
  assert.deepEqual(fired, [10, 30]);
  reactor.advanceBy(1);
  assert.deepEqual(fired, [10, 30, 31]);
});

test("advanceBy with nothing pending just moves the clock", () => {
  const reactor = new VirtualReactor();
  assert.equal(reactor.advanceBy(1234.5), 0);
  assert.equal(reactor.nowMs(), 1234.5);
});

test("advanceBy runs deferred tasks even when no time passes", () => {
  const reactor = new VirtualReactor();
  let ran = false;
  reactor.defer(() => {
    ran = true;
  });
  reactor.advanceBy(0);
  assert.ok(ran);
});

test("settle lets awaiting code make progress between tasks and timers", async () => {
  const reactor = new VirtualReactor();
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => reactor.setTimer(ms, resolve));
  const log: string[] = [];
  const worker = (async () => {
    log.push(`start@${reactor.nowMs()}`);
    await sleep(10);
    log.push(`woke@${reactor.nowMs()}`);
    await sleep(5);
    log.push(`woke@${reactor.nowMs()}`);
    await new Promise<void>((resolve) => reactor.defer(resolve));
    log.push("deferred");
  })();
  await reactor.settle();
  await worker;
  assert.deepEqual(log, ["start@0", "woke@10", "woke@15", "deferred"]);
  assert.equal(reactor.nowMs(), 15);
});

test("settle stops at maxAdvanceMs", async () => {
  const reactor = new VirtualReactor();
  let fired = false;
  reactor.setTimer(100, () => {
    fired = true;
  });
  await reactor.settle({ maxAdvanceMs: 50 });
  assert.equal(fired, false);
  assert.equal(reactor.pendingTimerCount, 1);
  await reactor.settle();
  assert.equal(fired, true);
});

test("pendingTimerCount counts timers set and not yet fired or cancelled", () => {
  const reactor = new VirtualReactor();
  assert.equal(reactor.pendingTimerCount, 0);
  const a = reactor.setTimer(1, () => {});
  reactor.setTimer(2, () => {});
  const r = reactor.setRepeatingTimer(3, () => {});
  assert.equal(reactor.pendingTimerCount, 3);
  a.cancel();
  assert.equal(reactor.pendingTimerCount, 2);
  reactor.advanceBy(2);
  assert.equal(reactor.pendingTimerCount, 1, "the repeating timer counts until cancelled");
  reactor.advanceBy(10);
  assert.equal(reactor.pendingTimerCount, 1);
  r.cancel();
  assert.equal(reactor.pendingTimerCount, 0);
});

function draw(reactor: VirtualReactor): { floats: number[]; bytes: number[]; ids: string[] } {
  return {
    floats: Array.from({ length: 20 }, () => reactor.random()),
    bytes: Array.from(reactor.randomByteArray(32)),
    ids: Array.from({ length: 5 }, () => reactor.uniqueId()),
  };
}

test("the same seed gives the same random numbers, bytes and ids", () => {
  assert.deepEqual(draw(new VirtualReactor({ seed: 42 })), draw(new VirtualReactor({ seed: 42 })));
  assert.deepEqual(draw(new VirtualReactor()), draw(new VirtualReactor({ seed: 1 })), "the default seed is 1");
});

test("different seeds give different sequences", () => {
  const a = draw(new VirtualReactor({ seed: 1 }));
  const b = draw(new VirtualReactor({ seed: 2 }));
  assert.notDeepEqual(a.floats, b.floats);
  assert.notDeepEqual(a.bytes, b.bytes);
  for (const id of a.ids) assert.ok(!b.ids.includes(id));
});

test("random values are floats in [0, 1), bytes have the asked length, ids are 32 hex chars", () => {
  const reactor = new VirtualReactor({ seed: 7 });
  for (let i = 0; i < 10_000; i++) {
    const x = reactor.random();
    assert.ok(x >= 0 && x < 1, `random() gave ${x}`);
  }
  assert.equal(reactor.randomByteArray(0).length, 0);
  assert.equal(reactor.randomByteArray(37).length, 37);
  const ids = new Set<string>();
  for (let i = 0; i < 1_000; i++) {
    const id = reactor.uniqueId();
    assert.match(id, /^[0-9a-f]{32}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 1_000);
});

test("randomness does not depend on time or on timers", () => {
  const quiet = new VirtualReactor({ seed: 9 });
  const busy = new VirtualReactor({ seed: 9, startMs: 500 });
  busy.setTimer(3, () => {});
  busy.advanceBy(1_000);
  assert.deepEqual(draw(quiet), draw(busy));
});
