import assert from "node:assert/strict";
import { test } from "node:test";
import { type LinkConfig, type SimConnection, SimNetwork, type SimNode, SimWorld } from "../../src/testing.js";
import { runAll } from "./sim-fixtures.js";

interface Received {
  readonly i: number;
  readonly sentMs: number;
  readonly atMs: number;
}

/** Nodes a and b, a connection from a to b (accepted), and what each end receives. */
function connected(link: Partial<LinkConfig> = {}, seed = 1) {
  const world = new SimWorld({ seed, keepTrace: true });
  const network = new SimNetwork(world);
  network.setLink("a", "b", link);
  const a = world.addNode("a");
  const b = world.addNode("b");
  const atB: Received[] = [];
  const atA: Received[] = [];
  const closed: string[] = [];
  let ab: SimConnection | null = null;
  network.listen(b, "p", (connection) => {
    ab = connection;
    connection.onMessage = (data) => atB.push({ ...(data as Omit<Received, "atMs">), atMs: world.nowMs });
    connection.onClose = (why) => closed.push(`b: ${why}@${world.nowMs}`);
  });
  const ba = network.connect(a, b, "p");
  ba.onMessage = (data) => atA.push({ ...(data as Omit<Received, "atMs">), atMs: world.nowMs });
  ba.onClose = (why) => closed.push(`a: ${why}@${world.nowMs}`);
  runAll(world);
  assert.ok(ab !== null, "accepted");
  const toB = ba;
  const toA: SimConnection = ab;
  return { world, network, a, b, toB, toA, atB, atA, closed };
}

/** Sends `count` numbered messages on `connection`, one every `everyMs`, from timers of `node`. */
function sendMany(node: SimNode, connection: SimConnection, count: number, everyMs = 1, first = 0): void {
  for (let i = first; i < first + count; i++) {
    node.reactor.setTimer((i - first) * everyMs, () => connection.send({ i, sentMs: node.world.nowMs }));
  }
}

function inversions(received: readonly Received[]): number {
  let count = 0;
  for (let k = 1; k < received.length; k++) if (received[k]!.i < received[k - 1]!.i) count++;
  return count;
}

test("every message arrives within the link's latency bounds", () => {
  const { world, a, toB, atB } = connected({ latencyMinMs: 10, latencyMaxMs: 20 });
  sendMany(a, toB, 200, 3);
  runAll(world);
  assert.equal(atB.length, 200);
  const latencies = atB.map((m) => m.atMs - m.sentMs);
  assert.ok(Math.min(...latencies) >= 10, `min ${Math.min(...latencies)}`);
  assert.ok(Math.max(...latencies) <= 20, `max ${Math.max(...latencies)}`);
  // Drawn across the range, not pinned to one end.
  assert.ok(Math.min(...latencies) < 12 && Math.max(...latencies) > 18);
});

test("messages on one connection arrive in order, even with a wide latency spread", () => {
  const { world, a, b, toB, toA, atB, atA } = connected({ latencyMinMs: 1, latencyMaxMs: 50 });
  sendMany(a, toB, 100);
  sendMany(b, toA, 100);
  runAll(world);
  assert.deepEqual(
    atB.map((m) => m.i),
    [...Array(100).keys()],
  );
  assert.deepEqual(
    atA.map((m) => m.i),
    [...Array(100).keys()],
  );
});

test("with reorder, messages overtake each other", () => {
  const { world, a, toB, atB } = connected({ latencyMinMs: 1, latencyMaxMs: 50, reorder: true });
  sendMany(a, toB, 100);
  runAll(world);
  assert.equal(atB.length, 100);
  assert.ok(inversions(atB) > 10, `only ${inversions(atB)} inversions`);
});

test("a link loses messages at its lossRate", () => {
  const { world, a, toB, atB } = connected({ lossRate: 0.3 });
  sendMany(a, toB, 2_000);
  runAll(world);
  const lost = 2_000 - atB.length;
  assert.ok(lost > 500 && lost < 700, `lost ${lost} of 2000 at lossRate 0.3`);
  assert.equal(world.trace.all()?.filter((e) => e.type === "drop" && e.why === "loss").length, lost);
  assert.equal(inversions(atB), 0);
});

test("a link duplicates messages at its dupRate, in order", () => {
  const { world, a, toB, atB } = connected({ dupRate: 0.2 });
  sendMany(a, toB, 2_000);
  runAll(world);
  const duplicated = atB.length - 2_000;
  assert.ok(duplicated > 320 && duplicated < 480, `duplicated ${duplicated} of 2000 at dupRate 0.2`);
  assert.equal(new Set(atB.map((m) => m.i)).size, 2_000);
  assert.equal(inversions(atB), 0);
});

test("a one-way partition drops messages in one direction only, until heal", () => {
  const { world, network, a, b, toB, toA, atB, atA } = connected();
  network.partition("a", "b", true);
  sendMany(a, toB, 5);
  sendMany(b, toA, 5);
  runAll(world, world.nowMs + 100);
  assert.equal(atB.length, 0);
  assert.equal(atA.length, 5);
  assert.equal(world.trace.all()?.filter((e) => e.type === "drop" && e.why === "partition").length, 5);
  network.heal();
  sendMany(a, toB, 5, 1, 5);
  runAll(world);
  assert.deepEqual(
    atB.map((m) => m.i),
    [5, 6, 7, 8, 9],
  );
});

test("a two-way partition drops messages both ways, and heal restores the link", () => {
  const { world, network, a, b, toB, toA, atB, atA } = connected();
  network.partition("b", "a");
  sendMany(a, toB, 5);
  sendMany(b, toA, 5);
  runAll(world, world.nowMs + 100);
  assert.equal(atB.length + atA.length, 0);
  assert.equal(toB.closed, false, "a partition does not close connections");
  network.heal();
  sendMany(a, toB, 3, 1, 5);
  sendMany(b, toA, 3, 1, 5);
  runAll(world);
  assert.deepEqual(
    atB.map((m) => m.i),
    [5, 6, 7],
  );
  assert.deepEqual(
    atA.map((m) => m.i),
    [5, 6, 7],
  );
});

test("held messages wait until release, then arrive in order after the latency", () => {
  const { world, network, a, b, toB, toA, atB, atA } = connected({ latencyMinMs: 10, latencyMaxMs: 10 });
  network.hold("a", "b");
  sendMany(a, toB, 10, 2);
  sendMany(b, toA, 3);
  runAll(world, world.nowMs + 100);
  assert.equal(atB.length, 0);
  assert.equal(atA.length, 3, "only the held direction waits");
  const releasedMs = world.nowMs;
  network.release("a", "b");
  runAll(world);
  assert.deepEqual(
    atB.map((m) => m.i),
    [...Array(10).keys()],
  );
  assert.ok(atB.every((m) => m.atMs === releasedMs + 10));
});

test("heal releases held messages", () => {
  const { world, network, a, toB, atB } = connected();
  network.hold("a", "b");
  sendMany(a, toB, 4);
  runAll(world, world.nowMs + 50);
  assert.equal(atB.length, 0);
  network.heal();
  runAll(world);
  assert.equal(atB.length, 4);
});

test("a reset closes both ends at once and drops what was in flight", () => {
  const { world, network, toB, toA, atB, closed } = connected({ latencyMinMs: 10, latencyMaxMs: 10 });
  assert.equal(network.openConnectionCount, 2);
  toB.send({ i: 0, sentMs: world.nowMs });
  runAll(world, world.nowMs + 5);
  const resetMs = world.nowMs;
  network.reset("b", "a");
  assert.equal(toB.send({ i: 1, sentMs: world.nowMs }), false);
  assert.equal(toA.send({ i: 1, sentMs: world.nowMs }), false);
  runAll(world);
  assert.deepEqual(closed.sort(), [`a: reset@${resetMs}`, `b: reset@${resetMs}`]);
  assert.equal(atB.length, 0);
  assert.ok(world.trace.all()?.some((e) => e.type === "drop" && e.why === "closed"));
  assert.equal(network.openConnectionCount, 0);
});

test("close delivers what was sent before it, then closes the peer's end", () => {
  const { world, network, a, toB, atB, closed } = connected({ latencyMinMs: 10, latencyMaxMs: 30 });
  sendMany(a, toB, 5);
  a.reactor.setTimer(5, () => toB.close("bye"));
  runAll(world);
  assert.equal(atB.length, 5);
  assert.equal(closed.length, 1);
  assert.match(closed[0]!, /^b: bye@/);
  assert.ok(Number(closed[0]!.split("@")[1]) >= Math.max(...atB.map((m) => m.atMs)));
  assert.equal(network.openConnectionCount, 0);
});

test("a crash closes the peer's end after the latency, and the crashed end hears nothing", () => {
  const { world, network, a, closed } = connected({ latencyMinMs: 10, latencyMaxMs: 10 });
  const crashMs = world.nowMs;
  a.crash();
  runAll(world);
  assert.deepEqual(closed, [`b: peer crashed@${crashMs + 10}`]);
  assert.equal(network.openConnectionCount, 0);
});

test("connecting to a port nobody listens on is refused after a round trip", () => {
  const world = new SimWorld({ seed: 1 });
  const network = new SimNetwork(world, { latencyMinMs: 10, latencyMaxMs: 10 });
  const a = world.addNode("a");
  const b = world.addNode("b");
  network.listen(b, "other", () => assert.fail("wrong port accepted"));
  const connection = network.connect(a, b, "nobody");
  const closed: string[] = [];
  connection.onClose = (why) => closed.push(`${why}@${world.nowMs}`);
  runAll(world);
  assert.deepEqual(closed, ["refused@20"]);
  assert.equal(connection.send("late"), false);
  assert.equal(network.openConnectionCount, 0);
});

test("a crashed node stops listening: connecting to it is refused even after it restarts", () => {
  const world = new SimWorld({ seed: 1 });
  const network = new SimNetwork(world);
  const a = world.addNode("a");
  const b = world.addNode("b");
  network.listen(b, "p", () => assert.fail("a crashed listener accepted"));
  b.crash();
  b.restart();
  const closed: string[] = [];
  network.connect(a, b, "p").onClose = (why) => closed.push(why);
  runAll(world);
  assert.deepEqual(closed, ["refused"]);
});

test("network deliveries are not counted among a node's live timers", () => {
  const { world, a, b, toB, toA, atB } = connected();
  sendMany(a, toB, 5);
  toA.send({ i: 0, sentMs: world.nowMs });
  runAll(world);
  assert.equal(atB.length, 5);
  assert.equal(a.liveTimers, 0);
  assert.equal(b.liveTimers, 0);
});

test("each duplicate of a message is its own copy", () => {
  const { world, network, a, toB, toA } = connected();
  network.setLink("a", "b", { dupRate: 1 });
  const received: Array<{ seen: boolean }> = [];
  const seenOnArrival: boolean[] = [];
  // The end at b: a receiver may mutate what it got before the duplicate arrives.
  toA.onMessage = (data) => {
    const message = data as { seen: boolean };
    seenOnArrival.push(message.seen);
    message.seen = true;
    received.push(message);
  };
  a.reactor.setTimer(1, () => toB.send({ seen: false }));
  runAll(world);
  assert.deepEqual(seenOnArrival, [false, false]);
  assert.notEqual(received[0], received[1]);
});
