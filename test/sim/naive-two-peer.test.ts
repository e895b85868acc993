import assert from "node:assert/strict";
import { test } from "node:test";
import { runScenario } from "../../src/sim/run-scenario.js";
import { naiveTwoPeerScenario } from "../../src/sim/scenarios/naive-two-peer.js";

test("the simulator finds the naive two-peer lock-up within 1,000 seeds", async () => {
  let found = null;
  let ran = 0;
  for (let seed = 1; seed <= 1000 && found === null; seed++) {
    ran++;
    const result = await runScenario(naiveTwoPeerScenario, seed);
    if (!result.ok) found = result;
  }
  assert.ok(found, "no lock-up found");
  console.log(`SEED=${found.seed} after ${ran} seeds: ${found.violation?.message}`);
  assert.equal(found.violation?.invariant, "every request is acknowledged");
  const replay = await runScenario(naiveTwoPeerScenario, found.seed);
  assert.equal(replay.traceHash, found.traceHash);
});

test("a failing naive plan shrinks to a smaller plan that still locks up", async () => {
  const { shrinkPlan } = await import("../../src/sim/shrink.js");
  const failing = await runScenario(naiveTwoPeerScenario, 7);
  assert.equal(failing.ok, false);
  const shrunk = await shrinkPlan(naiveTwoPeerScenario, 7, failing.plan);
  assert.ok(shrunk);
  console.log(`shrunk ${JSON.stringify(failing.plan)} -> ${JSON.stringify(shrunk.plan)} in ${shrunk.runs} runs`);
  assert.equal(shrunk.result.ok, false);
  assert.ok(JSON.stringify(shrunk.plan).length <= JSON.stringify(failing.plan).length);
});
