import assert from "node:assert/strict";
import { request } from "node:http";
import { test } from "node:test";
import { Socket as ClientSocket } from "engine.io-client";
import type { EngineIoSocket } from "../../../src/edge/engine-io/engine-io-socket.js";
import { once, startServer, waitFor } from "./server-harness.js";

const PATH = "/engine.io/";

function nextSocket(engine: { onConnection(l: (s: EngineIoSocket) => void): void }): Promise<EngineIoSocket> {
  return new Promise((resolve) => engine.onConnection(resolve));
}

/** A raw WebSocket handshake over plain HTTP: the status line and body of the refusal. */
function upgradeStatus(origin: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${PATH}?EIO=4&transport=websocket`, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
      },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("upgrade", () => reject(new Error("upgraded during a drain")));
    req.on("error", reject);
    req.end();
  });
}

test("while draining, handshakes get 503 Server shutting down on polling and websocket; open sessions go on", async () => {
  const server = await startServer();
  try {
    const opened = nextSocket(server.engine);
    const client = new ClientSocket(server.origin, { transports: ["websocket"] });
    await once(client, "open");
    const socket = await opened;
    server.engine.stopAccepting();
    assert.equal(server.engine.draining, true);
    const res = await fetch(`${server.origin}${PATH}?EIO=4&transport=polling`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "1");
    assert.equal(await res.text(), "Server shutting down");
    assert.deepEqual(await upgradeStatus(server.origin), { status: 503, body: "Server shutting down" });
    const echoed = once<[string]>(client, "message");
    socket.send("still here");
    assert.deepEqual(await echoed, ["still here"]);
    client.close();
  } finally {
    await server.close();
  }
});

test("close({ drainMs }) writes what is queued, then close; engine.io-client sees transport close", async () => {
  const server = await startServer();
  try {
    const opened = nextSocket(server.engine);
    const client = new ClientSocket(server.origin, { transports: ["websocket"] });
    const received: string[] = [];
    client.on("message", (data: unknown) => received.push(String(data)));
    await once(client, "open");
    const socket = await opened;
    const serverReasons: unknown[][] = [];
    socket.on("close", (...args) => serverReasons.push(args));
    const clientClosed = once<[string]>(client, "close");
    for (let i = 0; i < 50; i++) socket.send(`m${i}`);
    const started = Date.now();
    await server.engine.close({ drainMs: 2000 });
    assert.ok(Date.now() - started < 1000, "resolved as soon as every session closed");
    const [reason] = await clientClosed;
    assert.equal(reason, "transport close");
    assert.deepEqual(
      received,
      Array.from({ length: 50 }, (_, i) => `m${i}`),
    );
    assert.deepEqual(serverReasons, [["forced close", "server shutting down"]]);
    assert.equal(server.engine.clientsCount, 0);
  } finally {
    await server.close();
  }
});

test("a polling session that polls during the drain gets its queued packets, then close; one that never polls is cut at the deadline", async () => {
  const server = await startServer({ pingIntervalMs: 60_000 });
  try {
    const handshake = async (): Promise<string> => {
      const res = await fetch(`${server.origin}${PATH}?EIO=4&transport=polling`);
      return (JSON.parse((await res.text()).slice(1)) as { sid: string }).sid;
    };
    const sockets: EngineIoSocket[] = [];
    server.engine.onConnection((s) => sockets.push(s));
    const polite = await handshake();
    const silent = await handshake();
    await waitFor(() => sockets.length === 2);
    const reasons = new Map<string, string>();
    for (const s of sockets) {
      s.send(`for ${s.id === polite ? "polite" : "silent"}`);
      s.on("close", (reason, description) => reasons.set(s.id, `${reason}: ${description}`));
    }
    const started = Date.now();
    const closed = server.engine.close({ drainMs: 300 });
    const pollUrl = `${server.origin}${PATH}?EIO=4&transport=polling&sid=${polite}`;
    assert.equal(await (await fetch(pollUrl)).text(), "4for polite");
    assert.equal(await (await fetch(pollUrl)).text(), "6\x1e1"); // as the reference: noop + close in the next poll
    await waitFor(() => reasons.has(polite));
    assert.equal(reasons.has(silent), false);
    await closed;
    assert.ok(Date.now() - started >= 280, "the silent session was given the whole drain");
    assert.equal(reasons.get(polite), "forced close: server shutting down");
    assert.equal(reasons.get(silent), "forced close: server shutting down");
    assert.equal(server.engine.clientsCount, 0);
  } finally {
    await server.close();
  }
});

test("close is idempotent and validates drainMs", async () => {
  const server = await startServer();
  try {
    assert.throws(() => server.engine.close({ drainMs: -1 }), RangeError);
    const first = server.engine.close({ drainMs: 10 });
    assert.equal(server.engine.close(), first);
    await first;
  } finally {
    await server.close();
  }
});
