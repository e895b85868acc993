import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { connect } from "node:net";
import { test } from "node:test";
import { createEngineIoServer } from "../../../src/edge/engine-io/engine-io-server.js";
import { ambiguousFraming } from "../../../src/edge/http/framing.js";
import { HTTP_EDGE_DEFAULTS, resolveHttpEdgeOptions } from "../../../src/edge/http/http-edge-options.js";
import { createNodeReactor } from "../../../src/reactor/node/node-reactor.js";
import { PUBLIC, send, startEdge } from "./http-harness.js";

/** Writes raw bytes and resolves with everything the server sends until it closes the socket. */
function rawExchange(port: number, payload: string, closeAfterMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(payload));
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
    socket.setTimeout(closeAfterMs, () => socket.destroy());
  });
}

test("GET /healthz answers 200 ok; HEAD has no body", async () => {
  const server = await startEdge();
  try {
    const res = await send(server.port, "/healthz");
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), "ok");
    const head = await send(server.port, "/healthz", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  } finally {
    await server.close();
  }
});

test("GET /readyz follows the readiness function: 200 when ready, 503 while draining", async () => {
  let ready = true;
  const server = await startEdge({ readiness: () => ready });
  try {
    assert.equal((await send(server.port, "/readyz")).status, 200);
    ready = false;
    const draining = await send(server.port, "/readyz");
    assert.equal(draining.status, 503);
    assert.equal(draining.body.toString(), "not ready");
    assert.equal((await send(server.port, "/healthz")).status, 200);
  } finally {
    await server.close();
  }
});

test("requests without a route get 404 by default, or go to onUnhandled", async () => {
  const plain = await startEdge();
  try {
    assert.equal((await send(plain.port, "/nowhere")).status, 404);
    assert.equal((await send(plain.port, "/healthz", { method: "POST", body: "x" })).status, 404);
  } finally {
    await plain.close();
  }
  const seen: string[] = [];
  const hooked = await startEdge({
    staticRoot: PUBLIC,
    onUnhandled: (req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200).end("chat");
    },
  });
  try {
    assert.equal((await send(hooked.port, "/rooms/1")).body.toString(), "chat");
    await send(hooked.port, "/api", { method: "POST", body: "{}" });
    assert.deepEqual(seen, ["GET /rooms/1", "POST /api"]);
  } finally {
    await hooked.close();
  }
});

test("a body declared larger than bodyBytesMax gets 413 and the connection closes", async () => {
  const server = await startEdge({ bodyBytesMax: 16 });
  try {
    const small = await send(server.port, "/api", { method: "POST", body: "x".repeat(16) });
    assert.equal(small.status, 404);
    const large = await send(server.port, "/api", { method: "POST", body: "x".repeat(17) });
    assert.equal(large.status, 413);
    assert.equal(large.headers.connection, "close");
    const reply = await rawExchange(
      server.port,
      "POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n",
    );
    assert.match(reply, /^HTTP\/1\.1 413 /);
    assert.doesNotMatch(reply, /100 Continue/);
    const accepted = await rawExchange(
      server.port,
      "POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nok",
    );
    assert.match(accepted, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 404 /);
  } finally {
    await server.close();
  }
});

test("Transfer-Encoding with Content-Length, or differing Content-Length values, get 400 and a close", async () => {
  const server = await startEdge();
  let reached = 0;
  server.edge.server.prependListener("request", () => reached++);
  try {
    const both = await rawExchange(
      server.port,
      "POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    assert.match(both, /^HTTP\/1\.1 400 /);
    const twice = await rawExchange(
      server.port,
      "POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    );
    assert.match(twice, /^HTTP\/1\.1 400 /);
    assert.equal(reached, 0, "Node 20's parser refuses these before a request is emitted");
  } finally {
    await server.close();
  }
});

test("ambiguousFraming (the check behind Node's parser) flags TE + CL and differing Content-Length", () => {
  const req = (rawHeaders: string[]) => ({ rawHeaders }) as unknown as IncomingMessage;
  assert.equal(
    ambiguousFraming(req(["Content-Length", "5", "Transfer-Encoding", "chunked"])),
    "transfer-encoding-with-content-length",
  );
  assert.equal(ambiguousFraming(req(["content-length", "1", "Content-Length", "2"])), "conflicting-content-length");
  assert.equal(ambiguousFraming(req(["Content-Length", "1, 2"])), "conflicting-content-length");
  assert.equal(ambiguousFraming(req(["Content-Length", "3", "Content-Length", "3"])), null);
  assert.equal(ambiguousFraming(req(["Transfer-Encoding", "chunked"])), null);
});

test("a client that never finishes its headers is cut off after headersTimeoutMs (slowloris)", async () => {
  const server = await startEdge({ headersTimeoutMs: 100, requestTimeoutMs: 200 });
  try {
    assert.equal(server.edge.server.headersTimeout, 100);
    assert.equal(server.edge.server.requestTimeout, 200);
    const reply = await rawExchange(server.port, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1", 5000);
    assert.match(reply, /^HTTP\/1\.1 408 /);
  } finally {
    await server.close();
  }
});

test("options: defaults, and validation that names the bad option", () => {
  const resolved = resolveHttpEdgeOptions();
  assert.equal(resolved.headersTimeoutMs, HTTP_EDGE_DEFAULTS.headersTimeoutMs);
  assert.equal(resolved.bodyBytesMax, 1_048_576);
  assert.deepEqual(resolved.corsOrigins, []);
  assert.equal(resolved.staticRoot, null);
  assert.ok(Object.isFrozen(resolved));
  assert.throws(() => resolveHttpEdgeOptions({ bodyBytesMax: 0 }), { name: "RangeError", message: /bodyBytesMax/ });
  assert.throws(() => resolveHttpEdgeOptions({ headersTimeoutMs: "5" as unknown as number }), {
    name: "TypeError",
    message: /headersTimeoutMs/,
  });
  assert.throws(() => resolveHttpEdgeOptions({ headersTimeoutMs: 5000, requestTimeoutMs: 100 }), {
    name: "RangeError",
    message: /requestTimeoutMs/,
  });
  assert.throws(() => resolveHttpEdgeOptions({ corsOrigins: ["*"] }), { name: "RangeError", message: /corsOrigins/ });
  assert.throws(() => resolveHttpEdgeOptions({ readiness: 1 as unknown as () => boolean }), { name: "TypeError" });
});

test("an Engine.IO server attached to the edge serves /engine.io/ while the edge keeps its routes", async () => {
  let engine: ReturnType<typeof createEngineIoServer> | undefined;
  const server = await startEdge({ staticRoot: PUBLIC }, (edge) => {
    engine = createEngineIoServer({ reactor: createNodeReactor() });
    engine.attach(edge.server);
  });
  try {
    const handshake = await send(server.port, "/engine.io/?EIO=4&transport=polling");
    assert.equal(handshake.status, 200);
    const open = JSON.parse(handshake.body.toString().slice(1)) as { sid: string };
    assert.equal(typeof open.sid, "string");
    assert.equal(engine!.clientsCount, 1);
    assert.equal((await send(server.port, "/healthz")).body.toString(), "ok");
    assert.equal((await send(server.port, "/app.js")).status, 200);
    assert.equal((await send(server.port, "/nowhere")).status, 404);
  } finally {
    engine!.close();
    await server.close();
  }
});
