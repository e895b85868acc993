import assert from "node:assert/strict";
import { test } from "node:test";
import { ActorDeadError, createLoop, TimeoutError } from "../../src/index.js";
import { SupervisionAskLedger } from "../../src/sim/scenarios/supervision-ask-ledger.js";
import { RestartIntensityChecker } from "../../src/sim/scenarios/supervision-intensity-checker.js";
import { ActorLifecycleChecker } from "../../src/sim/scenarios/supervision-lifecycle-checker.js";
import { VirtualReactor } from "../../src/testing.js";
import type { CrashReport, SupervisorReport } from "../../src/supervision/crash-reporter.js";

// Fabricated inputs: each checker must fire on the violation it exists for, and only then.

function crash(supervisor: string, childId: string, atMs: number): CrashReport {
  const reason = { type: "crash", error: new Error("boom") } as const;
  return { type: "crash_report", supervisor, childId, ref: "Ref<w>", reason, restartCount: 0, atMs, wallClockMs: atMs };
}

function gaveUp(supervisor: string, atMs: number): SupervisorReport {
  const reason = { type: "shutdown", detail: "reached_max_restart_intensity" } as const;
  return {
    type: "supervisor_report",
    supervisor,
    context: "reached_max_restart_intensity",
    childId: "w",
    reason,
    atMs,
    wallClockMs: atMs,
  };
}

function startFailed(supervisor: string, childId: string, atMs: number): SupervisorReport {
  const reason = { type: "crash", error: new Error("init") } as const;
  return {
    type: "supervisor_report",
    supervisor,
    context: "child_start_failed",
    childId,
    reason,
    atMs,
    wallClockMs: atMs,
  };
}

const limits = new Map([
  ["root", { intensity: 1, periodMs: 100 }],
  ["s0", { intensity: 1, periodMs: 100 }],
]);

test("intensity checker: a second restart within the period without giving up is a violation once time moves on", () => {
  const checker = new RestartIntensityChecker(limits);
  checker.onReport(crash("root", "w0", 0));
  checker.onReport(crash("root", "w1", 100));
  assert.equal(checker.check(100), null, "the supervisor may still give up within the same instant");
  assert.match(
    checker.check(100.5) ?? "",
    /root had 2 crash-report restarts within 100 ms by 100 ms \(intensity 1\) but did not give up/,
  );
});

test("intensity checker: restarts further apart than the period are fine, giving up when exceeded is fine", () => {
  const checker = new RestartIntensityChecker(limits);
  checker.onReport(crash("root", "w0", 0));
  checker.onReport(crash("root", "w0", 100.5));
  assert.equal(checker.check(200), null);
  checker.onReport(crash("root", "w0", 150));
  checker.onReport(gaveUp("root", 150));
  assert.equal(checker.check(300), null);
  assert.match(checker.unsettled() ?? "", /root reached its restart intensity but has not stopped/);
  checker.onSupervisorExit("root");
  assert.equal(checker.unsettled(), null);
});

test("intensity checker: giving up too early, or restarting after giving up, is a violation", () => {
  const early = new RestartIntensityChecker(limits);
  early.onReport(crash("s0", "w0", 0));
  early.onReport(gaveUp("s0", 0));
  assert.match(early.check(0) ?? "", /s0 gave up at 0 ms with at most 1 restart/);
  const late = new RestartIntensityChecker(limits);
  late.onReport(crash("s0", "w0", 0));
  late.onReport(crash("s0", "w0", 1));
  late.onReport(gaveUp("s0", 1));
  late.onReport(crash("s0", "w1", 2));
  assert.match(late.check(2) ?? "", /s0 restarted w1 crash at 2 ms after it gave up/);
});

test("intensity checker: failed starts allow giving up without requiring it; a supervisor that failed to start starts afresh", () => {
  const checker = new RestartIntensityChecker(limits);
  checker.onReport(crash("s0", "w0", 0));
  checker.onReport(startFailed("s0", "w0", 0)); // reported by s0's init, which then fails
  checker.onReport(startFailed("root", "s0", 0)); // root retries s0, whose next start has a new window
  checker.onReport(crash("s0", "w0", 60));
  assert.equal(checker.check(70), null, "s0's new incarnation has one restart");
  checker.onReport(crash("root", "s0", 80));
  assert.equal(checker.check(90), null, "root's retry of s0 may have been superseded by a group restart");
  checker.onReport(gaveUp("root", 90));
  assert.equal(checker.check(90), null, "a crash and a failed start may be two restarts");
});

test("lifecycle checker: a turn after the exit event, a second exit, an unknown actor are violations", () => {
  const cases: [string, RegExp][] = [
    ["turn-after-exit", /w#1@g0 handled "echo" after it exited/],
    ["double-exit", /w#1@g0 exited twice/],
    ["never-spawned", /w#2@g0 handled "echo" but was never spawned/],
  ];
  for (const [name, expected] of cases) {
    const checker = new ActorLifecycleChecker();
    checker.observe({ type: "spawn", actor: "w#1@g0" });
    checker.observe({ type: "turn", actor: "w#1@g0", tag: "echo", outcome: "ok" });
    assert.equal(checker.violation, null);
    if (name === "turn-after-exit") {
      checker.observe({ type: "exit", actor: "w#1@g0", reason: "crash" });
      checker.observe({ type: "turn", actor: "w#1@g0", tag: "echo", outcome: "ok" });
    } else if (name === "double-exit") {
      checker.observe({ type: "exit", actor: "w#1@g0", reason: "crash" });
      checker.observe({ type: "exit", actor: "w#1@g0", reason: "shutdown" });
    } else checker.observe({ type: "turn", actor: "w#2@g0", tag: "echo", outcome: "ok" });
    assert.match(checker.violation ?? "", expected, name);
  }
});

test("ask ledger: a reply meant for another ask, or an unexpected error, is a violation; pending asks are counted", async () => {
  const loop = createLoop({ reactor: new VirtualReactor({ seed: 1 }) });
  const ledger = new SupervisionAskLedger();
  ledger.track(loop, (id) => Promise.resolve(id), "echo");
  ledger.track(loop, () => Promise.reject(new TimeoutError("slow")), "echo");
  ledger.track(loop, () => Promise.reject(new ActorDeadError("gone")), "fail");
  const never = ledger.track(loop, () => new Promise(() => {}), "echo");
  await null;
  assert.equal(ledger.violation, null);
  assert.equal(ledger.pending, 1, `ask #${never} is still pending`);
  assert.deepEqual(ledger.wheelAllowance(0), { required: 1, optional: 0 });
  ledger.track(loop, (id) => Promise.resolve(id + 1), "echo");
  await null;
  assert.match(ledger.violation ?? "", /ask #4 got the reply 5, meant for another ask/);
  const other = new SupervisionAskLedger();
  other.track(loop, () => Promise.reject(new TypeError("bug")), "fail");
  other.track(loop, () => Promise.resolve("yes"), "fail");
  await null;
  assert.match(other.violation ?? "", /ask #0 failed unexpectedly: TypeError: bug/);
});
