import assert from "node:assert/strict";
import { test } from "node:test";
import { Socket as ClientSocket } from "engine.io-client";
import { WebSocket } from "ws";
import { once, startServer, waitFor } from "./server-harness.js";

const PATH = "/engine.io/";
const LIMIT = 1000;

test("a websocket message over payloadBytesMax closes with 1009 payload too large, logged once", async () => {
  const server = await startServer({ payloadBytesMax: LIMIT });
  const reasons: string[] = [];
  server.engine.onConnection((socket) => socket.on("close", (reason) => reasons.push(reason)));
  try {
    const ws = new WebSocket(`${server.origin.replace("http", "ws")}${PATH}?EIO=4&transport=websocket`);
    await once(ws, "open");
    const closed = once<[number, Buffer]>(ws, "close");
    ws.send("4" + "x".repeat(LIMIT)); // LIMIT + 1 bytes
    const [code, reason] = await closed;
    assert.equal(code, 1009);
    assert.equal(String(reason), "payload too large");
    await waitFor(() => reasons.length === 1);
    assert.deepEqual(reasons, ["payload too large"]);
    assert.equal(server.logs.length, 1);
    assert.match(server.logs[0]!, /closed: payload too large \(message over 1000 bytes \(close code 1009\)\)$/);
  } finally {
    await server.close();
  }
});

test("a websocket message of exactly payloadBytesMax is accepted", async () => {
  const server = await startServer({ payloadBytesMax: LIMIT });
  const received: unknown[] = [];
  server.engine.onConnection((socket) => socket.on("message", (data) => received.push(data)));
  try {
    const ws = new WebSocket(`${server.origin.replace("http", "ws")}${PATH}?EIO=4&transport=websocket`);
    await once(ws, "open");
    ws.send("4" + "x".repeat(LIMIT - 1));
    await waitFor(() => received.length === 1);
    assert.equal((received[0] as string).length, LIMIT - 1);
    ws.close();
  } finally {
    await server.close();
  }
});

test("engine.io-client over websocket sees the 1009 close with its reason text after an oversized send", async () => {
  const server = await startServer({ payloadBytesMax: LIMIT });
  try {
    const client = new ClientSocket(server.origin, { transports: ["websocket"] });
    await once(client, "open");
    const closed = once<[string, { description: string; context: { code: number; reason: string } }]>(client, "close");
    client.send("x".repeat(LIMIT + 10));
    const [reason, details] = await closed;
    assert.equal(reason, "transport close");
    assert.equal(details.context.code, 1009);
    assert.equal(details.context.reason, "payload too large");
    assert.equal(server.logs.length, 1);
  } finally {
    await server.close();
  }
});

test("engine.io-client over polling sees a transport error with status 413 after an oversized send", async () => {
  const server = await startServer({ payloadBytesMax: LIMIT });
  const reasons: string[] = [];
  server.engine.onConnection((socket) => socket.on("close", (reason) => reasons.push(reason)));
  try {
    const client = new ClientSocket(server.origin, { transports: ["polling"] });
    await once(client, "open");
    const closed = once<[string, { description: unknown }]>(client, "close");
    client.send("x".repeat(LIMIT + 10));
    const [reason, details] = await closed;
    assert.equal(reason, "transport error");
    assert.equal(details.description, 413);
    await waitFor(() => reasons.length === 1);
    assert.deepEqual(reasons, ["payload too large"]);
    assert.equal(server.logs.length, 1);
  } finally {
    await server.close();
  }
});
