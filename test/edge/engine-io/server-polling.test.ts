import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocket } from "ws";
import type { EngineIoSocket } from "../../../src/edge/engine-io/engine-io-socket.js";
import { resolveEngineIoServerOptions } from "../../../src/edge/engine-io/engine-io-server-options.js";
import { createNodeReactor } from "../../../src/reactor/node/node-reactor.js";
import { startServer } from "./server-harness.js";

const PATH = "/engine.io/";

async function openRaw(origin: string): Promise<{ sid: string; url: string }> {
  const res = await fetch(`${origin}${PATH}?EIO=4&transport=polling`);
  const sid = (JSON.parse((await res.text()).slice(1)) as { sid: string }).sid;
  return { sid, url: `${origin}${PATH}?EIO=4&transport=polling&sid=${sid}` };
}

function nextFrame(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once("message", (data) => resolve(String(data))));
}

test("a raw upgrade: 2probe gets 3probe, the held poll gets 6, and after 5 buffered messages arrive on the websocket", async () => {
  const server = await startServer();
  const sockets: EngineIoSocket[] = [];
  server.engine.onConnection((socket) => sockets.push(socket));
  try {
    const { sid, url } = await openRaw(server.origin);
    const held = fetch(url).then((res) => res.text());
    const ws = new WebSocket(`${server.origin.replace("http", "ws")}${PATH}?EIO=4&transport=websocket&sid=${sid}`);
    await new Promise((resolve) => ws.once("open", resolve));
    const pong = nextFrame(ws);
    ws.send("2probe");
    assert.equal(await pong, "3probe");
    assert.equal(await held, "6");
    sockets[0]!.send("queued during upgrade");
    const first = nextFrame(ws);
    ws.send("5");
    assert.equal(await first, "4queued during upgrade");
    assert.equal(sockets[0]!.transport, "websocket");
    const late = await fetch(url);
    assert.equal(late.status, 400);
    assert.equal(await late.text(), '{"code":3,"message":"Bad request"}');
    ws.close();
  } finally {
    await server.close();
  }
});

test("a polling POST batches several packets and they arrive in order; GET carries the server's batch", async () => {
  const server = await startServer();
  const received: Array<string | Uint8Array> = [];
  const sockets: EngineIoSocket[] = [];
  server.engine.onConnection((socket) => {
    sockets.push(socket);
    socket.on("message", (data) => received.push(data));
  });
  try {
    const { url } = await openRaw(server.origin);
    const res = await fetch(url, { method: "POST", body: "4a\x1ebAQID\x1e4c" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html");
    assert.equal(await res.text(), "ok");
    assert.deepEqual(received, ["a", Buffer.from([1, 2, 3]), "c"]);
    sockets[0]!.send("x");
    sockets[0]!.send(new Uint8Array([9]));
    assert.equal(await (await fetch(url)).text(), "4x\x1ebCQ==");
  } finally {
    await server.close();
  }
});

test("a second GET while one is held is refused with 400 and closes the session with transport error", async () => {
  const server = await startServer();
  const reasons: string[] = [];
  server.engine.onConnection((socket) => socket.on("close", (reason) => reasons.push(reason)));
  try {
    const { url } = await openRaw(server.origin);
    const held = fetch(url).then((res) => res.text());
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await fetch(url);
    assert.equal(second.status, 400);
    await second.text();
    assert.deepEqual(reasons, ["transport error"]);
    // The held poll is released with the close packet rather than left hanging.
    assert.equal(await held, "1");
  } finally {
    await server.close();
  }
});

test("socket.close() on polling writes the buffered messages, then the close packet in the next poll, like the reference", async () => {
  const server = await startServer();
  const sockets: EngineIoSocket[] = [];
  const reasons: string[] = [];
  server.engine.onConnection((socket) => {
    sockets.push(socket);
    socket.on("close", (reason) => reasons.push(reason));
  });
  try {
    const { url } = await openRaw(server.origin);
    sockets[0]!.send("bye");
    sockets[0]!.close();
    assert.equal(await (await fetch(url)).text(), "4bye");
    assert.deepEqual(reasons, []);
    // The reference writes a noop carrying the pending close: `6` then `1`.
    assert.equal(await (await fetch(url)).text(), "6\x1e1");
    assert.deepEqual(reasons, ["forced close"]);
  } finally {
    await server.close();
  }
});

test("a client ping is refused (v4 heartbeats go server to client) with transport error", async () => {
  const server = await startServer();
  const reasons: string[] = [];
  server.engine.onConnection((socket) => socket.on("close", (reason) => reasons.push(reason)));
  try {
    const { url } = await openRaw(server.origin);
    await (await fetch(url, { method: "POST", body: "2" })).text();
    assert.deepEqual(reasons, ["transport error"]);
  } finally {
    await server.close();
  }
});

test("server options resolve with the reference defaults and name a bad option", () => {
  const reactor = createNodeReactor();
  const resolved = resolveEngineIoServerOptions({ reactor });
  assert.equal(resolved.path, "/engine.io/");
  assert.equal(resolved.pingIntervalMs, 25_000);
  assert.equal(resolved.pingTimeoutMs, 20_000);
  assert.equal(resolved.upgradeTimeoutMs, 10_000);
  assert.equal(resolved.payloadBytesMax, 1_000_000);
  assert.deepEqual(resolved.transports, ["polling", "websocket"]);
  assert.equal(resolveEngineIoServerOptions({ reactor, path: "/socket.io" }).path, "/socket.io/");
  assert.throws(() => resolveEngineIoServerOptions({ reactor, pingIntervalMs: 0 }), /pingIntervalMs/);
  assert.throws(() => resolveEngineIoServerOptions({ reactor, transports: [] }), RangeError);
  assert.throws(() => resolveEngineIoServerOptions({} as never), /reactor/);
});

test("a probe that never sends 5 is closed after upgradeTimeoutMs and the session stays on polling", async () => {
  const server = await startServer({ upgradeTimeoutMs: 50 });
  const sockets: EngineIoSocket[] = [];
  server.engine.onConnection((socket) => sockets.push(socket));
  try {
    const { sid, url } = await openRaw(server.origin);
    const ws = new WebSocket(`${server.origin.replace("http", "ws")}${PATH}?EIO=4&transport=websocket&sid=${sid}`);
    await new Promise((resolve) => ws.once("open", resolve));
    const pong = nextFrame(ws);
    ws.send("2probe");
    assert.equal(await pong, "3probe");
    await new Promise((resolve) => ws.once("close", resolve));
    assert.equal(sockets[0]!.transport, "polling");
    assert.equal(sockets[0]!.readyState, "open");
    sockets[0]!.send("still here");
    assert.equal(await (await fetch(url)).text(), "4still here");
  } finally {
    await server.close();
  }
});

test("the server can be mounted at /socket.io/ and refuses requests under /engine.io/ as not its own", async () => {
  const server = await startServer({ path: "/socket.io" });
  try {
    const res = await fetch(`${server.origin}/socket.io/?EIO=4&transport=polling`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^0\{"sid":/);
    const other = await fetch(`${server.origin}/engine.io/?EIO=4&transport=polling`);
    assert.equal(other.status, 404);
    await other.text();
  } finally {
    await server.close();
  }
});
