import assert from "node:assert/strict";
import { type ChildProcess, fork } from "node:child_process";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  ActorCrashedError,
  BadMessageError,
  type Behaviour,
  createLoop,
  type ExitReason,
  FarCallError,
  LoopClosedError,
  type Ref,
} from "../../src/index.js";
import { createNodeReactor } from "../../src/reactor/node/node-reactor.js";
import { joinWireLoop } from "../../src/wire/wire-loop-node.js";
import type { Counter, Echo, Greeter } from "./fixtures/wire-node-child.js";

const greeter: Behaviour<Greeter, null> = {
  init: () => null,
  handlers: { greet: (_state, name) => `hello, ${name}` },
};

async function startChild(): Promise<{ child: ChildProcess; address: string }> {
  const child = fork(fileURLToPath(new URL("./fixtures/wire-node-child.js", import.meta.url)), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const { address } = await new Promise<{ address: string }>((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
  });
  // A killed child leaves its socket file behind.
  child.once("exit", () => rmSync(address.slice("unix:".length), { force: true }));
  return { child, address };
}

async function joinParent() {
  const loop = createLoop({ reactor: createNodeReactor(), name: "parent" });
  const node = await joinWireLoop(loop, { connection: { idleMs: 0 } });
  return { loop, node };
}

test("a loop in another process publishes actors, and far refs to them tell, ask and refuse near calls", async () => {
  const { child, address } = await startChild();
  const { loop, node } = await joinParent();
  try {
    assert.deepEqual(await node.names(address), ["counter", "echo"]);
    assert.equal(await node.lookup(address, "nothing-here"), null);
    const counter = (await node.lookup<Counter>(address, "counter"))!;
    assert.equal(counter.isNear, false);
    counter.tell("add", 2);
    assert.equal(await counter.ask("add", 3), 5);
    assert.equal(await counter.ask("get"), 5);
    assert.throws(() => counter.call("get"), FarCallError);
    assert.equal(node.peers.length, 1, "one connection for every lookup");
  } finally {
    await node.close();
    loop.shutdown();
    child.kill("SIGKILL");
  }
});

test("refs inside messages cross as capabilities both ways, and unsupported payloads fail at the send", async () => {
  const { child, address } = await startChild();
  const { loop, node } = await joinParent();
  try {
    const echo = (await node.lookup<Echo>(address, "echo"))!;
    const mine = loop.spawn(greeter, undefined);
    const back = (await echo.ask("echo", { ref: mine, n: [1, "two"] })) as { ref: Ref<Greeter>; n: unknown[] };
    assert.equal(back.ref.isNear, true, "our own ref comes home near");
    assert.deepEqual(back.n, [1, "two"]);
    assert.equal(await echo.ask("relay", mine), "hello, child", "the child asks our actor through the ref");
    assert.deepEqual(await echo.ask("echo", { gone: undefined }), { gone: null }, "undefined arrives as null");
    await assert.rejects(echo.ask("echo", { users: new Map([["a", 1]]) }), (error: unknown) => {
      assert.ok(error instanceof BadMessageError);
      assert.match(error.message, /payload of "echo"\.users cannot cross.*a Map/);
      return true;
    });
    assert.throws(() => echo.tell("echo", new Set([1])), BadMessageError);
    // Inside a handler, the bad tell throws at the call (the handler crashes with the
    // BadMessageError as its cause, like a tell to a full mailbox), instead of the message
    // silently becoming a dead letter when the turn commits.
    interface Forwarder {
      forward(payload: unknown): number;
    }
    const forwarding: Behaviour<Forwarder, number> = {
      init: () => 0,
      handlers: {
        forward: (sent, payload, ctx) => {
          echo.tell("echo", payload);
          ctx.setState(sent + 1);
          return sent + 1;
        },
      },
    };
    assert.equal(await loop.spawn(forwarding, undefined).ask("forward", { fine: true }), 1);
    await assert.rejects(loop.spawn(forwarding, undefined).ask("forward", new Map()), (error: unknown) => {
      assert.ok(error instanceof ActorCrashedError, String(error));
      assert.ok(error.cause instanceof BadMessageError, String(error.cause));
      return true;
    });
  } finally {
    await node.close();
    loop.shutdown();
    child.kill("SIGKILL");
  }
});

test("a monitor on a far ref fires noconnection and pending asks fail when the peer process dies", async () => {
  const { child, address } = await startChild();
  const { loop, node } = await joinParent();
  try {
    const counter = (await node.lookup<Counter>(address, "counter"))!;
    const down = new Promise<ExitReason>((resolve) => loop.monitor(counter, resolve));
    const lost = new Promise<string>((resolve) =>
      node.onEvent((event) => {
        if (event.type === "down") resolve(event.peer.nodeName);
      }),
    );
    assert.equal(await counter.ask("add", 1), 1);
    child.kill("SIGKILL");
    const pending = counter.ask("get", undefined, { timeoutMs: 5_000 });
    assert.equal((await down).type, "noconnection");
    await assert.rejects(pending, LoopClosedError);
    assert.equal(await lost, "child");
    assert.equal(node.peers.length, 0);
  } finally {
    await node.close();
    loop.shutdown();
    child.kill("SIGKILL");
  }
});
