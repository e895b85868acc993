import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { type AnyRef, createLoop, type ExitReason, type Loop } from "../../src/index.js";
import { createNodeReactor } from "../../src/reactor/node/node-reactor.js";
import { joinWireLoop } from "../../src/wire/wire-loop-node.js";
import { type LinkPeer, linkPeer } from "../kernel/fixtures/far-link-actors.js";

test("over the wire, a crash in another process reaches linked actors, and SIGKILL of that process delivers noconnection", async () => {
  const child = fork(fileURLToPath(new URL("./fixtures/far-link-child.js", import.meta.url)), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const { address } = await new Promise<{ address: string }>((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
  });
  // A killed child leaves its socket file behind.
  child.once("exit", () => rmSync(address.slice("unix:".length), { force: true }));
  const loop = createLoop({ reactor: createNodeReactor(), name: "parent" });
  const node = await joinWireLoop(loop, { connection: { idleMs: 0 } });
  try {
    const a = (await node.lookup<LinkPeer>(address, "a"))!;
    const b = (await node.lookup<LinkPeer>(address, "b"))!;
    const sink: string[] = [];
    const trapping = loop.spawn(linkPeer, { trap: true, sink });
    const plain = loop.spawn(linkPeer, undefined);
    trapping.call("link", a);
    trapping.call("link", b);
    await b.ask("link", plain);
    assert.equal(loop.inspect(trapping)?.linkCount, 2);

    a.tell("crash");
    await waitFor(() => sink.length === 1);
    assert.deepEqual(sink, ["crash: far crash on purpose"]);

    const plainDown = down(loop, plain);
    child.kill("SIGKILL");
    assert.equal((await plainDown).type, "noconnection");
    await waitFor(() => sink.length === 2);
    assert.deepEqual(sink[1], "noconnection");
    assert.equal(loop.inspect(trapping)?.status, "running");
    assert.equal(loop.inspect(trapping)?.linkCount, 0);
  } finally {
    await node.close();
    loop.shutdown();
    child.kill("SIGKILL");
  }
});

// Test timers keep the process alive (the reactor's own are unref'd): the loss of the child is
// noticed after its socket has closed, when nothing else may be holding the event loop open.
const testTimers = createNodeReactor({ unrefTimers: false });

/** Resolves with `ref`'s exit reason; rejects if it does not stop within 5 s. */
function down(loop: Loop, ref: AnyRef): Promise<ExitReason> {
  return new Promise((resolve, reject) => {
    const timer = testTimers.setTimer(5_000, () => reject(new Error(`${ref} did not stop in time`)));
    loop.monitor(ref, (reason) => {
      timer.cancel();
      resolve(reason);
    });
  });
}

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = testTimers.nowMs();
  while (!check()) {
    if (testTimers.nowMs() - start > timeoutMs) assert.fail("condition not met in time");
    await new Promise((resolve) => testTimers.setTimer(5, () => resolve(null)));
  }
}
