import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { RestartIntensity } from "../../src/supervision/restart-intensity.js";
import { REACHED_MAX_RESTART_INTENSITY } from "../../src/supervision/supervisor.js";
import { INTENSITY_DEFAULT, PERIOD_MS_DEFAULT } from "../../src/supervision/supervisor-flags.js";
import { alive, crash, type Log, refOf, spawnSupervisor, workerSpec, world } from "./fixtures.js";

/**
 * The reference model, as plainly as it can be said: the restart at `timesMs[i]` is one too many
 * when more than `intensity` restarts (counting itself) happened within `periodMs` before it.
 * Returns the index of the first restart that is one too many, or null.
 */
function modelEscalation(intensity: number, periodMs: number, timesMs: readonly number[]): number | null {
  for (let i = 0; i < timesMs.length; i++) {
    const now = timesMs[i]!;
    const inWindow = timesMs.slice(0, i + 1).filter((t) => now - t <= periodMs).length;
    if (inWindow > intensity) return i;
  }
  return null;
}

/** N in 0..5, a period, and nondecreasing crash times that often land exactly on the window edge. */
const scenario = fc
  .tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 10_000 }))
  .chain(([intensity, periodMs]) =>
    fc
      .array(
        fc.oneof(
          fc.integer({ min: 0, max: 2 * periodMs }),
          fc.constantFrom(0, 1, periodMs, periodMs + 1, Math.floor(periodMs / 2), Math.ceil(periodMs / 2)),
        ),
        { minLength: 1, maxLength: 14 },
      )
      .map((gaps) => {
        let t = 0;
        return { intensity, periodMs, timesMs: gaps.map((gap) => (t += gap)) };
      }),
  );

test("the intensity window agrees with the reference model on every restart", () => {
  fc.assert(
    fc.property(scenario, ({ intensity, periodMs, timesMs }) => {
      const expected = modelEscalation(intensity, periodMs, timesMs);
      let window = new RestartIntensity(intensity, periodMs);
      for (let i = 0; i < timesMs.length; i++) {
        window = window.record(timesMs[i]!);
        assert.equal(window.exceeded, i === expected, `restart ${i} at ${timesMs[i]} ms`);
        assert.ok(window.restartsMs.length <= intensity + 1, "the window keeps at most intensity + 1 times");
        if (window.exceeded) return;
      }
    }),
  );
});

test("exactly `intensity` restarts within periodMs are allowed; one more is not", () => {
  let window = new RestartIntensity(2, 100);
  window = window.record(0).record(50);
  assert.equal(window.exceeded, false);
  assert.equal(window.record(100).exceeded, true, "0, 50 and 100 are all within 100 ms of 100");
  assert.equal(window.record(101).exceeded, false, "0 has left the window at 101");
});

test("intensity 0 makes the first restart one too many", () => {
  assert.equal(new RestartIntensity(0, 5_000).record(0).exceeded, true);
});

test("a supervisor restarts N crashes within the window and escalates on crash N+1, like the model", () => {
  fc.assert(
    fc.property(scenario, ({ intensity, periodMs, timesMs }) => {
      const expected = modelEscalation(intensity, periodMs, timesMs);
      const w = world();
      const log: Log = [];
      const sup = spawnSupervisor(w, [workerSpec("w", log)], { intensity, periodMs });
      for (let i = 0; i < timesMs.length; i++) {
        w.reactor.advanceBy(timesMs[i]! - w.reactor.nowMs());
        const before = refOf(sup, "w");
        crash(w, sup, "w");
        if (i === expected) {
          assert.equal(alive(w, sup), false, `crash ${i} should escalate`);
          assert.deepEqual(w.loop.inspect(sup)?.exitReason, REACHED_MAX_RESTART_INTENSITY);
          return;
        }
        assert.equal(alive(w, sup), true, `crash ${i} at ${timesMs[i]} ms should be restarted`);
        assert.notEqual(refOf(sup, "w"), before);
      }
    }),
    { numRuns: 200 },
  );
});

test("the default intensity is 1 restart per 5,000 ms, measured on the reactor's clock", () => {
  assert.equal(INTENSITY_DEFAULT, 1);
  assert.equal(PERIOD_MS_DEFAULT, 5_000);
  const w = world();
  const sup = spawnSupervisor(w, [workerSpec("w", [])]);
  crash(w, sup, "w");
  w.reactor.advanceBy(5_001);
  crash(w, sup, "w");
  w.reactor.advanceBy(5_000);
  assert.equal(alive(w, sup), true);
  crash(w, sup, "w");
  assert.equal(alive(w, sup), false);
});

test("on one restart too many the supervisor stops its children in reverse order, reports, and exits", () => {
  const w = world();
  const log: Log = [];
  const sup = spawnSupervisor(w, [workerSpec("a", log), workerSpec("b", log), workerSpec("c", log)], {
    intensity: 0,
  });
  log.length = 0;
  crash(w, sup, "b");
  assert.deepEqual(log, ["stop b crash", "stop c shutdown", "stop a shutdown"]);
  assert.deepEqual(w.loop.inspect(sup)?.exitReason, REACHED_MAX_RESTART_INTENSITY);
  const report = w.reports.find((r) => r.type === "supervisor_report");
  assert.equal(report?.type === "supervisor_report" && report.context, "reached_max_restart_intensity");
  assert.equal(report?.childId, "b");
  assert.equal(w.reactor.pendingTimerCount, 0);
});
