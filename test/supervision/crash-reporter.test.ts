import assert from "node:assert/strict";
import { test } from "node:test";
import { createCrashReporter, formatReport, type SupervisionReport } from "../../src/supervision/crash-reporter.js";
import { alive, crash, refOf, spawnSupervisor, workerSpec, world } from "./fixtures.js";

test("a crash report carries the reason, the stack, the restart count and the reactor's time", () => {
  const w = world();
  const sup = spawnSupervisor(w, [workerSpec("w", [])], { intensity: 10 }, "top");
  w.reactor.advanceBy(1_234);
  const ref = refOf(sup, "w");
  crash(w, sup, "w");
  w.reactor.advanceBy(10);
  crash(w, sup, "w");
  const [first, second] = w.reports;
  assert.equal(first?.type, "crash_report");
  if (first?.type !== "crash_report" || second?.type !== "crash_report") return;
  assert.equal(first.supervisor, "top");
  assert.equal(first.childId, "w");
  assert.equal(first.ref, String(ref));
  assert.equal(first.reason.type, "crash");
  assert.match(String(first.reason.type === "crash" && first.reason.error), /boom in w/);
  assert.match(first.stack ?? "", /Error: boom in w\n\s+at /);
  assert.equal(first.restartCount, 0);
  assert.equal(first.atMs, 1_234);
  assert.equal(first.wallClockMs, w.reactor.wallClockMs() - 10);
  assert.equal(second.restartCount, 1);
  assert.equal(second.atMs, 1_244);
});

test("a listener that throws is counted and does not hurt the supervisor or other listeners", () => {
  const w = world();
  w.reporter.subscribe(() => {
    throw new Error("bad listener");
  });
  const sup = spawnSupervisor(w, [workerSpec("w", [])]);
  crash(w, sup, "w");
  assert.equal(alive(w, sup), true);
  assert.equal(w.reports.length, 1);
  assert.equal(w.reporter.listenerErrorCount, 1);
});

test("unsubscribe stops delivery", () => {
  const reporter = createCrashReporter();
  const got: SupervisionReport[] = [];
  const unsubscribe = reporter.subscribe((report) => got.push(report));
  const report = sampleReport(1);
  reporter.publish(report);
  unsubscribe();
  reporter.publish(report);
  assert.equal(got.length, 1);
});

test("the recent history is bounded and drops the oldest report", () => {
  const reporter = createCrashReporter({ historyLengthMax: 2 });
  for (let i = 1; i <= 3; i++) reporter.publish(sampleReport(i));
  assert.deepEqual(
    reporter.recent().map((r) => r.atMs),
    [2, 3],
  );
  assert.equal(createCrashReporter({ historyLengthMax: 0 }).recent().length, 0);
  assert.throws(() => createCrashReporter({ historyLengthMax: -1 }), RangeError);
});

test("formatReport describes a report on one line", () => {
  assert.equal(
    formatReport(sampleReport(5)),
    "crash_report root/db Ref<db#3@main> (restarts 2): crash: Error: disk full",
  );
  assert.equal(
    formatReport({
      type: "supervisor_report",
      supervisor: "root",
      context: "reached_max_restart_intensity",
      childId: "db",
      reason: { type: "shutdown", detail: "reached_max_restart_intensity" },
      atMs: 0,
      wallClockMs: 0,
    }),
    "supervisor_report root/db reached_max_restart_intensity: shutdown (reached_max_restart_intensity)",
  );
});

function sampleReport(atMs: number): SupervisionReport {
  return {
    type: "crash_report",
    supervisor: "root",
    childId: "db",
    ref: "Ref<db#3@main>",
    reason: { type: "crash", error: new Error("disk full") },
    restartCount: 2,
    atMs,
    wallClockMs: 1.7e12 + atMs,
  };
}
