import assert from "node:assert/strict";
import { test } from "node:test";
import { BadMessageError } from "../../src/kernel/errors.js";
import { ExitReasons } from "../../src/kernel/exit-reason.js";
import {
  ChildAlreadyPresentError,
  ChildAlreadyStartedError,
  ChildNotFoundError,
  ChildRunningError,
  ChildStartError,
  SupervisorShuttingDownError,
} from "../../src/supervision/errors.js";
import {
  alive,
  crash,
  type Log,
  refOf,
  runNow,
  settled,
  spawnSupervisor,
  statuses,
  workerSpec,
  world,
} from "./fixtures.js";

test("startChild starts a child after the others, replies with its ref, and it is stopped first", async () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, [workerSpec("a", log)]);
  const ref = await settled(w, sup.ask("startChild", workerSpec("late", log)));
  assert.equal(ref, refOf(sup, "late"));
  assert.equal(ref.call("ping"), "late");
  assert.deepEqual(statuses(sup), ["a:running", "late:running"]);
  log.length = 0;
  w.loop.exit(sup, ExitReasons.shutdown);
  runNow(w);
  assert.deepEqual(log, ["stop late shutdown", "stop a shutdown"]);
});

test("startChild rejects an invalid spec with an error naming the field, and the supervisor keeps running", async () => {
  const w = world();
  const sup = spawnSupervisor(w, []);
  const bad = { ...workerSpec("x", []), restart: "sometimes" } as never;
  await assert.rejects(settled(w, sup.ask("startChild", bad)), (error: Error) => {
    return error instanceof TypeError && /spec\.restart must be/.test(error.message);
  });
  assert.equal(alive(w, sup), true);
});

test("startChild rejects a known id: already_started when running, already_present when terminated", async () => {
  const w = world();
  const sup = spawnSupervisor(w, [workerSpec("a", []), workerSpec("t", [], { restart: "transient" })]);
  await assert.rejects(settled(w, sup.ask("startChild", workerSpec("a", []))), ChildAlreadyStartedError);
  refOf(sup, "t").tell("finish", ExitReasons.normal);
  runNow(w);
  await assert.rejects(settled(w, sup.ask("startChild", workerSpec("t", []))), ChildAlreadyPresentError);
});

test("startChild rejects with ChildStartError when the child's init throws, and reports it", async () => {
  const w = world();
  const sup = spawnSupervisor(w, []);
  const spec = workerSpec("bad", [], { failInit: () => true });
  await assert.rejects(settled(w, sup.ask("startChild", spec)), (error: Error) => {
    return error instanceof ChildStartError && error.code === "start_failed";
  });
  assert.deepEqual(statuses(sup), []);
  assert.equal(w.reports[0]?.type === "supervisor_report" && w.reports[0].context, "child_start_failed");
});

test("terminateChild stops the child, keeps its spec, and restartChild starts it again with a new ref", async () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, [workerSpec("a", log), workerSpec("b", log)]);
  const before = refOf(sup, "a");
  await settled(w, sup.ask("terminateChild", "a"));
  assert.deepEqual(statuses(sup), ["a:terminated", "b:running"]);
  assert.equal(w.reports.length, 0, "a stop the supervisor asked for is not a crash");
  const after = await settled(w, sup.ask("restartChild", "a"));
  assert.notEqual(after, before);
  assert.deepEqual(statuses(sup), ["a:running", "b:running"]);
  assert.deepEqual(log, ["start a", "start b", "stop a shutdown", "start a"]);
});

test("terminateChild forgets a temporary child", async () => {
  const w = world();
  const sup = spawnSupervisor(w, [workerSpec("t", [], { restart: "temporary" })]);
  await settled(w, sup.ask("terminateChild", "t"));
  assert.deepEqual(statuses(sup), []);
});

test("deleteChild forgets a terminated child but refuses a running one", async () => {
  const w = world();
  const sup = spawnSupervisor(w, [workerSpec("a", [])]);
  await assert.rejects(settled(w, sup.ask("deleteChild", "a")), ChildRunningError);
  await assert.rejects(settled(w, sup.ask("restartChild", "a")), ChildRunningError);
  await settled(w, sup.ask("terminateChild", "a"));
  await settled(w, sup.ask("deleteChild", "a"));
  assert.deepEqual(statuses(sup), []);
});

test("requests about an unknown child reject with ChildNotFoundError", async () => {
  const w = world();
  const sup = spawnSupervisor(w, []);
  for (const tag of ["terminateChild", "restartChild", "deleteChild"] as const) {
    await assert.rejects(settled(w, sup.ask(tag, "nobody")), (error: Error) => {
      return error instanceof ChildNotFoundError && error.code === "not_found";
    });
  }
});

test("whichChildren and countChildren describe the children in start order", () => {
  const w = world();
  const sup = spawnSupervisor(w, [
    workerSpec("a", []),
    workerSpec("t", [], { restart: "transient" }),
    workerSpec("s", [], { type: "supervisor" }),
  ]);
  refOf(sup, "t").tell("finish", ExitReasons.normal);
  runNow(w);
  const infos = sup.call("whichChildren").map(({ id, status, type, restart }) => ({ id, status, type, restart }));
  assert.deepEqual(infos, [
    { id: "a", status: "running", type: "worker", restart: "permanent" },
    { id: "t", status: "terminated", type: "worker", restart: "transient" },
    { id: "s", status: "running", type: "supervisor", restart: "permanent" },
  ]);
  assert.deepEqual(sup.call("countChildren"), { specs: 3, active: 2, supervisors: 1, workers: 2 });
});

test("requests that arrive while a child is being stopped wait their turn, in order", async () => {
  const w = world();
  const sup = spawnSupervisor(w, [workerSpec("slow", [], { trap: true, ignoreExits: true, shutdownMs: 1_000 })]);
  const order: string[] = [];
  const terminated = sup.ask("terminateChild", "slow").then(() => order.push(`terminated @${w.reactor.nowMs()}`));
  const started = sup.ask("startChild", workerSpec("next", [])).then(() => order.push(`started @${w.reactor.nowMs()}`));
  runNow(w);
  assert.deepEqual(statuses(sup), ["slow:running"], "whichChildren answers at once, before the stop is done");
  await settled(w, Promise.all([terminated, started]));
  assert.deepEqual(order, ["terminated @1000", "started @1000"]);
});

test("requests fail with SupervisorShuttingDownError once the supervisor is shutting down", async () => {
  const w = world();
  const sup = spawnSupervisor(w, [workerSpec("slow", [], { trap: true, ignoreExits: true, shutdownMs: 1_000 })]);
  w.loop.exit(sup, ExitReasons.shutdown);
  runNow(w);
  await assert.rejects(settled(w, sup.ask("startChild", workerSpec("x", []))), SupervisorShuttingDownError);
});

test("a request queued behind a stop fails when the supervisor shuts down meanwhile", async () => {
  const w = world();
  const sup = spawnSupervisor(w, [workerSpec("slow", [], { trap: true, ignoreExits: true, shutdownMs: 1_000 })]);
  const terminated = sup.ask("terminateChild", "slow");
  const queued = sup.ask("restartChild", "slow");
  runNow(w);
  w.loop.exit(sup, ExitReasons.shutdown);
  await settled(w, terminated);
  await assert.rejects(settled(w, queued), SupervisorShuttingDownError);
});

test("a near call of a request that replies later is refused", () => {
  const w = world();
  const sup = spawnSupervisor(w, [workerSpec("a", [])]);
  assert.throws(() => sup.call("terminateChild", "a"), BadMessageError);
  assert.deepEqual(statuses(sup), ["a:running"], "the refused call changed nothing");
});

test("a restart whose start fails is retried, and each retry counts against the intensity", () => {
  const w = world();
  let failures = 0;
  const sup = spawnSupervisor(w, [workerSpec("w", [], { failInit: () => failures-- > 0 })], { intensity: 3 });
  failures = 2;
  crash(w, sup, "w");
  assert.deepEqual(statuses(sup), ["w:running"], "two failed starts, then the third succeeds");
  assert.deepEqual(
    w.reports.map((r) => (r.type === "supervisor_report" ? r.context : r.type)),
    ["crash_report", "child_start_failed", "child_start_failed"],
  );
  failures = 100;
  crash(w, sup, "w");
  assert.equal(alive(w, sup), false, "3 restarts used up, the next one is too many");
});

test("terminateChild cancels a restart that is being retried", async () => {
  const w = world();
  let failing = false;
  const sup = spawnSupervisor(w, [workerSpec("w", [], { failInit: () => failing })], { intensity: 1_000 });
  failing = true;
  // A near call crashes the child at once, so its exit signal is queued before the request,
  // and the supervisor's retry is queued after it.
  assert.throws(() => refOf(sup, "w").call("boom"));
  await settled(w, sup.ask("terminateChild", "w"));
  assert.deepEqual(statuses(sup), ["w:terminated"]);
  assert.deepEqual(
    w.reports.map((r) => (r.type === "supervisor_report" ? r.context : r.type)),
    ["crash_report", "child_start_failed"],
  );
});
