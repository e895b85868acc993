import assert from "node:assert/strict";
import { test } from "node:test";
import { LoopClosedError, SpawnError } from "../../src/kernel/errors.js";
import { ExitReasons } from "../../src/kernel/exit-reason.js";
import { VirtualReactor } from "../../src/reactor/virtual/virtual-reactor.js";
import { type RootExit, startNode } from "../../src/supervision/node.js";
import { REACHED_MAX_RESTART_INTENSITY, supervisorSpec } from "../../src/supervision/supervisor.js";
import { type Log, refOf, worker, workerSpec } from "./fixtures.js";

test("startNode starts the tree in order; stop() shuts it down in reverse order, then closes the loop", async () => {
  const reactor = new VirtualReactor();
  const log: Log = [];
  const rootExits: RootExit[] = [];
  const node = startNode({
    reactor,
    children: [
      workerSpec("a", log),
      supervisorSpec("inner", {}, [workerSpec("x", log), workerSpec("y", log, { trap: true })]),
      workerSpec("b", log, { trap: true, ignoreExits: true, shutdownMs: 500 }),
    ],
    onRootExit: (exit) => rootExits.push(exit),
  });
  assert.deepEqual(log, ["start a", "start x", "start y", "start b"]);
  log.length = 0;
  const stopped = node.stop();
  await reactor.settle();
  await stopped;
  assert.deepEqual(log, [
    "signal b shutdown",
    "signal y shutdown",
    "stop y shutdown",
    "stop x shutdown",
    "stop a shutdown",
  ]);
  const exit = await node.exited;
  assert.deepEqual(exit, { reason: ExitReasons.shutdown, requested: true, atMs: 500 });
  assert.deepEqual(rootExits, [exit]);
  assert.equal(node.loop.actorCount, 0);
  assert.equal(reactor.pendingTimerCount, 0);
  assert.throws(() => node.loop.spawn(worker, { id: "late", log }), LoopClosedError);
  assert.equal(node.stop(), stopped, "stop() again returns the same promise");
});

test("node.startChild adds a child under the root, and its crashes arrive through node.reports", async () => {
  const reactor = new VirtualReactor();
  const node = startNode({ reactor, flags: { intensity: 3 } });
  const seen: string[] = [];
  node.reports.subscribe((report) => seen.push(`${report.type} ${report.supervisor}/${report.childId}`));
  const started = node.startChild(workerSpec("dyn", []));
  await reactor.settle();
  const ref = await started;
  assert.equal(ref, refOf(node.root, "dyn"));
  ref.tell("boom");
  await reactor.settle();
  assert.deepEqual(seen, ["crash_report root/dyn"]);
  const stopped = node.stop();
  await reactor.settle();
  await stopped;
});

test("when the root supervisor gives up, the node reports an exit it did not request and closes the loop", async () => {
  const reactor = new VirtualReactor();
  let reported: RootExit | null = null;
  const node = startNode({
    reactor,
    children: [workerSpec("w", [])],
    flags: { intensity: 0 },
    onRootExit: (exit) => {
      reported = exit;
    },
  });
  refOf(node.root, "w").tell("boom");
  await reactor.settle();
  const exit = await node.exited;
  assert.equal(exit.requested, false);
  assert.deepEqual(exit.reason, REACHED_MAX_RESTART_INTENSITY);
  assert.deepEqual(reported, exit);
  assert.equal(node.loop.actorCount, 0);
  await node.stop();
});

test("startNode throws SpawnError when a child fails to start", () => {
  const reactor = new VirtualReactor();
  assert.throws(
    () => startNode({ reactor, children: [workerSpec("bad", [], { failInit: () => true })] }),
    (error: unknown) => error instanceof SpawnError && /child "bad" failed to start/.test(String(error.message)),
  );
  assert.equal(reactor.pendingTimerCount, 0);
});

test("startNode rejects invalid root flags with an error naming the field", () => {
  assert.throws(
    () => startNode({ reactor: new VirtualReactor(), flags: { periodMs: -5 } }),
    (error: unknown) =>
      error instanceof SpawnError && /args\.flags\.periodMs/.test(String((error.cause as Error).message)),
  );
});
