import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createNodeReactor } from "../../src/reactor/node/node-reactor.js";
import type { VirtualReactor } from "../../src/reactor/virtual/virtual-reactor.js";
import type { WireAddress } from "../../src/wire/wire-endpoint.js";
import type { WirePeerEvent } from "../../src/wire/wire-peer.js";
import { WirePeerRegistry } from "../../src/wire/wire-peer-registry.js";
import { memoryPair, virtualReactor } from "./memory-duplex.js";

const QUIET = { pingIntervalMs: 0, idleMs: 0 };

function nodeId(lastByte: number): Uint8Array {
  const id = new Uint8Array(16);
  id[15] = lastByte;
  return id;
}

function received(registry: WirePeerRegistry): unknown[] {
  const bodies: unknown[] = [];
  registry.onMessage = (message) => {
    bodies.push(message.body);
  };
  return bodies;
}

test("a send to an address dials lazily, shares one dial between concurrent sends, and is acknowledged", async () => {
  const reactor = createNodeReactor();
  const b = new WirePeerRegistry(reactor, { connection: { ...QUIET, nodeName: "b" } });
  const a = new WirePeerRegistry(reactor, { connection: { ...QUIET, nodeName: "a" } });
  const atB = received(b);
  const address = await b.listen("127.0.0.1:0");
  try {
    assert.match(address, /^127\.0\.0\.1:\d+$/);
    assert.equal(a.peers.length, 0, "nothing is dialed before the first send");
    await Promise.all([a.send(address, "one"), a.send(address, "two"), a.send(address, { three: 3 })]);
    assert.deepEqual(atB, ["one", "two", { three: 3 }]);
    assert.equal(a.peers.length, 1);
    assert.equal(b.peers.length, 1);
    assert.equal(a.peers[0]!.nodeId, b.nodeId);
    assert.equal(b.peers[0]!.nodeName, "a");
    await assert.rejects(a.send("127.0.0.1:1", "nobody"), { code: "cannot_connect" });
  } finally {
    await a.close();
    await b.close();
  }
});

// Simultaneous connects under the virtual reactor: each dial takes a random delay, both sides
// dial and send at the same instant (T-HS-4).
async function simultaneous(seed: number): Promise<number> {
  const reactor: VirtualReactor = virtualReactor(seed);
  const nodes = new Map<string, WirePeerRegistry>();
  let dials = 0;
  const make = (name: string, id: number) => {
    const registry = new WirePeerRegistry(reactor, {
      connection: { ...QUIET, nodeName: name, nodeId: nodeId(id) },
      dial: (address: WireAddress) =>
        new Promise((resolve) => {
          reactor.setTimer(reactor.random() * 5, () => {
            dials++;
            const [mine, theirs] = memoryPair(reactor);
            nodes.get(`${address.host}:${address.port}`)!.acceptDuplex(theirs);
            resolve(mine);
          });
        }),
    });
    nodes.set(`${name}:1`, registry);
    return registry;
  };
  const low = make("low", 1);
  const high = make("high", 2);
  const atLow = received(low);
  const atHigh = received(high);
  const events: string[] = [];
  low.onEvent = (event) => events.push(`low ${event.type}`);
  high.onEvent = (event) => events.push(`high ${event.type}`);
  const sends = [1, 2, 3].flatMap((n) => [low.send("high:1", `from low ${n}`), high.send("low:1", `from high ${n}`)]);
  let settled = 0;
  for (const send of sends) void send.then(() => settled++);
  await reactor.settle({ maxAdvanceMs: 10_000 });
  assert.equal(settled, sends.length, `seed ${seed}: every send is acknowledged`);
  assert.deepEqual(atLow, ["from high 1", "from high 2", "from high 3"], `seed ${seed}`);
  assert.deepEqual(atHigh, ["from low 1", "from low 2", "from low 3"], `seed ${seed}`);
  const [toHigh] = low.peers;
  const [toLow] = high.peers;
  assert.equal(low.peers.length + high.peers.length, 2, `seed ${seed}: one peer each`);
  assert.equal(toHigh!.others.size + toLow!.others.size, 0, `seed ${seed}: the duplicate is closed`);
  assert.equal(toHigh!.connection.status, "open");
  // Both sides use the two ends of one connection, the one the lower node id dialed.
  assert.equal(toHigh!.dialedLocally, true, `seed ${seed}`);
  assert.equal(toLow!.dialedLocally, false, `seed ${seed}`);
  const before = toLow!.connection.stats.messagesReceived;
  for (let i = 0; i < 5; i++) void toHigh!.connection.send("probe", { ack: false });
  await reactor.settle({ maxAdvanceMs: 100 });
  assert.equal(toLow!.connection.stats.messagesReceived - before, 5, `seed ${seed}: one pipe`);
  assert.ok(!events.includes("low down") && !events.includes("high down"), `seed ${seed}: ${events.join(", ")}`);
  return dials;
}

test("simultaneous connects converge to one connection without losing or duplicating a message (100 seeds)", async () => {
  let duplicates = 0;
  for (let seed = 1; seed <= 100; seed++) if ((await simultaneous(seed)) === 2) duplicates++;
  assert.ok(duplicates >= 50, `both sides dialed in only ${duplicates} of 100 runs`);
});

test("a different node id at a known address is reported as restarted before the new node is up", async () => {
  const reactor = createNodeReactor();
  const path = join(tmpdir(), `chorus-registry-${process.pid}.sock`);
  rmSync(path, { force: true });
  const a = new WirePeerRegistry(reactor, { connection: QUIET });
  const events: WirePeerEvent[] = [];
  a.onEvent = (event) => events.push(event);
  const first = new WirePeerRegistry(reactor, { connection: QUIET });
  await first.listen(`unix:${path}`);
  await a.send(path, "hello");
  await first.close();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const second = new WirePeerRegistry(reactor, { connection: QUIET });
  const atSecond = received(second);
  await second.listen(`unix:${path}`);
  try {
    await a.send(`unix:${path}`, "hello again");
    assert.deepEqual(
      events.map((e) => e.type),
      ["up", "down", "restarted", "up"],
    );
    assert.deepEqual(events[2], {
      type: "restarted",
      address: `unix:${path}`,
      previousNodeId: first.nodeId,
      nodeId: second.nodeId,
    });
    assert.deepEqual(atSecond, ["hello again"]);
  } finally {
    await a.close();
    await second.close();
  }
});

test("close drains the ACK owed for a running handler, then refuses new sends with shutdown", async () => {
  const reactor = createNodeReactor();
  const b = new WirePeerRegistry(reactor, { connection: QUIET });
  const a = new WirePeerRegistry(reactor, { connection: QUIET });
  let release: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    b.onMessage = () => {
      resolve();
      return new Promise<void>((done) => (release = done));
    };
  });
  const address = await b.listen("127.0.0.1:0");
  try {
    const slow = a.send(address, "slow");
    await started;
    const closing = b.close();
    await assert.rejects(b.send(address, "late"), { code: "shutdown" });
    setTimeout(() => release(), 30);
    await slow; // the ACK went out before the connection closed
    await closing;
    await assert.rejects(a.send(address, "after"), { code: "cannot_connect" });
  } finally {
    await a.close();
  }
});
