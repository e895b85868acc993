import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocket } from "ws";
import { SLOW_CONSUMER_CAP_FACTOR } from "../../../src/edge/engine-io/engine-io-server-options.js";
import type { EngineIoSocket } from "../../../src/edge/engine-io/engine-io-socket.js";
import { once, startServer, type TestServer, waitFor } from "./server-harness.js";

const PATH = "/engine.io/";
const CHUNK = "x".repeat(16 * 1024);
/** Most messages a test pushes at one client (bounds every loop). */
const SENDS_MAX = 4000;

/** Opens a raw WebSocket session and returns the client and the server's socket. */
async function rawWebSocket(
  server: TestServer,
): Promise<{ ws: WebSocket; socket: EngineIoSocket; frames: () => number }> {
  const next = new Promise<EngineIoSocket>((resolve) => server.engine.onConnection(resolve));
  const ws = new WebSocket(`${server.origin.replace("http", "ws")}${PATH}?EIO=4&transport=websocket`);
  let count = 0;
  ws.on("message", () => count++);
  await once(ws, "open");
  return { ws, socket: await next, frames: () => count };
}

/** Resolves with the arguments of the socket's next `event`. */
function nextEvent<E extends "drain" | "close">(socket: EngineIoSocket, event: E): Promise<unknown[]> {
  return new Promise((resolve) => {
    const listener = (...args: unknown[]): void => {
      socket.off(event, listener as never);
      resolve(args);
    };
    socket.on(event, listener as never);
  });
}

/** Sends CHUNK until `send` reports the mark (yielding now and then so the OS can move bytes). */
async function fillUntilFull(socket: EngineIoSocket): Promise<number> {
  for (let i = 1; i <= SENDS_MAX; i++) {
    if (!socket.send(CHUNK)) return i;
    if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error("send never reported back-pressure");
}

test("send reports back-pressure for a websocket client that stops reading, and drain follows when it resumes", async () => {
  const server = await startServer({ outboundBytesMax: 256 * 1024, slowConsumerGraceMs: 5000 });
  try {
    const { ws, socket, frames } = await rawWebSocket(server);
    await waitFor(() => frames() === 1); // the open packet
    ws.pause();
    assert.equal(socket.needsDrain, false);
    const sent = await fillUntilFull(socket);
    assert.equal(socket.needsDrain, true);
    assert.ok(socket.bufferedBytes >= 256 * 1024, `bufferedBytes ${socket.bufferedBytes}`);
    assert.ok(socket.bufferedPackets >= 1);
    const drained = nextEvent(socket, "drain");
    ws.resume();
    await drained;
    assert.equal(socket.needsDrain, false);
    await waitFor(() => frames() === 1 + sent);
    assert.equal(socket.readyState, "open");
    assert.equal(socket.send("after"), true);
  } finally {
    await server.close();
  }
});

test("a websocket client that stays stalled past slowConsumerGraceMs is closed with slow consumer while another is served", async () => {
  const server = await startServer({ outboundBytesMax: 128 * 1024, slowConsumerGraceMs: 150 });
  try {
    const stalled = await rawWebSocket(server);
    const healthy = await rawWebSocket(server);
    stalled.ws.pause();
    const reasons: string[] = [];
    stalled.socket.on("close", (reason, description) => reasons.push(`${reason}: ${description}`));
    await fillUntilFull(stalled.socket);
    const at = Date.now();
    const echoes: string[] = [];
    healthy.ws.on("message", (data) => echoes.push(String(data)));
    healthy.socket.on("message", (data) => healthy.socket.send(data));
    for (let i = 0; i < 5; i++) healthy.ws.send(`4m${i}`);
    await waitFor(() => reasons.length === 1);
    assert.ok(Date.now() - at >= 140, "cut before the grace period");
    assert.match(reasons[0]!, /^slow consumer: over the high-water mark for 150 ms$/);
    assert.equal(stalled.socket.bufferedBytes, 0, "the buffer is released");
    assert.deepEqual(server.logs, [
      `engine.io session ${stalled.socket.id} closed: ${reasons[0]!.replace(": ", " (")})`,
    ]);
    await waitFor(() => echoes.length === 5);
    assert.deepEqual(echoes, ["4m0", "4m1", "4m2", "4m3", "4m4"]);
    assert.equal(healthy.socket.readyState, "open");
    assert.equal(server.engine.clientsCount, 1);
  } finally {
    await server.close();
  }
});

test("a websocket buffer never grows past the hard cap: the session is cut with slow consumer at once", async () => {
  const markBytes = 64 * 1024;
  const server = await startServer({ outboundBytesMax: markBytes, slowConsumerGraceMs: 60_000 });
  try {
    const { ws, socket } = await rawWebSocket(server);
    ws.pause();
    const reasons: string[] = [];
    socket.on("close", (reason) => reasons.push(reason));
    let most = 0;
    for (let i = 0; i < SENDS_MAX && reasons.length === 0; i++) {
      socket.send(CHUNK);
      most = Math.max(most, socket.bufferedBytes);
      if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(reasons, ["slow consumer"]);
    // Each WebSocket frame adds its header (at most 10 bytes) to the payload the cap counts.
    assert.ok(most <= markBytes * SLOW_CONSUMER_CAP_FACTOR + 10, `buffered ${most} bytes`);
    assert.match(server.logs[0]!, /closed: slow consumer \(outbound buffer full/);
    assert.equal(socket.send("late"), false);
    assert.equal(socket.bufferedBytes, 0);
  } finally {
    await server.close();
  }
});

test("a polling client that stops polling trips needsDrain; its next poll drains; stalled again it is cut", async () => {
  const server = await startServer({ outboundPacketsMax: 10, slowConsumerGraceMs: 150 });
  try {
    const next = new Promise<EngineIoSocket>((resolve) => server.engine.onConnection(resolve));
    const open = await fetch(`${server.origin}${PATH}?EIO=4&transport=polling`);
    const sid = (JSON.parse((await open.text()).slice(1)) as { sid: string }).sid;
    const socket = await next;
    const results: boolean[] = [];
    for (let i = 0; i < 10; i++) results.push(socket.send(`m${i}`));
    assert.deepEqual(results, [...Array<boolean>(9).fill(true), false]);
    assert.equal(socket.needsDrain, true);
    assert.equal(socket.bufferedPackets, 10);
    assert.equal(socket.bufferedBytes, 10 * 3);
    const drained = nextEvent(socket, "drain");
    const poll = await fetch(`${server.origin}${PATH}?EIO=4&transport=polling&sid=${sid}`);
    assert.equal(await poll.text(), Array.from({ length: 10 }, (_, i) => `4m${i}`).join("\x1e"));
    await drained;
    assert.equal(socket.needsDrain, false);
    assert.equal(socket.bufferedPackets, 0);
    const closed = nextEvent(socket, "close");
    for (let i = 0; i < 10; i++) socket.send(`again${i}`);
    assert.deepEqual(await closed, ["slow consumer", "over the high-water mark for 150 ms"]);
    const after = await fetch(`${server.origin}${PATH}?EIO=4&transport=polling&sid=${sid}`);
    assert.equal(await after.text(), '{"code":1,"message":"Session ID unknown"}');
  } finally {
    await server.close();
  }
});

test("a polling buffer that reaches the hard cap in packets closes the session at once", async () => {
  const server = await startServer({ outboundPacketsMax: 5, slowConsumerGraceMs: 60_000 });
  try {
    const next = new Promise<EngineIoSocket>((resolve) => server.engine.onConnection(resolve));
    await (await fetch(`${server.origin}${PATH}?EIO=4&transport=polling`)).text();
    const socket = await next;
    const reasons: string[] = [];
    socket.on("close", (reason) => reasons.push(reason));
    let queued = 0;
    while (reasons.length === 0 && queued < 100) {
      socket.send("m");
      queued++;
      assert.ok(socket.bufferedPackets <= 5 * SLOW_CONSUMER_CAP_FACTOR);
    }
    assert.deepEqual(reasons, ["slow consumer"]);
    assert.equal(queued, 5 * SLOW_CONSUMER_CAP_FACTOR + 1);
  } finally {
    await server.close();
  }
});

test("outbound limits are validated and named in the error", async () => {
  const { resolveEngineIoServerOptions } = await import("../../../src/edge/engine-io/engine-io-server-options.js");
  const { createNodeReactor } = await import("../../../src/reactor/node/node-reactor.js");
  const reactor = createNodeReactor();
  const resolved = resolveEngineIoServerOptions({ reactor });
  assert.equal(resolved.outboundBytesMax, 1_048_576);
  assert.equal(resolved.outboundPacketsMax, 1000);
  assert.equal(resolved.slowConsumerGraceMs, 10_000);
  assert.throws(() => resolveEngineIoServerOptions({ reactor, outboundBytesMax: 0 }), /outboundBytesMax/);
  assert.throws(() => resolveEngineIoServerOptions({ reactor, outboundPacketsMax: 1.5 }), /outboundPacketsMax/);
  assert.throws(() => resolveEngineIoServerOptions({ reactor, slowConsumerGraceMs: -1 }), /slowConsumerGraceMs/);
  assert.throws(() => resolveEngineIoServerOptions({ reactor, log: "no" as never }), TypeError);
});
