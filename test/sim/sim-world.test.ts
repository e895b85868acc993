import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SimWorld } from "../../src/testing.js";
import { runAll } from "./sim-fixtures.js";

test("timers fire in (time, creation) order across nodes", () => {
  const world = new SimWorld({ seed: 1 });
  const x = world.addNode("x");
  const y = world.addNode("y");
  const fired: string[] = [];
  const at = (node: typeof x, delayMs: number, label: string) =>
    node.reactor.setTimer(delayMs, () => fired.push(`${label}@${world.nowMs}`));
  at(x, 30, "x30");
  at(y, 10, "y10a");
  at(x, 10, "x10");
  at(y, 10, "y10b");
  at(x, 0, "x0");
  at(y, 20, "y20");
  runAll(world);
  assert.deepEqual(fired, ["x0@0", "y10a@10", "x10@10", "y10b@10", "y20@20", "x30@30"]);
});

test("timers fire in (time, creation) order for any set of delays", () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 50 }), { maxLength: 40 }), fc.integer(), (delays, seed) => {
      const world = new SimWorld({ seed });
      const node = world.addNode("n");
      const fired: number[] = [];
      delays.forEach((delayMs, i) => node.reactor.setTimer(delayMs, () => fired.push(i)));
      runAll(world);
      const expected = delays.map((delayMs, i) => ({ delayMs, i })).sort((p, q) => p.delayMs - q.delayMs || p.i - q.i);
      assert.deepEqual(
        fired,
        expected.map((entry) => entry.i),
      );
    }),
    { seed: 42, numRuns: 100 },
  );
});

test("virtual time moves only when the world steps, and step(untilMs) leaves later timers alone", () => {
  const world = new SimWorld({ seed: 1 });
  const node = world.addNode("n");
  const fired: number[] = [];
  node.reactor.setTimer(100, () => fired.push(world.nowMs));
  node.reactor.setTimer(300, () => fired.push(world.nowMs));
  assert.equal(world.nowMs, 0);
  assert.equal(node.reactor.nowMs(), 0);
  assert.equal(world.step(200), true);
  assert.equal(world.step(200), false);
  assert.deepEqual(fired, [100]);
  assert.equal(world.nowMs, 100);
  world.advanceTo(250);
  world.advanceTo(50); // never back
  assert.equal(world.nowMs, 250);
  assert.equal(world.step(), true);
  assert.deepEqual(fired, [100, 300]);
  assert.equal(world.step(), false);
  assert.equal(world.steps, 2);
});

test("deferred tasks run before any timer, even one due now", () => {
  const world = new SimWorld({ seed: 1 });
  const node = world.addNode("n");
  const order: string[] = [];
  node.reactor.setTimer(0, () => order.push("timer"));
  node.reactor.defer(() => {
    order.push("task 1");
    node.reactor.defer(() => order.push("task 2"));
  });
  runAll(world);
  assert.deepEqual(order, ["task 1", "task 2", "timer"]);
});

test("a repeating timer fires every period until cancelled, and a cancelled timer never fires", () => {
  const world = new SimWorld({ seed: 1 });
  const node = world.addNode("n");
  const ticks: number[] = [];
  const handle = node.reactor.setRepeatingTimer(25, () => {
    ticks.push(world.nowMs);
    if (ticks.length === 4) handle.cancel();
  });
  const never = node.reactor.setTimer(10, () => assert.fail("cancelled timer fired"));
  never.cancel();
  never.cancel();
  assert.equal(node.liveTimers, 1);
  runAll(world);
  assert.deepEqual(ticks, [25, 50, 75, 100]);
  assert.equal(node.liveTimers, 0);
});

test("a world refuses a non-integer seed and a second node with the same name", () => {
  assert.throws(() => new SimWorld({ seed: 1.5 }), TypeError);
  const world = new SimWorld({ seed: 1 });
  world.addNode("n");
  assert.throws(() => world.addNode("n"), /already exists/);
  assert.throws(() => world.node("m"), /no node named m/);
  assert.deepEqual(
    world.nodes().map((node) => node.name),
    ["n"],
  );
});
