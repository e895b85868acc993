import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocket } from "ws";
import { startServer, waitFor } from "./server-harness.js";

const PATH = "/engine.io/";

test("a silent polling client is closed with ping timeout after pingIntervalMs + pingTimeoutMs", async () => {
  const server = await startServer({ pingIntervalMs: 40, pingTimeoutMs: 40 });
  const reasons: string[] = [];
  server.engine.onConnection((socket) => socket.on("close", (reason) => reasons.push(reason)));
  try {
    // Taken before the handshake, so a slow response on a loaded machine cannot make a close on
    // time look early: the session opens after this instant and must live 40 + 40 ms.
    const beforeOpen = Date.now();
    const res = await fetch(`${server.origin}${PATH}?EIO=4&transport=polling`);
    const sid = (JSON.parse((await res.text()).slice(1)) as { sid: string }).sid;
    await waitFor(() => reasons.length === 1);
    assert.ok(Date.now() - beforeOpen >= 75, "closed too early");
    assert.deepEqual(reasons, ["ping timeout"]);
    const after = await fetch(`${server.origin}${PATH}?EIO=4&transport=polling&sid=${sid}`);
    assert.equal(after.status, 400);
    assert.equal(await after.text(), '{"code":1,"message":"Session ID unknown"}');
  } finally {
    await server.close();
  }
});

test("a raw websocket client that never answers pings is closed with ping timeout", async () => {
  const server = await startServer({ pingIntervalMs: 30, pingTimeoutMs: 30 });
  const reasons: string[] = [];
  server.engine.onConnection((socket) => socket.on("close", (reason) => reasons.push(reason)));
  try {
    const ws = new WebSocket(`${server.origin.replace("http", "ws")}${PATH}?EIO=4&transport=websocket`);
    const frames: string[] = [];
    ws.on("message", (data) => frames.push(String(data)));
    const closed = new Promise<void>((resolve) => ws.on("close", () => resolve()));
    await closed;
    assert.deepEqual(reasons, ["ping timeout"]);
    assert.match(frames[0]!, /^0\{"sid":"[A-Za-z0-9_-]{20}","upgrades":\[\],"pingInterval":30,/);
    assert.equal(frames[1], "2");
  } finally {
    await server.close();
  }
});

test("a raw websocket client that answers pings stays open, and its close packet ends the session", async () => {
  const server = await startServer({ pingIntervalMs: 20, pingTimeoutMs: 40 });
  const reasons: string[] = [];
  server.engine.onConnection((socket) => socket.on("close", (reason) => reasons.push(reason)));
  try {
    const ws = new WebSocket(`${server.origin.replace("http", "ws")}${PATH}?EIO=4&transport=websocket`);
    let pings = 0;
    ws.on("message", (data) => {
      if (String(data) === "2") {
        pings++;
        ws.send("3");
      }
    });
    await waitFor(() => pings >= 5);
    assert.deepEqual(reasons, []);
    ws.send("1");
    await waitFor(() => reasons.length === 1);
    assert.deepEqual(reasons, ["transport close"]);
    ws.close();
  } finally {
    await server.close();
  }
});
