import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { test } from "node:test";
import { formatFailure } from "../../src/sim/report.js";
import { type RunResult, runScenario } from "../../src/sim/run-scenario.js";
import { builtInScenarios } from "../../src/sim/scenarios/index.js";
import {
  createSupervisionChaosScenario,
  type SupervisionState,
  supervisionChaosScenario,
} from "../../src/sim/scenarios/supervision-chaos.js";
import { shrinkPlan } from "../../src/sim/shrink.js";
import { sweep } from "../../src/sim/sweep.js";

const SEEDS = 1_000;

test("supervision-chaos is registered for `chorus sim`", () => {
  assert.equal(builtInScenarios.get("supervision-chaos"), supervisionChaosScenario);
});

test(`1,000 seeds of supervision-chaos pass (budget 60 s; the wall time is printed)`, async () => {
  console.log(`SEEDS=1..${SEEDS} scenario=supervision-chaos`);
  // The same scenario, keeping each run's state to sum up how much chaos the seeds caused.
  let state: SupervisionState | null = null;
  const observed: typeof supervisionChaosScenario = {
    ...supervisionChaosScenario,
    setup: (context, plan) => (state = supervisionChaosScenario.setup(context, plan)),
  };
  const coverage = new Coverage();
  const started = performance.now();
  const summary = await sweep(observed, { seeds: SEEDS, onProgress: () => coverage.add(state!) });
  const wallS = (performance.now() - started) / 1000;
  const failure = summary.failures[0];
  if (failure !== undefined) assert.fail(formatFailure(failure).join("\n"));
  console.log(
    `supervision-chaos: ${summary.runs} seeds passed in ${wallS.toFixed(1)} s wall time ` +
      `(${summary.steps} steps, ${(summary.simMs / 1000).toFixed(0)} s simulated)`,
  );
  console.log(`coverage: ${coverage}`);
  assert.equal(summary.runs, SEEDS);
  coverage.assertChaotic();
});

/** What the seeds of a sweep did, summed. */
class Coverage {
  restarts = 0;
  escalations = 0;
  reboots = 0;
  turns = 0;
  readonly outcomes = new Map<string, number>();

  add({ probes, app }: SupervisionState): void {
    this.restarts += probes.intensity.restarts;
    this.escalations += probes.intensity.escalations;
    this.reboots += app.generations - 1;
    this.turns += probes.lifecycle.turns;
    for (const [outcome, count] of probes.ledger.outcomes)
      this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + count);
  }

  // Guards against a scenario that quietly stops causing trouble (and so proves nothing).
  assertChaotic(): void {
    assert.ok(this.restarts > 10 * SEEDS, `only ${this.restarts} restarts`);
    assert.ok(this.escalations > SEEDS, `only ${this.escalations} escalations`);
    assert.ok(this.reboots > SEEDS / 2, `only ${this.reboots} reboots`);
    for (const outcome of ["ok", "exited", "crashed", "timeout", "mailbox_full", "noproc", "turn_aborted"]) {
      assert.ok((this.outcomes.get(outcome) ?? 0) > 0, `no ask settled with ${outcome}`);
    }
  }

  toString(): string {
    const asks = [...this.outcomes].map(([outcome, count]) => `${outcome} ${count}`).join(", ");
    return `${this.restarts} restarts, ${this.escalations} escalations, ${this.reboots} reboots, ${this.turns} turns; asks: ${asks}`;
  }
}

test("a supervision-chaos seed replays with the same trace hash", async () => {
  const first = await runScenario(supervisionChaosScenario, 424242);
  const again = await runScenario(supervisionChaosScenario, 424242);
  assert.ok(first.ok);
  assert.equal(again.traceHash, first.traceHash);
  assert.equal(again.events, first.events);
});

/** Runs `seeds` seeds of a broken variant and returns the first failure (asserting there is one). */
async function firstFailure(name: string, variant: Parameters<typeof createSupervisionChaosScenario>[0], seeds = 20) {
  const scenario = createSupervisionChaosScenario({ name, ...variant });
  for (let seed = 1; seed <= seeds; seed++) {
    const result = await runScenario(scenario, seed);
    if (!result.ok) return { scenario, result };
  }
  return assert.fail(`${name}: no seed out of ${seeds} failed`);
}

async function assertReplayable(scenario: Parameters<typeof runScenario>[0], result: RunResult): Promise<void> {
  const report = formatFailure(result).join("\n");
  console.log(`SEED=${result.seed} ${result.scenario}: ${result.violation?.invariant}: ${result.violation?.message}`);
  assert.ok(report.includes(`replay: npx chorus sim ${result.scenario} --seed ${result.seed}`), report);
  const replay = await runScenario(scenario, result.seed);
  assert.equal(replay.traceHash, result.traceHash);
  assert.deepEqual(replay.violation, result.violation);
}

test("a worker that leaks a Reactor timer fails 'no timer outlives its actor', with a replay command", async () => {
  const { scenario, result } = await firstFailure("supervision-chaos+leak-timer", { leakTimer: true });
  assert.equal(result.violation?.invariant, "no timer outlives its actor");
  assert.match(result.violation?.message ?? "", /held by live actors and 1 other/);
  await assertReplayable(scenario, result);
});

test("supervisors that allow one restart more than told fail 'restarts stay within intensity'", async () => {
  const { scenario, result } = await firstFailure("supervision-chaos+lax-intensity", { intensitySlack: 1 });
  assert.equal(result.violation?.invariant, "restarts stay within intensity");
  assert.match(result.violation?.message ?? "", /but did not give up/);
  await assertReplayable(scenario, result);
});

test("a failing supervision plan shrinks to a smaller plan that still fails", async () => {
  const { scenario, result } = await firstFailure("supervision-chaos+lax-intensity", { intensitySlack: 1 });
  const shrunk = await shrinkPlan(scenario, result.seed, result.plan, { timeLimitMs: 5_000 });
  assert.ok(shrunk);
  console.log(
    `SEED=${result.seed} shrunk ${JSON.stringify(result.plan)} -> ${JSON.stringify(shrunk.plan)} in ${shrunk.runs} runs`,
  );
  assert.equal(shrunk.result.ok, false);
  assert.ok(JSON.stringify(shrunk.plan).length <= JSON.stringify(result.plan).length);
});
