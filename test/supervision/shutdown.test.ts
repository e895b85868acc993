import assert from "node:assert/strict";
import { test } from "node:test";
import { SpawnError } from "../../src/kernel/errors.js";
import { ExitReasons } from "../../src/kernel/exit-reason.js";
import { ChildStartError } from "../../src/supervision/errors.js";
import { supervisorBehaviour } from "../../src/supervision/supervisor.js";
import { alive, type Log, refOf, runNow, spawnSupervisor, workerSpec, world } from "./fixtures.js";

test("stopping a supervisor stops its children in reverse start order, then it exits with the same reason", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, [workerSpec("a", log), workerSpec("b", log), workerSpec("c", log)]);
  log.length = 0;
  w.loop.exit(sup, ExitReasons.shutdown);
  runNow(w);
  assert.deepEqual(log, ["stop c shutdown", "stop b shutdown", "stop a shutdown"]);
  assert.deepEqual(w.exits, ["c shutdown", "b shutdown", "a shutdown", "sup shutdown"]);
  assert.equal(w.reports.length, 0);
});

test("a trapping child gets the shutdown signal at onExit and stops itself", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, [workerSpec("a", log), workerSpec("t", log, { trap: true })]);
  log.length = 0;
  w.loop.exit(sup, ExitReasons.shutdown);
  runNow(w);
  assert.deepEqual(log, ["signal t shutdown", "stop t shutdown", "stop a shutdown"]);
  assert.equal(w.reactor.nowMs(), 0);
});

test("a trapping child that ignores shutdown is killed after its shutdownMs, then the next child is stopped", () => {
  const w = world();
  const log: Log = [];
  const at: string[] = [];
  w.loop.onExit((event) => at.push(`${event.description.split("#")[0]} ${event.reason.type} @${event.atMs}`));
  const sup = spawnSupervisor(w, [
    workerSpec("a", log),
    workerSpec("t", log, { trap: true, ignoreExits: true, shutdownMs: 300 }),
  ]);
  w.loop.exit(sup, ExitReasons.shutdown);
  runNow(w);
  w.reactor.advanceBy(299);
  assert.equal(alive(w, refOf(sup, "t")), true, "still alive 1 ms before its shutdownMs");
  w.reactor.advanceBy(1);
  assert.deepEqual(at, ["t killed @300", "a shutdown @300", "sup shutdown @300"]);
  assert.ok(!log.includes("stop t killed"), "a killed actor does not run terminate");
  const report = w.reports[0];
  assert.equal(report?.type === "supervisor_report" && report.context, "shutdown_error");
  assert.deepEqual(report?.reason, ExitReasons.killed);
});

test("brutal_kill kills a child at once, without running its terminate and without a report", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, [workerSpec("k", log, { trap: true, shutdownMs: "brutal_kill" })]);
  log.length = 0;
  w.loop.exit(sup, ExitReasons.shutdown);
  runNow(w);
  assert.deepEqual(log, []);
  assert.deepEqual(w.exits, ["k killed", "sup shutdown"]);
  assert.equal(w.reports.length, 0);
});

test("shutdownMs infinity waits as long as the child takes", () => {
  const w = world();
  const sup = spawnSupervisor(w, [workerSpec("slow", [], { trap: true, ignoreExits: true, shutdownMs: "infinity" })]);
  const slow = refOf(sup, "slow");
  w.loop.exit(sup, ExitReasons.shutdown);
  w.reactor.advanceBy(1_000_000);
  assert.equal(alive(w, sup), true);
  assert.equal(w.reactor.pendingTimerCount, 0, "infinity sets no timer");
  slow.tell("finish", ExitReasons.shutdown);
  runNow(w);
  assert.equal(alive(w, sup), false);
});

test("a child that fails to start fails the supervisor's start, and the children started before it are stopped", () => {
  const w = world();
  const log: Log = [];
  const children = [workerSpec("a", log), workerSpec("b", log), workerSpec("bad", log, { failInit: () => true })];
  assert.throws(
    () => w.loop.spawn(supervisorBehaviour, { name: "sup", children, reporter: w.reporter }),
    (error: unknown) =>
      error instanceof SpawnError && error.cause instanceof ChildStartError && /child "bad"/.test(error.cause.message),
  );
  runNow(w);
  assert.equal(w.loop.actorCount, 0);
  // As in OTP: the children already started stop in reverse start order, running terminate.
  assert.deepEqual(log, ["start a", "start b", "stop b shutdown", "stop a shutdown"]);
  const report = w.reports[0];
  assert.equal(report?.type === "supervisor_report" && report.context, "child_start_failed");
  assert.equal(report?.childId, "bad");
  assert.match(report?.stack ?? "", /init of bad failed/);
});

test("invalid supervisor args fail the start with an error naming the field", () => {
  const w = world();
  const cases: Array<[unknown, RegExp]> = [
    [{ flags: { strategy: "one_for_none" } }, /args\.flags\.strategy/],
    [{ flags: { intensity: -1 } }, /args\.flags\.intensity/],
    [{ children: [{ id: "x" }] }, /args\.children\[0\]\.start/],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => w.loop.spawn(supervisorBehaviour, args as never),
      (error: unknown) => error instanceof SpawnError && message.test(String((error.cause as Error).message)),
    );
  }
});

test("a normal exit signal from an actor that is not a child is ignored", () => {
  const w = world();
  const sup = spawnSupervisor(w, [workerSpec("a", [])]);
  w.loop.exit(sup, ExitReasons.normal);
  runNow(w);
  assert.equal(alive(w, sup), true);
});

test("no timer outlives the supervisor", async () => {
  const w = world();
  const sup = spawnSupervisor(w, [
    workerSpec("a", [], { shutdownMs: 1_000 }),
    workerSpec("t", [], { trap: true, shutdownMs: 2_000 }),
    workerSpec("i", [], { trap: true, ignoreExits: true, shutdownMs: 3_000 }),
  ]);
  const terminated = sup.ask("terminateChild", "t");
  await w.reactor.settle();
  await terminated;
  w.loop.exit(sup, ExitReasons.shutdown);
  await w.reactor.settle();
  assert.equal(alive(w, sup), false);
  assert.equal(w.loop.actorCount, 0);
  assert.equal(w.reactor.pendingTimerCount, 0);
});
