import assert from "node:assert/strict";
import { test } from "node:test";
import {
  childSpec,
  resolveChildSpec,
  resolveChildSpecs,
  shouldRestart,
  WORKER_SHUTDOWN_MS_DEFAULT,
} from "../../src/supervision/child-spec.js";
import { resolveSupervisorFlags } from "../../src/supervision/supervisor-flags.js";
import { worker } from "./fixtures.js";

const start = { behaviour: worker, args: { id: "w", log: [] } };

test("a child spec gets OTP's defaults: permanent worker with a 5,000 ms shutdown", () => {
  const spec = resolveChildSpec({ id: "w", start });
  assert.equal(spec.restart, "permanent");
  assert.equal(spec.type, "worker");
  assert.equal(spec.shutdownMs, WORKER_SHUTDOWN_MS_DEFAULT);
  assert.equal(WORKER_SHUTDOWN_MS_DEFAULT, 5_000);
});

test("a supervisor child waits for its children by default (shutdownMs infinity)", () => {
  assert.equal(resolveChildSpec({ id: "s", start, type: "supervisor" }).shutdownMs, "infinity");
});

test("an invalid child spec is rejected with TypeError or RangeError naming the field", () => {
  const cases: Array<[unknown, typeof TypeError | typeof RangeError, RegExp]> = [
    [null, TypeError, /^spec must be an object/],
    [{ start }, TypeError, /^spec\.id must be a non-empty string/],
    [{ id: "", start }, TypeError, /^spec\.id must be/],
    [{ id: "w" }, TypeError, /^spec\.start must be an object/],
    [{ id: "w", start: { args: 1 } }, TypeError, /^spec\.start\.behaviour must be a behaviour/],
    [{ id: "w", start: { ...start, options: 3 } }, TypeError, /^spec\.start\.options must be an object/],
    [
      { id: "w", start, restart: "always" },
      TypeError,
      /^spec\.restart must be permanent \| transient \| temporary, got "always"/,
    ],
    [{ id: "w", start, type: "daemon" }, TypeError, /^spec\.type must be worker \| supervisor/],
    [{ id: "w", start, shutdownMs: "never" }, TypeError, /^spec\.shutdownMs must be a number of ms/],
    [{ id: "w", start, shutdownMs: -1 }, RangeError, /^spec\.shutdownMs must be a finite number >= 0, got -1/],
    [{ id: "w", start, shutdownMs: Number.POSITIVE_INFINITY }, RangeError, /^spec\.shutdownMs must be a finite/],
  ];
  for (const [spec, ErrorClass, message] of cases) {
    assert.throws(
      () => resolveChildSpec(spec, "spec"),
      (error: Error) => {
        return error instanceof ErrorClass && message.test(error.message);
      },
      `for ${JSON.stringify(spec)}`,
    );
  }
});

test("duplicate child ids are an error naming the second one", () => {
  assert.throws(
    () =>
      resolveChildSpecs([
        { id: "a", start },
        { id: "b", start },
        { id: "a", start },
      ]),
    /children\[2\]\.id "a" is a duplicate child id/,
  );
  assert.throws(() => resolveChildSpecs("nope"), TypeError);
});

test("restart types decide restarts as in OTP", () => {
  const crash = { type: "crash", error: new Error("x") } as const;
  const table: Array<[Parameters<typeof shouldRestart>[0], boolean, boolean, boolean]> = [
    // restart type, after normal, after shutdown, after crash
    ["permanent", true, true, true],
    ["transient", false, false, true],
    ["temporary", false, false, false],
  ];
  for (const [restart, normal, shutdown, crashed] of table) {
    assert.equal(shouldRestart(restart, { type: "normal" }), normal, `${restart} after normal`);
    assert.equal(shouldRestart(restart, { type: "shutdown", detail: "x" }), shutdown, `${restart} after shutdown`);
    assert.equal(shouldRestart(restart, crash), crashed, `${restart} after crash`);
  }
});

test("childSpec builds a spec that only carries the options given", () => {
  const spec = childSpec("w", worker, { id: "w", log: [] }, { restart: "transient", spawn: { name: "w" } });
  assert.deepEqual(Object.keys(spec).sort(), ["id", "restart", "start"]);
  assert.deepEqual(spec.start.options, { name: "w" });
});

test("supervisor flags default to one_for_one, 1 restart per 5,000 ms, and bad ones name the field", () => {
  assert.deepEqual(resolveSupervisorFlags(), { strategy: "one_for_one", intensity: 1, periodMs: 5_000 });
  assert.deepEqual(resolveSupervisorFlags({ intensity: undefined, periodMs: 10 }).intensity, 1);
  assert.throws(() => resolveSupervisorFlags({ strategy: "simple_one_for_one" as never }), /flags\.strategy/);
  assert.throws(() => resolveSupervisorFlags({ intensity: 1.5 }), RangeError);
  assert.throws(() => resolveSupervisorFlags({ periodMs: 0 }), /flags\.periodMs must be a finite number > 0/);
  assert.throws(() => resolveSupervisorFlags(null), TypeError);
});
