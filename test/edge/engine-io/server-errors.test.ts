import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocket } from "ws";
import { startServer } from "./server-harness.js";

const PATH = "/engine.io/";

/** The reference server's error bodies, by number. */
const BODIES: Record<number, string> = {
  0: '{"code":0,"message":"Transport unknown"}',
  1: '{"code":1,"message":"Session ID unknown"}',
  2: '{"code":2,"message":"Bad handshake method"}',
  3: '{"code":3,"message":"Bad request"}',
  5: '{"code":5,"message":"Unsupported protocol version"}',
};

async function handshake(origin: string): Promise<string> {
  const res = await fetch(`${origin}${PATH}?EIO=4&transport=polling`);
  const body = await res.text();
  return (JSON.parse(body.slice(1)) as { sid: string }).sid;
}

const cases: ReadonlyArray<[string, string, string, number]> = [
  ["an unknown transport", "GET", "?EIO=4&transport=carrier-pigeon", 0],
  ["a missing transport", "GET", "?EIO=4", 0],
  ["an unknown sid", "GET", "?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA", 1],
  ["a POST with an unknown sid", "POST", "?EIO=4&transport=polling&sid=nope", 1],
  ["a handshake with POST", "POST", "?EIO=4&transport=polling", 2],
  ["a handshake with PUT", "PUT", "?EIO=4&transport=polling", 2],
  ["a websocket handshake without Upgrade", "GET", "?EIO=4&transport=websocket", 3],
  ["a handshake without EIO", "GET", "?transport=polling", 5],
  ["a handshake with EIO=3", "GET", "?EIO=3&transport=polling", 5],
];

for (const [what, method, query, number] of cases) {
  test(`${what} is refused with 400 and {"code":${number}} like the reference server`, async () => {
    const server = await startServer();
    try {
      const res = await fetch(`${server.origin}${PATH}${query}`, {
        method,
        ...(method === "GET" ? {} : { body: "4hi" }),
      });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.equal(await res.text(), BODIES[number]);
    } finally {
      await server.close();
    }
  });
}

test("a polling handshake answers 200 text/plain with the open packet in the reference's key order", async () => {
  const server = await startServer({ pingIntervalMs: 300, pingTimeoutMs: 200, payloadBytesMax: 1234 });
  try {
    const res = await fetch(`${server.origin}${PATH}?EIO=4&transport=polling`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/plain; charset=UTF-8");
    const body = await res.text();
    const sid = (JSON.parse(body.slice(1)) as { sid: string }).sid;
    assert.match(sid, /^[A-Za-z0-9_-]{20}$/);
    assert.equal(
      body,
      `0{"sid":"${sid}","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1234}`,
    );
  } finally {
    await server.close();
  }
});

test("a polling session used with transport=websocket over plain HTTP is a bad request (3)", async () => {
  const server = await startServer();
  try {
    const sid = await handshake(server.origin);
    const res = await fetch(`${server.origin}${PATH}?EIO=4&transport=websocket&sid=${sid}`);
    assert.equal(res.status, 400);
    assert.equal(await res.text(), BODIES[3]);
  } finally {
    await server.close();
  }
});

test("a POST larger than payloadBytesMax is answered 413 and closes the session with payload too large, logged once", async () => {
  const server = await startServer({ payloadBytesMax: 100 });
  const reasons: string[] = [];
  server.engine.onConnection((socket) => socket.on("close", (reason) => reasons.push(reason)));
  try {
    const sid = await handshake(server.origin);
    const url = `${server.origin}${PATH}?EIO=4&transport=polling&sid=${sid}`;
    const ok = await fetch(url, { method: "POST", body: "4" + "x".repeat(99) });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), "ok");
    const res = await fetch(url, { method: "POST", body: "4" + "x".repeat(100) });
    assert.equal(res.status, 413);
    assert.equal(await res.text(), "");
    assert.deepEqual(reasons, ["payload too large"]);
    assert.equal(server.logs.length, 1);
    assert.match(server.logs[0]!, new RegExp(`^engine.io session ${sid} closed: payload too large`));
    const after = await fetch(url);
    assert.equal(await after.text(), BODIES[1]);
  } finally {
    await server.close();
  }
});

test("a malformed POST closes the session with parse error", async () => {
  const server = await startServer();
  const reasons: string[] = [];
  server.engine.onConnection((socket) => socket.on("close", (reason) => reasons.push(reason)));
  try {
    const sid = await handshake(server.origin);
    const res = await fetch(`${server.origin}${PATH}?EIO=4&transport=polling&sid=${sid}`, {
      method: "POST",
      body: "4ok\x1e9bad",
    });
    assert.equal(res.status, 400);
    await res.text();
    assert.deepEqual(reasons, ["parse error"]);
    assert.equal(server.engine.clientsCount, 0);
  } finally {
    await server.close();
  }
});

function rawUpgrade(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on("open", () => reject(new Error("upgrade unexpectedly accepted")));
    ws.on("error", () => {});
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
}

const upgradeCases: ReadonlyArray<[string, string, string]> = [
  ["an unknown sid", "?EIO=4&transport=websocket&sid=nope", "Session ID unknown"],
  ["an unknown transport", "?EIO=4&transport=carrier-pigeon", "Transport unknown"],
  ["EIO=3", "?EIO=3&transport=websocket", "Unsupported protocol version"],
];

for (const [what, query, message] of upgradeCases) {
  test(`a WebSocket upgrade with ${what} is refused with 400 and the reference's message`, async () => {
    const server = await startServer();
    try {
      const url = `${server.origin.replace("http", "ws")}${PATH}${query}`;
      assert.deepEqual(await rawUpgrade(url), { status: 400, body: message });
    } finally {
      await server.close();
    }
  });
}

test("requests outside the path go to the HTTP server's own handler", async () => {
  const server = await startServer();
  try {
    const res = await fetch(`${server.origin}/elsewhere`);
    assert.equal(res.status, 404);
    assert.equal(await res.text(), "not here");
  } finally {
    await server.close();
  }
});
