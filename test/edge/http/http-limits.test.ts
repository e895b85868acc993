import assert from "node:assert/strict";
import { connect } from "node:net";
import { test } from "node:test";
import { Socket as ClientSocket } from "engine.io-client";
import { createEngineIoServer } from "../../../src/edge/engine-io/engine-io-server.js";
import type { HttpEdge } from "../../../src/edge/http/http-edge.js";
import { createNodeReactor } from "../../../src/reactor/node/node-reactor.js";
import { send, startEdge } from "./http-harness.js";

/** Raw bytes over TCP; resolves with what the server sent when it closes (or after `giveUpMs`). */
function raw(
  port: number,
  write: (socket: ReturnType<typeof connect>) => void,
  giveUpMs = 2000,
): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1", () => write(socket));
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? undefined : reject(error)));
    socket.on("close", () => resolve({ text, closedAfterMs: Date.now() - started }));
    socket.setTimeout(giveUpMs, () => socket.destroy());
  });
}

test("a request target longer than urlBytesMax gets 414", async () => {
  const server = await startEdge({ urlBytesMax: 1000 });
  try {
    assert.equal((await send(server.port, "/" + "a".repeat(999))).status, 404);
    const res = await send(server.port, "/" + "a".repeat(1000));
    assert.equal(res.status, 414);
    assert.equal(res.body.toString(), "URI too long");
  } finally {
    await server.close();
  }
});

test("request headers larger than headerBytesMax get 431 from the parser", async () => {
  const server = await startEdge({ headerBytesMax: 4096 });
  try {
    const { text } = await raw(server.port, (s) =>
      s.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(5000)}\r\n\r\n`),
    );
    assert.match(text, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.equal((await send(server.port, "/healthz", { headers: { "x-small": "s".repeat(1000) } })).status, 200);
  } finally {
    await server.close();
  }
});

test("a chunked body read with edge.readBody is refused with 413 while it streams, before it ends", async () => {
  const late: { edge?: HttpEdge } = {};
  const server = await startEdge({
    bodyBytesMax: 4096,
    onUnhandled: (req, res) =>
      void late.edge!.readBody(req, res).then((body) => body && res.writeHead(200).end(`got ${body.length}`)),
  });
  late.edge = server.edge;
  try {
    let chunksSent = 0;
    const { text } = await raw(server.port, (socket) => {
      socket.write("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
      const chunk = `400\r\n${"c".repeat(1024)}\r\n`;
      const pump = (): void => {
        if (socket.destroyed || chunksSent >= 100) return;
        chunksSent++;
        socket.write(chunk, () => setTimeout(pump, 5));
      };
      pump();
    });
    assert.match(text, /^HTTP\/1\.1 413 Payload Too Large\r\n/);
    assert.match(text, /\r\n\r\npayload too large$/);
    assert.ok(chunksSent < 100, `the server waited for the whole body (${chunksSent} chunks)`);
    const fine = await send(server.port, "/upload", { method: "POST", body: "x".repeat(4096) });
    assert.equal(fine.body.toString(), "got 4096");
  } finally {
    await server.close();
  }
});

test("an idle keep-alive connection is closed after keepAliveTimeoutMs (plus Node's 1 s grace)", async () => {
  const server = await startEdge({ keepAliveTimeoutMs: 50 });
  try {
    const { text, closedAfterMs } = await raw(server.port, (s) =>
      s.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"),
    );
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
    assert.ok(closedAfterMs >= 45 && closedAfterMs < 2500, `closed after ${closedAfterMs} ms`);
  } finally {
    await server.close();
  }
});

test("a GET with a body to an edge route is answered and the connection closed instead of reading the body", async () => {
  const server = await startEdge();
  try {
    const { text, closedAfterMs } = await raw(server.port, (s) =>
      s.write("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"),
    );
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /\r\nConnection: close\r\n/i);
    assert.ok(closedAfterMs < 1500);
  } finally {
    await server.close();
  }
});

test("setReady(false) turns /readyz to 503 while /healthz stays 200", async () => {
  const server = await startEdge();
  try {
    assert.equal(server.edge.ready, true);
    server.edge.setReady(false);
    const res = await send(server.port, "/readyz");
    assert.equal(res.status, 503);
    assert.equal(res.body.toString(), "not ready");
    assert.equal((await send(server.port, "/healthz")).status, 200);
    server.edge.setReady(true);
    assert.equal((await send(server.port, "/readyz")).status, 200);
  } finally {
    await server.close();
  }
});

test("a mounted Engine.IO server gets CORS from the edge's allow-list, preflight included, and still upgrades", async () => {
  const engine = createEngineIoServer({ reactor: createNodeReactor() });
  const server = await startEdge({ corsOrigins: ["https://chat.example"], urlBytesMax: 200 }, (edge) =>
    edge.mount(engine),
  );
  try {
    const handshake = "/engine.io/?EIO=4&transport=polling";
    const preflight = await send(server.port, handshake, {
      method: "OPTIONS",
      headers: { origin: "https://chat.example", "access-control-request-method": "POST" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers["access-control-allow-origin"], "https://chat.example");
    const refused = await send(server.port, handshake, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers["access-control-allow-origin"], undefined);
    const open = await send(server.port, handshake, { headers: { origin: "https://chat.example" } });
    assert.equal(open.status, 200);
    assert.equal(open.headers["access-control-allow-origin"], "https://chat.example");
    assert.match(open.body.toString(), /^0\{"sid":/);
    const other = await send(server.port, handshake, { headers: { origin: "https://evil.example" } });
    assert.equal(other.headers["access-control-allow-origin"], undefined);
    assert.equal((await send(server.port, `/engine.io/?EIO=4&transport=polling&x=${"y".repeat(200)}`)).status, 414);
    const client = new ClientSocket(server.origin, { transports: ["websocket"] });
    await new Promise<void>((resolve, reject) => {
      client.once("open", () => resolve());
      client.once("error", reject);
    });
    assert.equal(client.transport.name, "websocket");
    client.close();
  } finally {
    await engine.close();
    await server.close();
  }
});
