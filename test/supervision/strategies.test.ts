import assert from "node:assert/strict";
import { test } from "node:test";
import { ExitReasons } from "../../src/kernel/exit-reason.js";
import { restartPlan } from "../../src/supervision/restart-strategy.js";
import { alive, crash, type Log, refOf, runNow, spawnSupervisor, statuses, workerSpec, world } from "./fixtures.js";

function threeChildren(log: Log) {
  return [workerSpec("a", log), workerSpec("b", log), workerSpec("c", log)];
}

test("one_for_one restarts only the child that crashed, as a new actor with a new ref", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, threeChildren(log), { strategy: "one_for_one" });
  const [a, b, c] = ["a", "b", "c"].map((id) => refOf(sup, id));
  log.length = 0;
  crash(w, sup, "b");
  assert.deepEqual(log, ["stop b crash", "start b"]);
  assert.equal(refOf(sup, "a"), a);
  assert.equal(refOf(sup, "c"), c);
  assert.notEqual(refOf(sup, "b"), b);
  assert.equal(alive(w, b!), false);
  assert.equal(alive(w, refOf(sup, "b")), true);
});

test("one_for_all stops the others in reverse start order, then starts all in start order", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, threeChildren(log), { strategy: "one_for_all" });
  log.length = 0;
  crash(w, sup, "b");
  assert.deepEqual(log, ["stop b crash", "stop c shutdown", "stop a shutdown", "start a", "start b", "start c"]);
  assert.deepEqual(statuses(sup), ["a:running", "b:running", "c:running"]);
});

test("rest_for_one stops the children started after the crashed one, then restarts it and them", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, [...threeChildren(log), workerSpec("d", log)], { strategy: "rest_for_one" });
  const a = refOf(sup, "a");
  log.length = 0;
  crash(w, sup, "b");
  assert.deepEqual(log, ["stop b crash", "stop d shutdown", "stop c shutdown", "start b", "start c", "start d"]);
  assert.equal(refOf(sup, "a"), a);
});

test("rest_for_one on the last child restarts only that child", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, threeChildren(log), { strategy: "rest_for_one" });
  log.length = 0;
  crash(w, sup, "c");
  assert.deepEqual(log, ["stop c crash", "start c"]);
});

test("a permanent child is restarted even after a normal exit", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, [workerSpec("p", log, { restart: "permanent" })]);
  refOf(sup, "p").tell("finish", ExitReasons.normal);
  runNow(w);
  assert.deepEqual(log, ["start p", "stop p normal", "start p"]);
  assert.deepEqual(statuses(sup), ["p:running"]);
});

test("a transient child is restarted after a crash but not after normal or shutdown exits", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, [
    workerSpec("n", log, { restart: "transient" }),
    workerSpec("s", log, { restart: "transient" }),
    workerSpec("x", log, { restart: "transient" }),
  ]);
  refOf(sup, "n").tell("finish", ExitReasons.normal);
  refOf(sup, "s").tell("finish", { type: "shutdown", detail: "done" });
  refOf(sup, "x").tell("boom");
  runNow(w);
  assert.deepEqual(statuses(sup), ["n:terminated", "s:terminated", "x:running"]);
  assert.deepEqual(
    w.reports.map((r) => `${r.type} ${r.childId}`),
    ["crash_report x"],
  );
});

test("a temporary child is never restarted and is forgotten once it exits", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, [workerSpec("t", log, { restart: "temporary" }), workerSpec("k", log)]);
  crash(w, sup, "t");
  assert.deepEqual(statuses(sup), ["k:running"]);
  assert.deepEqual(
    w.reports.map((r) => `${r.type} ${r.childId}`),
    ["crash_report t"],
  );
});

test("a child that is not restarted leaves its siblings alone, whatever the strategy", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, [workerSpec("a", log), workerSpec("t", log, { restart: "temporary" })], {
    strategy: "one_for_all",
  });
  const a = refOf(sup, "a");
  crash(w, sup, "t");
  assert.equal(refOf(sup, "a"), a);
});

test("one_for_all stops a temporary sibling and does not start it again", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, [workerSpec("a", log), workerSpec("t", log, { restart: "temporary" })], {
    strategy: "one_for_all",
  });
  log.length = 0;
  crash(w, sup, "a");
  assert.deepEqual(log, ["stop a crash", "stop t shutdown", "start a"]);
  assert.deepEqual(statuses(sup), ["a:running"]);
});

test("one_for_all also starts a terminated transient sibling again, as OTP does", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, [workerSpec("a", log), workerSpec("tr", log, { restart: "transient" })], {
    strategy: "one_for_all",
  });
  refOf(sup, "tr").tell("finish", ExitReasons.normal);
  runNow(w);
  assert.deepEqual(statuses(sup), ["a:running", "tr:terminated"]);
  crash(w, sup, "a");
  assert.deepEqual(statuses(sup), ["a:running", "tr:running"]);
});

test("a child that dies on its own while a group restart stops it is started with the group", () => {
  const w = world();
  const log: Log = [];
  // c traps and ignores shutdown, so the supervisor waits on it while b crashes by itself.
  const sup = spawnSupervisor(
    w,
    [workerSpec("a", log), workerSpec("b", log), workerSpec("c", log, { trap: true, ignoreExits: true })],
    { strategy: "one_for_all", intensity: 5 },
  );
  const c = refOf(sup, "c");
  refOf(sup, "a").tell("boom");
  runNow(w);
  assert.deepEqual(statuses(sup), ["a:restarting", "b:running", "c:running"]);
  refOf(sup, "b").tell("boom");
  c.tell("finish", ExitReasons.shutdown);
  runNow(w);
  assert.deepEqual(statuses(sup), ["a:running", "b:running", "c:running"]);
  assert.deepEqual(
    w.reports.map((r) => `${r.type} ${r.childId}`),
    ["crash_report a", "supervisor_report b"],
  );
});

test("restartPlan lists the children to stop in reverse start order and to start in start order", () => {
  const ids = ["a", "b", "c", "d"];
  assert.deepEqual(restartPlan("one_for_one", ids, "b"), { stopIds: [], startIds: ["b"] });
  assert.deepEqual(restartPlan("one_for_all", ids, "b"), { stopIds: ["d", "c", "a"], startIds: ids });
  assert.deepEqual(restartPlan("rest_for_one", ids, "b"), { stopIds: ["d", "c"], startIds: ["b", "c", "d"] });
  assert.throws(() => restartPlan("one_for_one", ids, "z"), RangeError);
});
