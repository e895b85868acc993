import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createLoop, LoopClosedError, type Ref } from "../../src/index.js";
import { createNodeReactor } from "../../src/reactor/node/node-reactor.js";
import { dialWire } from "../../src/wire/dial-wire.js";
import { dialWireLoop, loopNodeId } from "../../src/wire/wire-loop-transport.js";
import type { Counter } from "./fixtures/wire-loop-child.js";

test("two loops in two processes exchange tell and ask through a far ref over the wire", async () => {
  const child = fork(fileURLToPath(new URL("./fixtures/wire-loop-child.js", import.meta.url)), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    const { path } = await new Promise<{ path: string }>((resolve) => child.once("message", resolve));
    child.once("exit", () => rmSync(path, { force: true })); // a killed child leaves its socket file
    const reactor = createNodeReactor();
    const loop = createLoop({ reactor, name: "parent" });
    const connection = await dialWire(reactor, {
      path,
      connection: { nodeId: loopNodeId(loop), nodeName: "parent", idleMs: 0 },
    });
    const far = (await dialWireLoop(connection, loop)) as Ref<Counter>;
    assert.equal(far.isNear, false);
    far.tell("add", 2);
    assert.equal(await far.ask("add", 3), 5);
    assert.equal(await far.ask("get", null), 5);
    child.kill("SIGKILL"); // the peer process dies with the ask on its way
    await assert.rejects(far.ask("get", null, { timeoutMs: 5_000 }), LoopClosedError);
  } finally {
    child.kill("SIGKILL");
  }
});
