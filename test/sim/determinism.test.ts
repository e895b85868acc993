import assert from "node:assert/strict";
import { test } from "node:test";
import { runScenario, type Scenario, SimWorld, Trace } from "../../src/testing.js";
import { naiveTwoPeerScenario } from "../../src/sim/scenarios/naive-two-peer.js";
import { codeOf, type Echo, farEchoOnA, farEchoOnB, type KernelPair, kernelPair, runAll } from "./sim-fixtures.js";
import type { Ref } from "../../src/index.js";

interface AskState {
  readonly pair: KernelPair;
  asked: number;
  readonly replies: string[];
}

/** Two kernel loops on two nodes asking each other's echo actor at times drawn from the seed. */
const kernelAsks: Scenario<{ asks: number }, readonly number[], AskState> = {
  name: "kernel-asks",
  description: "two loops on two nodes exchange asks over the simulated network",
  options: (prng) => ({ asks: 6 + prng.nextInt(6) }),
  plan: (prng, options) => Array.from({ length: options.asks }, () => 10 + prng.nextInt(40)),
  setup({ world, network, at }, plan) {
    const state: AskState = { pair: kernelPair(world, network), asked: 0, replies: [] };
    let toB: Ref<Echo> | null = null;
    let toA: Ref<Echo> | null = null;
    plan.forEach((atMs, i) => {
      at(atMs, `ask ${i}`, () => {
        toB ??= farEchoOnA(state.pair);
        toA ??= farEchoOnB(state.pair);
        const [from, far] = i % 2 === 0 ? ["a", toB] : ["b", toA];
        state.asked++;
        far.ask("echo", `m${i}`).then(
          (reply) => {
            state.replies.push(reply);
            // Promise continuations are part of the run: hash the order in which they ran.
            world.record({ type: "note", atMs: world.nowMs, node: from, text: `reply ${reply}` });
          },
          (error: unknown) => state.replies.push(`error ${codeOf(error)}`),
        );
      });
    });
    return state;
  },
  safety: [],
  liveness: [
    {
      name: "every ask is answered",
      check: (state) => (state.replies.length === state.asked ? null : `${state.asked - state.replies.length} open`),
    },
  ],
  chaosMs: 60,
  healMs: 2_000,
};

test("the same seed gives the same trace hash twice for the naive two-peer scenario", async () => {
  for (const seed of [3, 7, 42]) {
    const first = await runScenario(naiveTwoPeerScenario, seed);
    const second = await runScenario(naiveTwoPeerScenario, seed);
    assert.equal(second.traceHash, first.traceHash, `seed ${seed}`);
    assert.equal(second.events, first.events);
    assert.equal(second.steps, first.steps);
  }
});

test("the same seed gives the same trace hash twice for two kernel loops exchanging asks", async () => {
  const first = await runScenario(kernelAsks, 11);
  assert.equal(first.ok, true, first.violation?.message);
  const state = first.trace;
  assert.equal(state, null, "no full trace unless keepTrace is set");
  const second = await runScenario(kernelAsks, 11);
  assert.equal(second.traceHash, first.traceHash);
  assert.equal(second.events, first.events);
  // The run did real work: spawns, turns, sends, deliveries and reply notes were hashed.
  assert.ok(first.events > 50, `only ${first.events} events`);
});

test("different seeds give different traces", async () => {
  const kernelHashes = new Set<string>();
  const naiveHashes = new Set<string>();
  for (let seed = 1; seed <= 8; seed++) {
    kernelHashes.add((await runScenario(kernelAsks, seed)).traceHash);
    naiveHashes.add((await runScenario(naiveTwoPeerScenario, seed)).traceHash);
  }
  assert.equal(kernelHashes.size, 8);
  assert.equal(naiveHashes.size, 8);
});

test("the order of ready work differs between seeds, while each node's own tasks stay FIFO", () => {
  const firsts = new Set<string>();
  for (let seed = 1; seed <= 16; seed++) {
    const world = new SimWorld({ seed });
    const order: string[] = [];
    for (const name of ["a", "b", "c"]) {
      const node = world.addNode(name);
      for (let i = 1; i <= 3; i++) node.reactor.defer(() => order.push(`${name}${i}`));
    }
    runAll(world);
    assert.equal(order.length, 9);
    for (const name of ["a", "b", "c"]) {
      assert.deepEqual(
        order.filter((task) => task.startsWith(name)),
        [`${name}1`, `${name}2`, `${name}3`],
      );
    }
    firsts.add(order[0]!);
  }
  assert.deepEqual([...firsts].sort(), ["a1", "b1", "c1"]);
});

test("a run with keepTrace replays event for event, and its events hash to the trace hash", async () => {
  const first = await runScenario(kernelAsks, 5, { keepTrace: true });
  const second = await runScenario(kernelAsks, 5, { keepTrace: true });
  assert.ok(first.trace !== null && second.trace !== null);
  assert.equal(first.trace.length, first.events);
  assert.deepEqual(second.trace, first.trace);
  const rehashed = new Trace();
  for (const event of first.trace) rehashed.record(event);
  assert.equal(rehashed.hash, first.traceHash);
  // Kernel events from the loops' tracers are part of it, tagged with their node.
  assert.ok(first.trace.some((event) => event.type === "turn" && event.node === "b"));
  assert.ok(first.trace.some((event) => event.type === "deliver" && event.from === "a" && event.to === "b"));
});

test("a replayed plan gives the same trace as the plan drawn from the seed", async () => {
  const drawn = await runScenario(naiveTwoPeerScenario, 7);
  const replayed = await runScenario(naiveTwoPeerScenario, 7, { plan: drawn.plan });
  assert.equal(replayed.traceHash, drawn.traceHash);
  const other = await runScenario(naiveTwoPeerScenario, 7, { plan: [{ from: "a", atMs: 0, hops: 0 }] });
  assert.notEqual(other.traceHash, drawn.traceHash);
});
