import assert from "node:assert/strict";
import { test } from "node:test";
import { type BootContext, SimWorld } from "../../src/testing.js";
import { runAll } from "./sim-fixtures.js";

test("a node with driftPpm sees its clock advance faster, and its timers fire earlier in true time", () => {
  const world = new SimWorld({ seed: 1, epochMs: 1_000_000 });
  const fast = world.addNode("fast", { driftPpm: 250_000 }); // 25 % fast
  const exact = world.addNode("exact");
  let firedAtMs = -1;
  fast.reactor.setTimer(125, () => (firedAtMs = world.nowMs));
  runAll(world, 1_000);
  assert.equal(firedAtMs, 100);
  assert.equal(fast.reactor.nowMs(), 1_250);
  assert.equal(exact.reactor.nowMs(), 1_000);
  assert.equal(fast.reactor.wallClockMs(), 1_001_250);
});

test("a node with skewMs sees its clocks offset by the skew", () => {
  const world = new SimWorld({ seed: 1, epochMs: 1_000_000 });
  const ahead = world.addNode("ahead", { skewMs: 250 });
  const behind = world.addNode("behind", { skewMs: -40 });
  assert.equal(ahead.reactor.nowMs(), 250);
  assert.equal(behind.reactor.wallClockMs(), 999_960);
  runAll(world, 100);
  assert.equal(ahead.reactor.nowMs(), 350);
  assert.equal(behind.reactor.nowMs(), 60);
  // Skew does not change how long a timer takes.
  let firedAtMs = -1;
  ahead.reactor.setTimer(10, () => (firedAtMs = world.nowMs));
  runAll(world);
  assert.equal(firedAtMs, 110);
});

test("a node refuses a drift of -1e6 ppm or less (a clock that stops or runs backwards)", () => {
  const world = new SimWorld({ seed: 1 });
  assert.throws(() => world.addNode("stopped", { driftPpm: -1e6 }), RangeError);
});

test("pause holds a node's tasks and timers until resume", () => {
  const world = new SimWorld({ seed: 1 });
  const node = world.addNode("n");
  const ran: string[] = [];
  node.reactor.defer(() => ran.push(`task@${world.nowMs}`));
  node.reactor.setTimer(10, () => ran.push(`timer@${world.nowMs}`));
  node.pause();
  assert.equal(node.status, "paused");
  runAll(world, 50);
  assert.deepEqual(ran, []);
  node.resume();
  assert.equal(node.status, "up");
  runAll(world);
  assert.deepEqual(ran, ["task@50", "timer@50"]);
});

test("a task deferred while a node is paused runs after resume", () => {
  const world = new SimWorld({ seed: 1 });
  const node = world.addNode("n");
  const ran: string[] = [];
  node.pause();
  node.reactor.defer(() => ran.push(`task@${world.nowMs}`));
  runAll(world, 20);
  node.resume();
  runAll(world);
  assert.deepEqual(ran, ["task@20"]);
});

test("a timer that came due during a pause and is cancelled before it runs never fires", () => {
  const world = new SimWorld({ seed: 1 });
  const node = world.addNode("n");
  const ran: string[] = [];
  const timer = node.reactor.setTimer(10, () => ran.push("timer"));
  node.reactor.setTimer(5, () => {
    // Queued behind the pause: on resume it runs first and cancels the held timer.
    node.reactor.defer(() => {
      ran.push("cancel");
      timer.cancel();
    });
    node.pause();
  });
  runAll(world, 50);
  node.resume();
  runAll(world);
  assert.deepEqual(ran, ["cancel"]);
  assert.equal(node.liveTimers, 0);
});

test("a crash drops tasks, timers and memory; a restart boots again with the same disk", () => {
  const world = new SimWorld({ seed: 1 });
  const boots: BootContext[] = [];
  const ran: string[] = [];
  const node = world.addNode("n", {
    boot: (context) => {
      boots.push(context);
      const count = ((context.disk.get("boots") as number | undefined) ?? 0) + 1;
      context.disk.set("boots", count);
      const memory = { count }; // lives only as long as this incarnation
      context.reactor.setTimer(100, () => ran.push(`timer of boot ${memory.count}`));
      context.reactor.setRepeatingTimer(30, () => ran.push(`tick of boot ${memory.count}`));
      context.reactor.defer(() => context.reactor.defer(() => ran.push(`task of boot ${memory.count}`)));
    },
  });
  world.step(); // boot
  world.step(); // the outer deferred task; the inner one is queued
  assert.equal(boots.length, 1);
  assert.equal(node.liveTimers, 2);
  node.crash();
  assert.equal(node.status, "crashed");
  assert.equal(node.liveTimers, 0);
  runAll(world, 500);
  assert.deepEqual(ran, []);
  node.restart();
  assert.equal(node.status, "up");
  runAll(world, 640);
  assert.equal(boots.length, 2);
  assert.equal(boots[1]!.disk, boots[0]!.disk);
  assert.equal(boots[1]!.disk.get("boots"), 2);
  assert.notEqual(boots[1]!.reactor, boots[0]!.reactor);
  assert.deepEqual(ran, [
    "task of boot 2",
    "tick of boot 2",
    "tick of boot 2",
    "tick of boot 2",
    "timer of boot 2",
    "tick of boot 2",
  ]);
});

test("crash and restart are recorded as faults, and restart of a running node does nothing", () => {
  const world = new SimWorld({ seed: 1, keepTrace: true });
  const node = world.addNode("n");
  node.restart();
  node.resume();
  node.crash();
  node.crash();
  node.pause(); // a crashed node cannot pause
  node.restart();
  assert.deepEqual(
    world.trace.all()?.map((event) => (event.type === "fault" ? event.fault.kind : event.type)),
    ["crash", "restart"],
  );
});

test("a stale reactor from before a crash is inert", () => {
  const world = new SimWorld({ seed: 1 });
  const node = world.addNode("n");
  const stale = node.reactor;
  const ran: string[] = [];
  stale.setTimer(50, () => ran.push("timer set before the crash"));
  node.crash();
  node.restart();
  assert.equal(stale.current, false);
  assert.equal(node.reactor.current, true);
  stale.setTimer(1, () => ran.push("timer set after the crash"));
  stale.setRepeatingTimer(1, () => ran.push("repeating timer set after the crash"));
  stale.defer(() => ran.push("task deferred after the crash"));
  node.reactor.defer(() => ran.push("current task"));
  runAll(world, 100);
  assert.deepEqual(ran, ["current task"]);
  assert.equal(node.liveTimers, 0);
});
