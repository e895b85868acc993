import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ActorCrashedError,
  ActorDeadError,
  createLoop,
  createNodeReactor,
  type ExitReason,
  ExitReasons,
  FarCallError,
  type Loop,
  LoopClosedError,
  SpawnError,
} from "../../src/index.js";
import { startWorkerLoop, type WorkerLoop } from "../../src/kernel/worker-loop.js";
import { type Echo, echoBehaviour } from "./fixtures/worker-actors.js";

const fixtures = new URL("./fixtures/worker-actors.js", import.meta.url);

describe("worker loops", () => {
  let loop: Loop;
  let w1: WorkerLoop;
  let w2: WorkerLoop;

  before(async () => {
    loop = createLoop({ reactor: createNodeReactor(), name: "main", askTimeoutMs: 2_000 });
    w1 = await startWorkerLoop(loop, { name: "w1" });
    w2 = await startWorkerLoop(loop, { name: "w2" });
  });

  after(async () => {
    await w1.stop();
    await w2.stop();
    loop.shutdown();
  });

  test("an actor spawned on a worker loop answers tell and ask through a far ref", async () => {
    const far = await w1.spawn<Echo>(fixtures, "echoBehaviour", 10);
    assert.equal(far.isNear, false);
    far.tell("add", 5);
    far.tell("add", 7);
    assert.equal(await far.ask("get"), 22);
  });

  test("a near call on a far ref is a FarCallError, not a hang", async () => {
    const far = await w1.spawn<Echo>(fixtures, "echoBehaviour", 0);
    assert.throws(() => far.call("get"), FarCallError);
  });

  test("a ref sent to another loop and back is near again and keeps working", async () => {
    const local = loop.spawn(echoBehaviour, 3);
    const far = await w1.spawn<Echo>(fixtures, "echoBehaviour", 0);
    far.tell("keep", local);
    const back = await far.ask("kept");
    assert.ok(back);
    assert.equal(back.isNear, true);
    assert.equal(back.call("get"), 3);
  });

  test("a worker actor can ask a main-loop actor through a ref it received", async () => {
    const local = loop.spawn(echoBehaviour, 41);
    const far = await w1.spawn<Echo>(fixtures, "echoBehaviour", 0);
    far.tell("relay", local);
    await waitFor(async () => (await far.ask("lastRelayed")) === 41);
  });

  test("refs passed between two worker loops reach each other directly", async () => {
    const a = await w1.spawn<Echo>(fixtures, "echoBehaviour", 100);
    const b = await w2.spawn<Echo>(fixtures, "echoBehaviour", 0);
    b.tell("relay", a);
    await waitFor(async () => (await b.ask("lastRelayed")) === 100);
  });

  test("a crash on a worker loop rejects the ask with ActorCrashedError and reaches monitors", async () => {
    const far = await w1.spawn<Echo>(fixtures, "echoBehaviour", 0);
    const down = new Promise<ExitReason>((resolve) => loop.monitor(far, resolve));
    await assert.rejects(far.ask("boom"), ActorCrashedError);
    const reason = await down;
    assert.equal(reason.type, "crash");
    assert.match(String((reason as { error: Error }).error.message), /boom on purpose/);
    await assert.rejects(far.ask("get"), ActorDeadError);
  });

  test("exit signals cross loops", async () => {
    const far = await w1.spawn<Echo>(fixtures, "echoBehaviour", 0);
    const down = new Promise<ExitReason>((resolve) => loop.monitor(far, resolve));
    loop.exit(far, ExitReasons.killed);
    assert.equal((await down).type, "killed");
  });

  test("spawning an unknown export or a failing init rejects with SpawnError", async () => {
    await assert.rejects(w1.spawn(fixtures, "nope"), SpawnError);
    await assert.rejects(w1.spawn(fixtures, "failingInit"), SpawnError);
  });

  test("a busy worker loop does not block the main loop", async () => {
    const far = await w1.spawn<Echo>(fixtures, "echoBehaviour", 0);
    const local = loop.spawn(echoBehaviour, 9);
    const spin = far.ask("spin", 300);
    assert.equal(await local.ask("get"), 9);
    assert.ok((await spin) > 0);
  });

  test("losing a worker loop fails pending asks and fires monitors with noconnection", async () => {
    const w3 = await startWorkerLoop(loop, { name: "w3" });
    const far = await w3.spawn<Echo>(fixtures, "echoBehaviour", 0);
    const down = new Promise<ExitReason>((resolve) => loop.monitor(far, resolve));
    const spinning = far.ask("spin", 200);
    const pending = far.ask("get");
    await new Promise((resolve) => createNodeReactor().setTimer(50, () => resolve(null)));
    await w3.stop();
    const reasons = await Promise.allSettled([spinning, pending]);
    // The worker may finish the spin before the stop arrives; what was not answered fails clearly.
    for (const r of reasons)
      if (r.status === "rejected") assert.ok(r.reason instanceof LoopClosedError || r.reason.code === "exited");
    const reason = await down;
    assert.ok(["noconnection", "shutdown"].includes(reason.type), reason.type);
    await assert.rejects(far.ask("get"), LoopClosedError);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const reactor = createNodeReactor();
  const start = reactor.nowMs();
  while (!(await check())) {
    if (reactor.nowMs() - start > timeoutMs) assert.fail("condition not met in time");
    await new Promise((resolve) => reactor.setTimer(5, () => resolve(null)));
  }
}
