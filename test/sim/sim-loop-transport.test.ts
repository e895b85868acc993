import assert from "node:assert/strict";
import { test } from "node:test";
import { type ExitReason, LoopClosedError, TimeoutError } from "../../src/index.js";
import { SimNetwork, SimWorld } from "../../src/testing.js";
import { SimLoopTransport } from "../../src/sim/sim-loop-transport.js";
import { drive, farEchoOnA, kernelPair, runAll } from "./sim-fixtures.js";

/** Two connected kernel loops on nodes a and b, with a fixed one-way latency of 10 ms. */
async function connectedPair(seed = 1) {
  const world = new SimWorld({ seed, keepTrace: true });
  const network = new SimNetwork(world, { latencyMinMs: 10, latencyMaxMs: 10 });
  const pair = kernelPair(world, network, 500);
  await drive(world, 50);
  const far = farEchoOnA(pair);
  return { world, network, pair, far };
}

interface Settled<T> {
  value?: T;
  error?: unknown;
  atMs?: number;
}

function settle<T>(world: SimWorld, promise: Promise<T>): Settled<T> {
  const out: Settled<T> = {};
  promise.then(
    (value) => Object.assign(out, { value, atMs: world.nowMs }),
    (error: unknown) => Object.assign(out, { error, atMs: world.nowMs }),
  );
  return out;
}

test("an ask to a far ref on another simulated node is answered after a round trip", async () => {
  const { world, pair, far } = await connectedPair();
  assert.equal(far.isNear, false);
  const askedMs = world.nowMs;
  const reply = settle(world, far.ask("echo", "hello"));
  await drive(world, askedMs + 100);
  assert.equal(reply.error, undefined);
  assert.equal(reply.value, "hello");
  assert.equal(reply.atMs, askedMs + 20);
  // The frames crossed the simulated network as messages, and B's actor took a turn.
  const trace = world.trace.all() ?? [];
  assert.ok(
    trace.some(
      (e) => e.type === "deliver" && e.from === "a" && e.to === "b" && JSON.stringify(e.data).includes('"ask"'),
    ),
  );
  assert.ok(trace.some((e) => e.type === "turn" && e.node === "b" && e.tag === "echo"));
  assert.equal(pair.loopB?.actorCount, 1);
});

test("frames sent in one task travel as one simulated message", async () => {
  const { world, far } = await connectedPair();
  const before = (world.trace.all() ?? []).length;
  const replies = ["x", "y", "z"].map((text) => settle(world, far.ask("echo", text)));
  await drive(world, world.nowMs + 100);
  assert.deepEqual(
    replies.map((r) => r.value),
    ["x", "y", "z"],
  );
  const sends = (world.trace.all() ?? []).slice(before).filter((e) => e.type === "send");
  assert.equal(sends.filter((e) => e.type === "send" && e.from === "a").length, 1);
});

test("a partition makes far asks time out, and heal restores them", async () => {
  const { world, network, far } = await connectedPair();
  network.partition("a", "b");
  const askedMs = world.nowMs;
  const lost = settle(world, far.ask("echo", "into the void", { timeoutMs: 200 }));
  await drive(world, askedMs + 400);
  assert.ok(lost.error instanceof TimeoutError, `expected a TimeoutError, got ${String(lost.error)}`);
  assert.ok(lost.atMs! >= askedMs + 200 && lost.atMs! < askedMs + 250, `timed out at ${lost.atMs}`);
  network.heal();
  const back = settle(world, far.ask("echo", "back again", { timeoutMs: 200 }));
  await drive(world, world.nowMs + 100);
  assert.equal(back.value, "back again");
});

test("a one-way partition of the replies also makes far asks time out", async () => {
  const { world, network, far, pair } = await connectedPair();
  network.partition("b", "a", true);
  const lost = settle(world, far.ask("echo", "heard but not answered", { timeoutMs: 100 }));
  await drive(world, world.nowMs + 300);
  assert.ok(lost.error instanceof TimeoutError);
  assert.ok((world.trace.all() ?? []).some((e) => e.type === "turn" && e.node === "b" && e.tag === "echo"));
  assert.equal(pair.peerAB?.closed, false);
});

test("a crash of the peer node fails pending asks and fires monitors with noconnection", async () => {
  const { world, pair, far } = await connectedPair();
  const downs: Array<{ reason: ExitReason; atMs: number }> = [];
  pair.loopA!.monitor(far, (reason) => downs.push({ reason, atMs: world.nowMs }));
  await drive(world, world.nowMs + 50); // the monitor reaches b
  const pending = settle(world, far.ask("echo", "never answered", { timeoutMs: 10_000 }));
  const crashMs = world.nowMs;
  pair.b.crash();
  await drive(world, crashMs + 100);
  assert.deepEqual(
    downs.map((d) => d.reason.type),
    ["noconnection"],
  );
  assert.equal(downs[0]!.atMs, crashMs + 10, "the close travels with the link's latency");
  assert.ok(pending.error instanceof LoopClosedError, `expected LoopClosedError, got ${String(pending.error)}`);
  assert.equal(pair.peerAB?.closed, true);
  // Asks on the dead connection fail at once instead of waiting for a timeout.
  const late = settle(world, far.ask("echo", "too late"));
  await drive(world, world.nowMs + 1);
  assert.ok(late.error instanceof LoopClosedError);
});

test("a reset of the connection fires monitors on both loops with noconnection", async () => {
  const { world, network, pair, far } = await connectedPair();
  const downs: string[] = [];
  pair.loopA!.monitor(far, (reason) => downs.push(`a saw ${reason.type}`));
  await drive(world, world.nowMs + 50);
  network.reset("a", "b");
  await drive(world, world.nowMs + 50);
  assert.deepEqual(downs, ["a saw noconnection"]);
  assert.equal(pair.peerAB?.closed, true);
  assert.equal(pair.peerBA?.closed, true);
});

test("a full outbound queue refuses frames but still takes a control frame (an unlink's acknowledgement)", () => {
  const world = new SimWorld({ seed: 1 });
  const network = new SimNetwork(world);
  const a = world.addNode("a");
  const b = world.addNode("b");
  let transport: SimLoopTransport | null = null;
  network.listen(b, "loops", () => {});
  a.setBoot(({ reactor }) => {
    transport = new SimLoopTransport(network.connect(a, b, "loops"), reactor, 2);
  });
  runAll(world, 1);
  const t = transport!;
  const frame = { t: "unlinked", from: "x", to: "y" } as const;
  t.send(frame);
  t.send(frame);
  assert.equal(t.hasRoom(), false);
  assert.throws(() => t.send(frame), { code: "mailbox_full" });
  assert.doesNotThrow(() => t.send(frame, true));
});
