import assert from "node:assert/strict";
import { test } from "node:test";
import { formatFailure } from "../../src/sim/report.js";
import { type RunResult, runScenario } from "../../src/sim/run-scenario.js";
import { type ClusterPlan, clusterTrafficScenario } from "../../src/sim/scenarios/cluster-traffic.js";
import { shrinkPlan } from "../../src/sim/shrink.js";

/** Seeds whose drawn plans cover every fault kind: none, partition, isolate + partition, loss + isolate. */
const SEEDS = [2, 1, 4, 6, 13];

function explain(result: RunResult): string {
  return [`SEED=${result.seed}`, ...formatFailure(result, 15)].join("\n");
}

test("cluster traffic passes its safety and liveness invariants for a handful of seeds, faults included", async () => {
  for (const seed of SEEDS) {
    const result = await runScenario(clusterTrafficScenario, seed);
    assert.ok(result.ok, explain(result));
    assert.ok(result.simMs >= clusterTrafficScenario.chaosMs, `seed ${seed} stopped early at ${result.simMs} ms`);
  }
});

test("cluster traffic from the same seed gives the same trace hash twice, and another seed another", async () => {
  const first = await runScenario(clusterTrafficScenario, 4);
  const again = await runScenario(clusterTrafficScenario, 4);
  const other = await runScenario(clusterTrafficScenario, 5);
  assert.equal(again.traceHash, first.traceHash);
  assert.equal(again.events, first.events);
  assert.notEqual(other.traceHash, first.traceHash);
});

test("a partition between two servers that never heals makes the liveness invariant report undelivered messages", async () => {
  const plan: ClusterPlan = { faults: [{ kind: "partition", a: 0, b: 1, atMs: 500, permanent: true }] };
  const result = await runScenario(clusterTrafficScenario, 2, { plan });
  assert.equal(result.ok, false, "the run should not converge across a permanent partition");
  assert.equal(result.violation?.invariant, "every acknowledged message reached every member", explain(result));
  assert.equal(result.violation?.phase, "heal");
  assert.match(result.violation?.message ?? "", /missing acknowledged messages/);
});

test("a client cut off its server for good never receives what its room acknowledged", async () => {
  const plan: ClusterPlan = { faults: [{ kind: "isolate", client: 7, atMs: 400, permanent: true }] };
  const result = await runScenario(clusterTrafficScenario, 2, { plan });
  assert.equal(result.violation?.invariant, "every acknowledged message reached every member", explain(result));
  assert.match(result.violation?.message ?? "", /\bc7 has room/);
});

test("a failing cluster plan shrinks to the one fault that breaks liveness", async () => {
  const plan: ClusterPlan = {
    faults: [
      { kind: "loss", a: 1, b: 2, lossRate: 0.2, atMs: 900 },
      { kind: "partition", a: 0, b: 1, atMs: 1_500, permanent: true },
      { kind: "isolate", client: 3, atMs: 700 },
    ],
  };
  const shrunk = await shrinkPlan(clusterTrafficScenario, 2, plan, { timeLimitMs: 30_000 });
  assert.ok(shrunk, "the plan should fail and shrink");
  const faults = (shrunk.plan as ClusterPlan).faults;
  assert.equal(faults.length, 1, JSON.stringify(shrunk.plan));
  assert.equal(faults[0]?.kind, "partition");
  assert.equal(shrunk.result.violation?.invariant, "every acknowledged message reached every member");
});
