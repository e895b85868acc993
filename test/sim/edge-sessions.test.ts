import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type EngineIoOutbound,
  type EngineIoTransport,
  isEncodedMessages,
} from "../../src/edge/engine-io/engine-io-transport.js";
import { type RunResult, runScenario } from "../../src/sim/run-scenario.js";
import type { Scenario } from "../../src/sim/scenario.js";
import {
  type EdgeSessionsOptions,
  type EdgeSessionsState,
  createEdgeSessionsScenario,
  edgeSessionsScenario,
} from "../../src/sim/scenarios/edge-sessions.js";
import type { EdgePlan } from "../../src/sim/scenarios/edge-sessions-plan.js";
import { shrinkPlan } from "../../src/sim/shrink.js";

type EdgeScenario = Scenario<EdgeSessionsOptions, EdgePlan, EdgeSessionsState>;

/** Seeds of the sweep below: under 2 s on a shared 2-core machine. */
const SEEDS = 50;
/** Most seeds searched for a failure of the sabotaged server. */
const SABOTAGE_SEEDS_MAX = 300;

/** The scenario, with the state of its last run kept for the test to read (the run is unchanged). */
function observed(scenario: EdgeScenario): { scenario: EdgeScenario; last: () => EdgeSessionsState } {
  let state: EdgeSessionsState | null = null;
  const watched = {
    ...scenario,
    setup: (...args: Parameters<EdgeScenario["setup"]>) => (state = scenario.setup(...args)),
  };
  return { scenario: watched, last: () => state! };
}

/** Frames waiting for the client's window past which the sabotaged transport drops one. */
const BACKLOG_FRAMES = 6;

/**
 * A server transport with a bug: the first broadcast it is handed while {@link BACKLOG_FRAMES}
 * frames wait for the client's window (the socket is backed up) is dropped instead of queued.
 * Harmless while clients keep up; a client that stops reading, or is paused, meets it.
 */
function dropOnceWhenBackedUp(inner: EngineIoTransport): EngineIoTransport {
  let dropped = false;
  const drops = (item: EngineIoOutbound): boolean => {
    if (dropped || !isEncodedMessages(item) || inner.bufferedPackets < BACKLOG_FRAMES) return false;
    dropped = true;
    return true;
  };
  return {
    get name() {
      return inner.name;
    },
    get writable() {
      return inner.writable;
    },
    get bufferedBytes() {
      return inner.bufferedBytes;
    },
    get bufferedPackets() {
      return inner.bufferedPackets;
    },
    get sink() {
      return inner.sink;
    },
    set sink(sink) {
      inner.sink = sink;
    },
    send: (items) => inner.send(items.filter((item) => !drops(item))),
    sendOne: (item) => (drops(item) ? undefined : inner.sendOne(item)),
    close: (done, discard) => inner.close(done, discard),
    discard: () => inner.discard(),
    abort: () => inner.abort(),
  };
}

const describe = (result: RunResult): string =>
  `SEED=${result.seed}: ${result.violation?.invariant}: ${result.violation?.message}`;

test("an edge-sessions run replays bit for bit from its seed", async () => {
  const first = await runScenario(edgeSessionsScenario, 7);
  const again = await runScenario(edgeSessionsScenario, 7);
  assert.ok(first.ok, describe(first));
  assert.equal(again.traceHash, first.traceHash);
  assert.equal(again.events, first.events);
  const other = await runScenario(edgeSessionsScenario, 8);
  assert.notEqual(other.traceHash, first.traceHash, "another seed is another run");
});

test(`the Socket.IO server keeps acks, order and recovery through ${SEEDS} seeds of faults`, async () => {
  console.log(`SEED=1 (seeds 1…${SEEDS})`);
  const { scenario, last } = observed(edgeSessionsScenario);
  const seen = new Map<string, number>();
  const add = (what: string, n = 1) => seen.set(what, (seen.get(what) ?? 0) + n);
  for (let seed = 1; seed <= SEEDS; seed++) {
    const result = await runScenario(scenario, seed);
    assert.ok(result.ok, describe(result));
    const { ledger, options } = last();
    for (const [what, n] of ledger.counts) add(what, n);
    add("recovered", ledger.stats.recovered);
    add("acked", ledger.stats.acked);
    for (const mode of options.modes) add(`mode ${mode}`);
  }
  console.log(JSON.stringify(Object.fromEntries(seen)));
  // The sweep must reach what it claims to check: every transport, the upgrade, recoveries, and
  // sessions ended by each kind of fault.
  for (const what of [
    "mode websocket",
    "mode polling",
    "mode upgrade",
    "upgraded to websocket",
    "recovered",
    "session closed: slow consumer",
    "session closed: ping timeout",
    "session closed: transport close",
    "session closed: forced close",
  ]) {
    assert.ok((seen.get(what) ?? 0) > 0, `no run of the sweep had: ${what}`);
  }
});

test("a server transport that drops a broadcast when backed up is caught, replays from its seed, and shrinks", async () => {
  const broken = createEdgeSessionsScenario({ wrapTransport: dropOnceWhenBackedUp }, "edge-sessions-dropping");
  let failed: RunResult | null = null;
  for (let seed = 1; seed <= SABOTAGE_SEEDS_MAX && failed === null; seed++) {
    const result = await runScenario(broken, seed);
    if (!result.ok) failed = result;
  }
  assert.ok(failed !== null, `no seed in 1…${SABOTAGE_SEEDS_MAX} caught the dropped broadcast`);
  console.log(describe(failed));
  assert.match(failed.violation!.invariant, /acks, order and recovery|processed every broadcast/);

  const replayed = await runScenario(broken, failed.seed);
  assert.equal(replayed.traceHash, failed.traceHash, "the failure replays bit for bit from its seed");
  assert.deepEqual(replayed.violation, failed.violation);

  const shrunk = await shrinkPlan(broken, failed.seed, failed.plan, { timeLimitMs: 2_500 });
  assert.ok(shrunk !== null);
  const before = (failed.plan as EdgePlan).faults.length;
  const after = (shrunk.plan as EdgePlan).faults.length;
  console.log(`shrunk plan (${shrunk.runs} runs, ${before} → ${after} faults): ${JSON.stringify(shrunk.plan)}`);
  assert.equal(shrunk.result.ok, false);
  assert.ok(after <= before);
  const again = await runScenario(broken, failed.seed, { plan: shrunk.plan });
  assert.equal(again.ok, false, "the shrunk plan still fails");

  const healthy = await runScenario(edgeSessionsScenario, failed.seed, { plan: failed.plan });
  assert.ok(healthy.ok, `the same seed and plan pass without the bug: ${describe(healthy)}`);
});
