import assert from "node:assert/strict";
import { test } from "node:test";
import { type AnyScenario, formatFailure, formatRunHeader, formatRunLine, runScenario } from "../../src/testing.js";
import { naiveTwoPeerScenario } from "../../src/sim/scenarios/naive-two-peer.js";

interface Ticker {
  ticks: number;
  doneAtMs: number | null;
}

/**
 * A ticker on one node: a repeating timer counts ticks every `periodMs`; a one-shot timer marks it
 * done `doneAfterMs` after the start. Fields of `overrides` replace the scenario's defaults.
 */
function ticker(overrides: Partial<AnyScenario> & { periodMs?: number; doneAfterMs?: number } = {}): AnyScenario {
  const { periodMs = 10, doneAfterMs = 1_300, ...rest } = overrides;
  return {
    name: "ticker",
    description: "a repeating timer and a one-shot timer",
    options: () => ({ periodMs }),
    plan: () => [],
    setup({ world }) {
      const state: Ticker = { ticks: 0, doneAtMs: null };
      world.addNode("n", {
        boot: ({ reactor }) => {
          reactor.setRepeatingTimer(periodMs, () => state.ticks++);
          reactor.setTimer(doneAfterMs, () => (state.doneAtMs = world.nowMs));
        },
      });
      return state;
    },
    safety: [],
    liveness: [{ name: "the ticker is done", check: (s: Ticker) => (s.doneAtMs === null ? "not done yet" : null) }],
    chaosMs: 1_000,
    healMs: 500,
    ...rest,
  };
}

test("a safety violation stops the run at once in the chaos phase, naming the invariant", async () => {
  let seen: Ticker | null = null;
  const scenario = ticker({
    safety: [
      {
        name: "fewer than five ticks",
        check: (state: Ticker) => {
          seen = state;
          return state.ticks >= 5 ? `${state.ticks} ticks` : null;
        },
      },
    ],
  });
  const result = await runScenario(scenario, 1);
  assert.equal(result.ok, false);
  assert.deepEqual(result.violation, {
    invariant: "fewer than five ticks",
    message: "5 ticks",
    phase: "chaos",
    atMs: 50,
  });
  assert.equal((seen as Ticker | null)?.ticks, 5, "no step ran after the violation");
  assert.equal(result.simMs, 50);
});

test("safety invariants are also checked in the heal phase", async () => {
  const result = await runScenario(
    ticker({ safety: [{ name: "fewer than 120 ticks", check: (s: Ticker) => (s.ticks >= 120 ? "too many" : null) }] }),
    1,
  );
  assert.equal(result.violation?.invariant, "fewer than 120 ticks");
  assert.equal(result.violation?.phase, "heal");
  assert.equal(result.violation?.atMs, 1_200);
});

test("liveness may fail during chaos but must hold within healMs, and the run stops when it does", async () => {
  const result = await runScenario(ticker({ doneAfterMs: 1_300, healMs: 500 }), 1);
  assert.equal(result.ok, true, result.violation?.message);
  assert.equal(result.simMs, 1_300);
});

test("liveness that does not hold within healMs fails the run in the heal phase", async () => {
  const result = await runScenario(ticker({ doneAfterMs: 1_300, healMs: 200 }), 1);
  assert.equal(result.ok, false);
  assert.equal(result.violation?.invariant, "the ticker is done");
  assert.equal(result.violation?.phase, "heal");
  assert.equal(result.violation?.atMs, 1_200);
  assert.match(result.violation?.message ?? "", /not done yet \(not reached within the 200 ms heal budget\)/);
});

test("a run that takes more steps than maxSteps fails with the step budget", async () => {
  const result = await runScenario(ticker({ periodMs: 1, maxSteps: 100 }), 1);
  assert.equal(result.ok, false);
  assert.equal(result.violation?.invariant, "step budget");
  assert.equal(result.violation?.message, "more than 100 steps");
  assert.equal(result.steps, 100);
});

test("scheduled actions run at their time in (time, registration) order and are traced", async () => {
  const ran: string[] = [];
  const scenario: AnyScenario = {
    ...ticker(),
    setup({ world, at }) {
      world.addNode("n");
      at(30, "second at 30", () => ran.push(`second@${world.nowMs}`));
      at(10, "first at 10", () => ran.push(`first@${world.nowMs}`));
      at(30, "third at 30", () => ran.push(`third@${world.nowMs}`));
      return {};
    },
    liveness: [],
  };
  const result = await runScenario(scenario, 1, { keepTrace: true });
  assert.equal(result.ok, true);
  assert.deepEqual(ran, ["first@10", "second@30", "third@30"]);
  assert.deepEqual(
    result.trace?.filter((e) => e.type === "action").map((e) => (e.type === "action" ? e.label : "")),
    ["first at 10", "second at 30", "third at 30"],
  );
});

test("the default heal restarts crashed nodes, resumes paused ones and heals the network", async () => {
  const scenario: AnyScenario = {
    ...ticker(),
    setup({ world, network, at }) {
      const crashed = world.addNode("crashed");
      const paused = world.addNode("paused");
      at(100, "faults", () => {
        crashed.crash();
        paused.pause();
        network.partition("crashed", "paused");
      });
      return { crashed, paused };
    },
    liveness: [
      {
        name: "every node is up",
        check: (s: { crashed: { status: string }; paused: { status: string } }) =>
          s.crashed.status === "up" && s.paused.status === "up" ? null : "a node is down",
      },
    ],
  };
  const result = await runScenario(scenario, 1, { keepTrace: true });
  assert.equal(result.ok, true, result.violation?.message);
  const faults = result.trace?.flatMap((e) => (e.type === "fault" ? [e.fault.kind] : []));
  assert.deepEqual(faults, ["crash", "pause", "partition", "heal", "restart", "resume"]);
});

test("an exception thrown by simulated code fails the run as an exception", async () => {
  const scenario: AnyScenario = {
    ...ticker(),
    setup({ world }) {
      world.addNode("n", { boot: ({ reactor }) => reactor.setTimer(7, () => assert.fail("boom in a timer")) });
      return {};
    },
  };
  const result = await runScenario(scenario, 1);
  assert.equal(result.violation?.invariant, "exception");
  assert.match(result.violation?.message ?? "", /boom in a timer/);
  assert.equal(result.violation?.atMs, 7);
});

test("the failure report holds the seed, the invariant, the trace tail and the replay command", async () => {
  const result = await runScenario(naiveTwoPeerScenario, 7);
  assert.equal(result.ok, false);
  const report = formatFailure(result, 10);
  assert.equal(report[0], "FAILED: every request is acknowledged (heal phase, at 5300.000 ms)");
  assert.match(report[1]!, /request\(s\) never acknowledged/);
  assert.equal(report[2], `plan=${JSON.stringify(result.plan)}`);
  assert.equal(report[3], `trace: ${result.events} events, hash ${result.traceHash}; last 10:`);
  const tail = report.slice(4, -1);
  assert.equal(tail.length, 10);
  assert.match(tail.at(-1)!, /^\s+300\.000 ms {2}fault\s+\{"fault":\{"kind":"heal"\}\}$/);
  assert.equal(report.at(-1), "replay: npx chorus sim naive-two-peer --seed 7");
  assert.deepEqual(formatRunHeader("naive-two-peer", 7, result.options).slice(0, 2), [
    "SEED=7",
    "scenario=naive-two-peer",
  ]);
  assert.match(formatRunLine(result), /^naive-two-peer seed 7: FAILED \(every request is acknowledged\); /);
  const ok = await runScenario(naiveTwoPeerScenario, 3);
  assert.deepEqual(formatFailure(ok), []);
  assert.match(formatRunLine(ok), new RegExp(`^naive-two-peer seed 3: ok; .* trace ${ok.traceHash}$`));
});

test("a run with an explicit plan draws the same random workload as the run that drew that plan", async () => {
  const scenario: AnyScenario = {
    ...ticker(),
    plan: (prng) => [prng.nextInt(100)],
    setup({ world, prng }, plan: number[]) {
      const node = world.addNode("n");
      for (let i = 0; i < 3; i++) {
        const delayMs = plan[0]! + prng.nextInt(1_000); // workload randomness from the scenario's stream
        node.reactor.setTimer(delayMs, () =>
          world.record({ type: "note", atMs: world.nowMs, node: "n", text: `${i}` }),
        );
      }
      return {};
    },
    liveness: [],
  };
  const drawn = await runScenario(scenario, 5, { keepTrace: true });
  const replayed = await runScenario(scenario, 5, { keepTrace: true, plan: drawn.plan });
  assert.deepEqual(replayed.trace, drawn.trace);
  assert.equal(replayed.traceHash, drawn.traceHash);
});

test("an action scheduled in the past from inside the run runs once, now", async () => {
  const ran: string[] = [];
  const scenario: AnyScenario = {
    ...ticker(),
    setup({ world, at }) {
      world.addNode("n");
      at(10, "first", () => ran.push(`first@${world.nowMs}`));
      at(20, "second", () => {
        ran.push(`second@${world.nowMs}`);
        at(5, "late", () => ran.push(`late@${world.nowMs}`));
      });
      return {};
    },
    liveness: [],
  };
  const result = await runScenario(scenario, 1);
  assert.equal(result.ok, true, result.violation?.message);
  assert.deepEqual(ran, ["first@10", "second@20", "late@20"]);
});
