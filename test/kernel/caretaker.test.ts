import assert from "node:assert/strict";
import { test } from "node:test";
import { attenuate, caretaker, createLoop, createNodeReactor, NotAllowedError, RevokedError } from "../../src/index.js";
import { startWorkerLoop } from "../../src/kernel/worker-loop.js";
import { VirtualReactor } from "../../src/testing.js";
import { type Echo, echoBehaviour } from "./fixtures/worker-actors.js";

test("a caretaker forwards tell, ask and near call until revoked, then refuses with RevokedError", async () => {
  const reactor = new VirtualReactor();
  const loop = createLoop({ reactor });
  const target = loop.spawn(echoBehaviour, 1);
  const grant = caretaker(target);
  grant.ref.tell("add", 1);
  assert.equal(grant.ref.call("get"), 1, "near call overtakes the queued tell");
  const asked = grant.ref.ask("get");
  await reactor.settle();
  assert.equal(await asked, 2);
  grant.revoke();
  assert.equal(grant.revoked, true);
  assert.throws(() => grant.ref.tell("add", 1), RevokedError);
  assert.throws(() => grant.ref.call("get"), RevokedError);
  await assert.rejects(grant.ref.ask("get"), RevokedError);
  assert.equal(target.call("get"), 2, "the target itself is untouched");
});

test("an attenuated ref allows only its tags, at compile time and at run time", async () => {
  const reactor = new VirtualReactor();
  const loop = createLoop({ reactor });
  const target = loop.spawn(echoBehaviour, 5);
  const readOnly = attenuate(target, ["get"]);
  assert.equal(readOnly.call("get"), 5);
  // @ts-expect-error "add" is not part of the attenuated protocol
  assert.throws(() => readOnly.tell("add", 1), NotAllowedError);
  // biome-ignore lint/suspicious/noExplicitAny: simulating an untyped caller
  await assert.rejects((readOnly as any).ask("add", 1), NotAllowedError);
  loop.exit(readOnly, { type: "killed" });
  await reactor.settle();
  assert.equal(loop.inspect(target)?.status, "running", "an attenuated ref cannot stop the actor");
});

test("a caretaker handed to another loop is revoked there too", async () => {
  const loop = createLoop({ reactor: createNodeReactor(), askTimeoutMs: 2_000 });
  const worker = await startWorkerLoop(loop, { name: "w" });
  try {
    const fixtures = new URL("./fixtures/worker-actors.js", import.meta.url);
    const far = await worker.spawn<Echo>(fixtures, "echoBehaviour", 0);
    const local = loop.spawn(echoBehaviour, 7);
    const grant = caretaker(local);
    far.tell("relay", grant.ref);
    await until(async () => (await far.ask("lastRelayed")) === 7);
    grant.revoke();
    far.tell("relay", grant.ref);
    await until(async () => (await far.ask("lastRelayed")) === -1);
  } finally {
    await worker.stop();
    loop.shutdown();
  }
});

async function until(check: () => Promise<boolean>): Promise<void> {
  const reactor = createNodeReactor();
  const start = reactor.nowMs();
  while (!(await check())) {
    if (reactor.nowMs() - start > 3_000) assert.fail("condition not met in time");
    await new Promise((resolve) => reactor.setTimer(5, () => resolve(null)));
  }
}
