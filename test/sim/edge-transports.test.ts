import assert from "node:assert/strict";
import { test } from "node:test";
import { type EngineIoServer, createEngineIoServer } from "../../src/edge/engine-io/engine-io-server.js";
import type { EngineIoServerOptions } from "../../src/edge/engine-io/engine-io-server-options.js";
import type { EngineIoSocket } from "../../src/edge/engine-io/engine-io-socket.js";
import { SimEngineIoClient, type SimEngineIoClientMode } from "../../src/sim/edge/sim-engine-io-client.js";
import { EDGE_WS_PORT } from "../../src/sim/edge/sim-edge-wire.js";
import { serveEdge } from "../../src/sim/edge/sim-edge-server.js";
import { SEGMENT_LOST, SimStream } from "../../src/sim/edge/sim-stream.js";
import { SimNetwork } from "../../src/sim/sim-network.js";
import { SimWorld } from "../../src/sim/sim-world.js";
import { runAll } from "./sim-fixtures.js";

type EngineOptions = Partial<Omit<EngineIoServerOptions, "reactor">>;

/** A raw Engine.IO server on node "server", served over simulated sockets, and a client node. */
function edgeWorld(engineOptions: EngineOptions = {}, windowBytes = 4096) {
  const world = new SimWorld({ seed: 1 });
  const network = new SimNetwork(world);
  const serverNode = world.addNode("server");
  const clientNode = world.addNode("client");
  const sessions: EngineIoSocket[] = [];
  const serverCloses: string[] = [];
  let engine: EngineIoServer | null = null;
  serverNode.setBoot(({ node, reactor }) => {
    engine = createEngineIoServer({
      reactor,
      pingIntervalMs: 1_000,
      pingTimeoutMs: 1_000,
      log: () => {},
      ...engineOptions,
    });
    engine.onConnection((session) => {
      sessions.push(session);
      session.send("hello");
      session.on("message", (data) => session.send(`echo ${String(data)}`));
      session.on("close", (reason) => serverCloses.push(reason));
    });
    serveEdge(network, node, reactor, engine, { windowBytes });
  });
  runAll(world, 1);
  const received: string[] = [];
  const clientCloses: string[] = [];
  const connect = (mode: SimEngineIoClientMode): SimEngineIoClient =>
    new SimEngineIoClient(
      {
        network,
        node: clientNode,
        reactor: clientNode.reactor,
        server: serverNode,
        path: "/engine.io/",
        mode,
        connectTimeoutMs: 500,
        creditBytes: Math.max(1, windowBytes / 4),
      },
      {
        open: () => {},
        message: (data) => received.push(String(data)),
        close: (reason) => clientCloses.push(reason),
      },
    );
  const runFor = (ms: number) => runAll(world, world.nowMs + ms);
  return {
    world,
    network,
    clientNode,
    sessions,
    serverCloses,
    received,
    clientCloses,
    connect,
    runFor,
    engine: () => engine!,
  };
}

test("a polling client upgrades to WebSocket with the probe, and its messages keep their order across the upgrade", () => {
  const edge = edgeWorld();
  const client = edge.connect("upgrade");
  edge.runFor(5);
  client.send([{ type: "message", data: "a" }]);
  edge.runFor(200);
  assert.equal(client.transport, "websocket");
  assert.equal(edge.sessions[0]!.transport, "websocket");
  client.send([{ type: "message", data: "b" }]);
  edge.runFor(50);
  assert.deepEqual(edge.received, ["hello", "echo a", "echo b"]);
  assert.equal(edge.engine().clientsCount, 1);
});

test("a WebSocket client and a polling client both get their messages and answer the server's pings", () => {
  const edge = edgeWorld({ pingIntervalMs: 100, pingTimeoutMs: 100 });
  const ws = edge.connect("websocket");
  const polling = edge.connect("polling");
  edge.runFor(1_000);
  assert.equal(ws.state, "open");
  assert.equal(polling.state, "open");
  assert.equal(polling.transport, "polling");
  assert.deepEqual(edge.received, ["hello", "hello"]);
  assert.deepEqual(edge.serverCloses, [], "ten ping rounds, no ping timeout");
});

test("acceptTransport refuses a probe for an unknown session: its socket is closed", () => {
  const edge = edgeWorld();
  const stream = new SimStream(edge.network.connect(edge.clientNode, edge.world.node("server"), EDGE_WS_PORT));
  const closes: string[] = [];
  stream.onClose = (why) => closes.push(why);
  stream.send({ url: "/engine.io/?EIO=4&transport=websocket&sid=nobody" });
  edge.runFor(50);
  assert.equal(closes.length, 1);
  assert.equal(edge.engine().clientsCount, 0);
});

for (const mode of ["websocket", "polling"] as const) {
  test(`a ${mode} client that stops reading is closed as a slow consumer, and learns it when it reads again`, () => {
    const edge = edgeWorld({ outboundPacketsMax: 4, slowConsumerGraceMs: 100 }, 64);
    const client = edge.connect(mode);
    edge.runFor(20);
    client.setReading(false);
    for (let i = 0; i < 20; i++) edge.sessions[0]!.send(`news ${i}`);
    edge.runFor(500);
    assert.deepEqual(edge.serverCloses, ["slow consumer"]);
    assert.equal(edge.engine().clientsCount, 0);
    assert.deepEqual(edge.clientCloses, [], "a client that does not read has not noticed yet");
    client.setReading(true);
    edge.runFor(50);
    assert.equal(edge.clientCloses.length, 1);
    assert.equal(client.state, "closed");
    // What it read first is an unbroken prefix of what the server sent.
    assert.deepEqual(edge.received, [
      "hello",
      ...Array.from({ length: edge.received.length - 1 }, (_, i) => `news ${i}`),
    ]);
  });
}

test("a WebSocket client that stops reading and then catches up within the grace gets drain, and is not cut", () => {
  const edge = edgeWorld({ outboundPacketsMax: 4, slowConsumerGraceMs: 1_000 }, 64);
  const client = edge.connect("websocket");
  edge.runFor(20);
  const session = edge.sessions[0]!;
  let drains = 0;
  session.on("drain", () => drains++);
  client.setReading(false);
  for (let i = 0; i < 20; i++) session.send(`news ${i}`); // 64 bytes of window take about 9
  edge.runFor(50);
  assert.equal(session.needsDrain, true, "over the mark while the client does not read");
  client.setReading(true);
  edge.runFor(50);
  assert.equal(drains, 1, "drain follows once the waiting frames left");
  assert.equal(session.needsDrain, false);
  edge.runFor(2_000);
  assert.deepEqual(edge.serverCloses, [], "back under the mark before the grace ran out: not a slow consumer");
  assert.equal(edge.received.length, 21);
});

test("a message lost on a link resets its stream rather than vanishing from the middle of it", () => {
  const world = new SimWorld({ seed: 3 });
  const network = new SimNetwork(world);
  network.setLink("a", "b", { lossRate: 0.3 });
  const a = world.addNode("a");
  const b = world.addNode("b");
  const got: number[] = [];
  const closes: string[] = [];
  network.listen(b, "p", (connection) => {
    const stream = new SimStream(connection);
    stream.onMessage = (n) => got.push(n as number);
    stream.onClose = (why) => closes.push(`b: ${why}`);
  });
  const sender = new SimStream(network.connect(a, b, "p"));
  sender.onClose = (why) => closes.push(`a: ${why}`);
  for (let i = 0; i < 20; i++) sender.send(i);
  runAll(world);
  assert.ok(got.length < 20, "some message was lost");
  assert.deepEqual(
    got,
    Array.from({ length: got.length }, (_, i) => i),
    "what arrived is a prefix, in order",
  );
  assert.deepEqual(closes.sort(), [`a: ${SEGMENT_LOST}`, `b: ${SEGMENT_LOST}`]);
});
