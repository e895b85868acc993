import assert from "node:assert/strict";
import { test } from "node:test";
import { type AnyScenario, RealWorldAccessError, runScenario } from "../../src/testing.js";
import { installRealWorldGuard } from "../../src/reactor/node/real-world-guard.js";

/** A scenario whose simulated code, in a timer at 5 ms, calls `reach` (and maybe swallows the error). */
function reaching(reach: () => unknown, swallow = false): AnyScenario {
  return {
    name: "reaches-the-real-world",
    description: "simulated code that bypasses its Reactor",
    options: () => ({}),
    plan: () => null,
    setup({ world }) {
      world.addNode("n", {
        boot: ({ reactor }) => {
          reactor.setTimer(5, () => {
            if (!swallow) reach();
            else
              try {
                reach();
              } catch {
                // Simulated code that hides the failure is still caught by the guard's record.
              }
          });
        },
      });
      return {};
    },
    safety: [],
    liveness: [],
    chaosMs: 10,
    healMs: 10,
  };
}

const reaches: ReadonlyArray<[string, () => unknown]> = [
  ["setTimeout()", () => setTimeout(() => {}, 1)],
  ["Date.now()", () => Date.now()],
  ["Math.random()", () => Math.random()],
  ["performance.now()", () => performance.now()],
  ["setInterval()", () => setInterval(() => {}, 1)],
  ["setImmediate()", () => setImmediate(() => {})],
  ["crypto.randomUUID()", () => crypto.randomUUID()],
];

function realGlobals(): unknown[] {
  return [
    Date.now,
    performance.now,
    globalThis.setTimeout,
    globalThis.setInterval,
    globalThis.setImmediate,
    Math.random,
  ];
}

for (const [what, reach] of reaches) {
  test(`simulated code that calls ${what} fails the run with a RealWorldAccessError naming it`, async () => {
    const result = await runScenario(reaching(reach), 1);
    assert.equal(result.ok, false);
    assert.equal(result.violation?.invariant, "exception");
    assert.match(result.violation?.message ?? "", /^RealWorldAccessError: simulated code called /);
    assert.ok(result.violation?.message.includes(what), result.violation?.message);
    assert.equal(result.violation?.atMs, 5);
  });
}

test("simulated code that swallows the RealWorldAccessError still fails the run with a violation naming the call", async () => {
  const result = await runScenario(
    reaching(() => Date.now(), true),
    1,
  );
  assert.equal(result.ok, false);
  assert.equal(result.violation?.invariant, "real-world access");
  assert.equal(result.violation?.message, "Date.now()");
});

test("the real clocks, timers and random functions are restored after a run, even a failed one", async () => {
  const before = realGlobals();
  const nowBefore = Date.now();
  const failed = await runScenario(
    reaching(() => Math.random()),
    1,
  );
  assert.equal(failed.ok, false);
  const passed = await runScenario(
    reaching(() => 0),
    1,
  );
  assert.equal(passed.ok, true, passed.violation?.message);
  assert.deepEqual(realGlobals(), before);
  assert.ok(Date.now() >= nowBefore);
  assert.equal(typeof performance.now(), "number");
  assert.ok(Math.random() < 1);
  await new Promise((resolve) => setTimeout(resolve, 1));
});

test("a run with guardRealWorld false lets simulated code reach the real world", async () => {
  const result = await runScenario(
    reaching(() => Date.now()),
    1,
    { guardRealWorld: false },
  );
  assert.equal(result.ok, true, result.violation?.message);
});

test("the guard throws RealWorldAccessError with a stable code, records it, and restores idempotently", () => {
  const guard = installRealWorldGuard();
  let caught: unknown;
  try {
    Math.random();
  } catch (error) {
    caught = error;
  } finally {
    guard.restore();
    guard.restore();
  }
  assert.ok(caught instanceof RealWorldAccessError);
  assert.equal(caught.code, "real_world_access");
  assert.deepEqual(guard.violations, ["Math.random()"]);
  assert.equal(typeof Math.random(), "number");
});

test("simulated code that reads the clock with new Date(), Date() or process.hrtime fails the run", async () => {
  for (const reach of [() => new Date(), () => Date(), () => process.hrtime(), () => process.hrtime.bigint()]) {
    const result = await runScenario(reaching(reach), 1);
    assert.equal(result.ok, false, `${reach} went unnoticed`);
    assert.match(result.violation?.message ?? "", /Date|hrtime/);
  }
  assert.ok(new Date() instanceof Date, "Date is restored after the run");
  assert.equal(typeof process.hrtime.bigint(), "bigint", "process.hrtime is restored after the run");
});

test("a date built from a number is not a clock read, and still works inside a run", async () => {
  const result = await runScenario(
    reaching(() => {
      if (new Date(0).getTime() !== 0) throw new Error("Date(ms) broken");
    }),
    1,
  );
  assert.notEqual(result.violation?.invariant, "real-world access");
});
