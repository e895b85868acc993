import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { runScenario } from "../../src/sim/run-scenario.js";
import { naiveTwoPeerScenario } from "../../src/sim/scenarios/naive-two-peer.js";
import { type WirePlan, type WireTwoPeerState, wireTwoPeerScenario } from "../../src/sim/scenarios/wire-two-peer.js";

const SEEDS = 100;

/** The scenario, with the state of its last run kept for the test to read (the run is unchanged). */
function observed(): { scenario: typeof wireTwoPeerScenario; last: () => WireTwoPeerState } {
  let state: WireTwoPeerState | null = null;
  const scenario = {
    ...wireTwoPeerScenario,
    setup: (...args: Parameters<typeof wireTwoPeerScenario.setup>) => (state = wireTwoPeerScenario.setup(...args)),
  };
  return { scenario, last: () => state! };
}

test(`the wire two-peer scenario keeps making progress for ${SEEDS} seeds, with slots and windows full`, async () => {
  const first = 1;
  console.log(`SEED=${first} (seeds ${first}…${first + SEEDS - 1})`);
  const { scenario, last } = observed();
  let saturated = 0;
  for (let seed = first; seed < first + SEEDS; seed++) {
    const result = await runScenario(scenario, seed);
    assert.ok(result.ok, `SEED=${seed}: ${result.violation?.invariant}: ${result.violation?.message}`);
    const { peers, slots } = last();
    if (peers.every((peer) => peer.handlersPeak === slots && peer.windowPeak === slots)) saturated++;
    if (seed === first) {
      const again = await runScenario(scenario, seed);
      assert.equal(again.traceHash, result.traceHash, "a run replays bit for bit from its seed");
    }
  }
  console.log(`${saturated} of ${SEEDS} runs filled both peers' slots and both ack windows`);
  assert.ok(saturated >= SEEDS / 4, `only ${saturated} runs saturated both peers`);
});

test("the plan that locks the naive design up completes on the wire", async () => {
  let naive = null;
  for (let seed = 1; seed <= 1000 && naive === null; seed++) {
    const result = await runScenario(naiveTwoPeerScenario, seed);
    if (!result.ok) naive = result;
  }
  assert.ok(naive, "the naive design should lock up on some seed");
  console.log(`SEED=${naive.seed} naive: ${naive.violation?.message}`);
  assert.equal(naive.violation?.invariant, "every request is acknowledged");
  const wire = await runScenario(wireTwoPeerScenario, naive.seed, { plan: naive.plan });
  assert.ok(wire.ok, `wire with the naive plan: ${wire.violation?.message}`);
});

test("property: any plan completes on the wire (fast-check over plans and seeds)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 1_000_000 }),
      wireTwoPeerScenario.planArbitrary!({ slots: 2, latencyMinMs: 1, latencyMaxMs: 5 }),
      async (seed, plan: WirePlan) => {
        const result = await runScenario(wireTwoPeerScenario, seed, { plan });
        return result.ok;
      },
    ),
    { numRuns: 40, seed: 42 },
  );
});
