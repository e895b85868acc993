import assert from "node:assert/strict";
import { test } from "node:test";
import { ExitReasons } from "../../src/kernel/exit-reason.js";
import type { Ref } from "../../src/kernel/ref.js";
import { REACHED_MAX_RESTART_INTENSITY, supervisorSpec } from "../../src/supervision/supervisor.js";
import type { SupervisorProtocol } from "../../src/supervision/supervisor-protocol.js";
import { alive, crash, type Log, refOf, runNow, spawnSupervisor, statuses, workerSpec, world } from "./fixtures.js";

function innerOf(root: Ref<SupervisorProtocol>): Ref<SupervisorProtocol> {
  return refOf(root, "inner") as Ref<SupervisorProtocol>;
}

test("a child supervisor that gives up is restarted by its parent; giving up again escalates to the top", () => {
  const w = world();
  const log: Log = [];
  const inner = supervisorSpec("inner", { intensity: 0 }, [workerSpec("w", log)]);
  const root = spawnSupervisor(w, [workerSpec("a", log), inner], { intensity: 1 }, "root");
  const firstInner = innerOf(root);

  crash(w, firstInner, "w");
  assert.deepEqual(w.loop.inspect(firstInner)?.exitReason, REACHED_MAX_RESTART_INTENSITY);
  assert.notEqual(innerOf(root), firstInner, "the parent restarted the child supervisor");
  assert.deepEqual(statuses(innerOf(root)), ["w:running"]);
  assert.deepEqual(
    w.reports.map((r) => `${r.supervisor}: ${r.type === "crash_report" ? "crash" : r.context} ${r.childId}`),
    ["inner: crash w", "inner: reached_max_restart_intensity w", "root: crash inner"],
  );

  log.length = 0;
  crash(w, innerOf(root), "w");
  assert.equal(alive(w, root), false);
  assert.deepEqual(w.loop.inspect(root)?.exitReason, REACHED_MAX_RESTART_INTENSITY);
  assert.deepEqual(log, ["stop w crash", "stop a shutdown"]);
  assert.equal(w.loop.actorCount, 0);
});

test("a transient child supervisor that gives up is not restarted (it exits with shutdown), as in OTP", () => {
  const w = world();
  const inner = supervisorSpec("inner", { intensity: 0 }, [workerSpec("w", [])], { restart: "transient" });
  const root = spawnSupervisor(w, [inner], {}, "root");
  crash(w, innerOf(root), "w");
  assert.deepEqual(statuses(root), ["inner:terminated"]);
  assert.equal(alive(w, root), true);
});

test("stopping a tree stops each subtree completely, in reverse start order", () => {
  const w = world();
  const log: Log = [];
  const inner = supervisorSpec("inner", {}, [workerSpec("x", log), workerSpec("y", log, { trap: true })]);
  const root = spawnSupervisor(w, [workerSpec("a", log), inner, workerSpec("b", log)], {}, "root");
  assert.deepEqual(log, ["start a", "start x", "start y", "start b"]);
  log.length = 0;
  w.loop.exit(root, ExitReasons.shutdown);
  runNow(w);
  assert.deepEqual(log, [
    "stop b shutdown",
    "signal y shutdown",
    "stop y shutdown",
    "stop x shutdown",
    "stop a shutdown",
  ]);
  assert.deepEqual(w.exits, [
    "b shutdown",
    "y shutdown",
    "x shutdown",
    "inner shutdown",
    "a shutdown",
    "root shutdown",
  ]);
});

test("a child supervisor with its own reporter keeps it instead of inheriting the parent's", async () => {
  const w = world();
  const own = world().reporter;
  const got: string[] = [];
  own.subscribe((report) => got.push(`${report.supervisor} ${report.childId}`));
  const inner = supervisorSpec("inner", { intensity: 5 }, [workerSpec("w", [])], { reporter: own, name: "mine" });
  const root = spawnSupervisor(w, [inner], {}, "root");
  crash(w, innerOf(root), "w");
  assert.deepEqual(got, ["mine w"]);
  assert.equal(w.reports.length, 0);
});
