import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type AnyRef,
  type Behaviour,
  childSpec,
  createLoop,
  createNodeReactor,
  type ExitReason,
  ExitReasons,
  type Loop,
  type Ref,
  type SupervisorProtocol,
  supervisorBehaviour,
} from "../../src/index.js";
import { startWorkerLoop, type WorkerLoop } from "../../src/kernel/worker-loop.js";
import { describeReason, type LinkPeer, linkPeer } from "./fixtures/far-link-actors.js";

// Test timers keep the process alive while a test waits (the reactor's own are unref'd).
const testTimers = createNodeReactor({ unrefTimers: false });
const fixtures = new URL("./fixtures/far-link-actors.js", import.meta.url);

describe("links across loops", () => {
  let loop: Loop;
  let w1: WorkerLoop;

  before(async () => {
    loop = createLoop({ reactor: createNodeReactor(), name: "main", askTimeoutMs: 2_000 });
    w1 = await startWorkerLoop(loop, { name: "w1" });
  });

  after(async () => {
    await w1.stop();
    loop.shutdown();
  });

  const far = (trap = false) => w1.spawn<LinkPeer>(fixtures, "linkPeer", { trap });
  /** Resolves with `ref`'s exit reason; fails the test if it does not stop within 3 s. */
  const down = (ref: AnyRef) =>
    new Promise<ExitReason>((resolve, reject) => {
      const timer = testTimers.setTimer(3_000, () => reject(new Error(`${ref} did not stop in time`)));
      loop.monitor(ref, (reason) => {
        timer.cancel();
        resolve(reason);
      });
    });

  test("a crash on a worker loop stops the actor linked to it on the main loop, with the same reason", async () => {
    const remote = await far();
    const local = loop.spawn(linkPeer, undefined);
    local.call("link", remote);
    assert.equal(loop.inspect(local)?.linkCount, 1);
    const localDown = down(local);
    remote.tell("crash");
    const reason = await localDown;
    assert.equal(describeReason(reason), "crash: far crash on purpose");
    assert.deepEqual(loop.inspect(local)?.exitReason, reason);
  });

  test("links are two-way: a link made on the worker loop stops it when the main-loop actor crashes", async () => {
    const remote = await far();
    const local = loop.spawn(linkPeer, undefined);
    await remote.ask("link", local);
    assert.equal(loop.inspect(local)?.linkCount, 1, "the main loop keeps its end of a link made over there");
    const remoteDown = down(remote);
    local.tell("crash");
    assert.equal(describeReason(await remoteDown), "crash: far crash on purpose");
  });

  test("a trapping actor receives a far linked actor's exit at onExit and keeps running", async () => {
    const remote = await far();
    const sink: string[] = [];
    const local = loop.spawn(linkPeer, { trap: true, sink });
    local.call("link", remote);
    remote.tell("crash");
    await waitFor(() => sink.length === 1);
    assert.deepEqual(sink, ["crash: far crash on purpose"]);
    assert.equal(loop.inspect(local)?.status, "running");
    assert.equal(loop.inspect(local)?.linkCount, 0, "the link is gone with the far actor");
  });

  test("a normal exit does not stop a non-trapping linked actor across loops, and the link is gone", async () => {
    const remote = await far();
    const quiet = loop.spawn(linkPeer, undefined);
    const sink: string[] = [];
    const trapping = loop.spawn(linkPeer, { trap: true, sink });
    quiet.call("link", remote);
    trapping.call("link", remote);
    const remoteDown = down(remote);
    remote.tell("stop", ExitReasons.normal);
    assert.equal((await remoteDown).type, "normal");
    assert.equal(loop.inspect(quiet)?.status, "running");
    assert.equal(loop.inspect(quiet)?.linkCount, 0);
    await waitFor(() => sink.length === 1);
    assert.deepEqual(sink, ["normal"], "a trapping actor still sees the normal exit");
  });

  test("a shutdown exit crosses a link with its detail", async () => {
    const remote = await far();
    const local = loop.spawn(linkPeer, undefined);
    local.call("link", remote);
    const localDown = down(local);
    remote.tell("stop", { type: "shutdown", detail: "bye" });
    assert.deepEqual(await localDown, { type: "shutdown", detail: "bye" });
  });

  test("unlink stops the propagation across loops, in both directions", async () => {
    const remote = await far(true);
    const local = loop.spawn(linkPeer, undefined);
    local.call("link", remote);
    local.call("unlink", remote);
    assert.equal(loop.inspect(local)?.linkCount, 0);
    local.tell("crash");
    await waitFor(() => loop.inspect(local)?.status === "dead");
    assert.deepEqual(await remote.ask("signals"), [], "the far actor got no exit signal");

    const other = loop.spawn(linkPeer, undefined);
    await remote.ask("link", other);
    await remote.ask("unlink", other);
    const remoteDown = down(remote);
    remote.tell("crash");
    // Frames arrive in order: an exit signal would have come before the down.
    assert.equal((await remoteDown).type, "crash");
    assert.equal(loop.inspect(other)?.status, "running");
  });

  test("a link crossing an unlink leaves both ends unlinked, as in Erlang: no stale end on either loop", async () => {
    const remote = await far(true);
    const local = loop.spawn(linkPeer, { trap: true });
    local.call("link", remote);
    await remote.ask("ping"); // both ends exist
    // The worker is busy when our unlink arrives; meanwhile it unlinks and links again, so its
    // new link crosses our unlink: it drops that link when it processes our unlink afterwards.
    remote.tell("busyThenRelink", { ref: local, ms: 200 });
    await new Promise((resolve) => testTimers.setTimer(50, () => resolve(undefined)));
    local.call("unlink", remote);
    await remote.ask("ping"); // everything before it has been processed on both loops
    await remote.ask("ping");
    assert.equal(loop.inspect(local)?.linkCount, 0, "the crossing link is not taken on the main loop");
    const remoteDown = down(remote);
    remote.tell("crash");
    assert.equal((await remoteDown).type, "crash");
    await new Promise((resolve) => testTimers.setTimer(50, () => resolve(undefined)));
    assert.deepEqual(local.call("signals"), [], "the worker dropped its end too: no exit signal");
    assert.equal(loop.inspect(local)?.status, "running");
  });

  test("linking to an actor that is already dead on the other loop delivers noproc", async () => {
    const remote = await far();
    const remoteDown = down(remote);
    remote.tell("stop", ExitReasons.normal);
    await remoteDown;
    const sink: string[] = [];
    const trapping = loop.spawn(linkPeer, { trap: true, sink });
    trapping.call("link", remote);
    await waitFor(() => sink.length === 1);
    assert.deepEqual(sink, ["noproc"]);
    assert.equal(loop.inspect(trapping)?.linkCount, 0);

    const local = loop.spawn(linkPeer, undefined);
    const localDown = down(local);
    local.call("link", remote);
    assert.equal((await localDown).type, "noproc");
  });

  test("a link made in a turn that is discarded is never made", async () => {
    const remote = await far(true);
    const local = loop.spawn(linkPeer, undefined);
    const localDown = down(local);
    local.tell("linkThenCrash", remote);
    assert.equal(describeReason(await localDown), "crash: crashed after linking");
    assert.deepEqual(await remote.ask("signals"), [], "no link, so no exit signal reached the far actor");
    assert.equal(await remote.ask("ping"), "pong");
  });

  test("stopping a worker loop delivers noconnection to every actor linked to its actors", async () => {
    const w2 = await startWorkerLoop(loop, { name: "w2", stopTimeoutMs: 1_000 });
    const remote = await w2.spawn<LinkPeer>(fixtures, "linkPeer", {});
    const sink: string[] = [];
    const trapping = loop.spawn(linkPeer, { trap: true, sink });
    const plain = loop.spawn(linkPeer, undefined);
    trapping.call("link", remote);
    await remote.ask("link", plain);
    const plainDown = down(plain);
    await w2.stop();
    assert.equal((await plainDown).type, "noconnection");
    await waitFor(() => sink.length === 1);
    assert.deepEqual(sink, ["noconnection"]);
    assert.equal(loop.inspect(trapping)?.status, "running");
    assert.equal(loop.inspect(trapping)?.linkCount, 0);

    const late = loop.spawn(linkPeer, undefined);
    const lateDown = down(late);
    late.call("link", remote);
    assert.equal((await lateDown).type, "noconnection", "linking to an actor of a lost loop");
  });

  test("a supervisor restarts its child, a proxy linked to a far actor, when the far actor dies", async () => {
    interface Proxy {
      target(): AnyRef;
    }
    const holder: { ref: Ref<LinkPeer> } = { ref: await far() };
    const proxy: Behaviour<Proxy, Ref<LinkPeer>, { ref: Ref<LinkPeer> }> = {
      name: "proxy",
      init(current, ctx) {
        ctx.link(current.ref);
        return current.ref;
      },
      handlers: { target: (ref) => ref },
    };
    const sup = loop.spawn(supervisorBehaviour, {
      name: "sup",
      flags: { strategy: "one_for_one", intensity: 5, periodMs: 10_000 },
      children: [childSpec("proxy", proxy, holder)],
    }) as Ref<SupervisorProtocol>;
    const child = () => sup.call("whichChildren")[0]?.ref ?? null;
    const first = child()!;
    assert.equal(loop.inspect(first)?.linkCount, 2, "linked to its supervisor and to the far actor");
    const dying = holder.ref;
    holder.ref = await far();
    dying.tell("crash");
    await waitFor(() => child() !== first && child() !== null);
    const second = child()!;
    assert.equal(loop.inspect(first)?.exitReason?.type, "crash");
    assert.equal(second.call("target"), holder.ref, "the new proxy links to the current far actor");
    assert.equal(loop.inspect(second)?.linkCount, 2);
    assert.equal(await holder.ref.ask("ping"), "pong");
  });
});

async function waitFor(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const start = testTimers.nowMs();
  while (!check()) {
    if (testTimers.nowMs() - start > timeoutMs) assert.fail("condition not met in time");
    await new Promise((resolve) => testTimers.setTimer(5, () => resolve(null)));
  }
}
