/**
 * The server side of the opening handshake (RFC 6455 §4.2): the accept value, which upgrade
 * requests are refused and with which status, subprotocol selection, and the raw bytes a real
 * Engine.IO server answers on a TCP socket.
 */
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { connect } from "node:net";
import { Duplex } from "node:stream";
import { test } from "node:test";
import { WebSocket } from "ws";
import {
  acceptUpgrade,
  acceptValue,
  checkUpgrade,
  isRefusal,
  refuseUpgrade,
} from "../../../src/edge/websocket/handshake.js";
import { startServer } from "../engine-io/server-harness.js";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

/** A request as Node's HTTP parser hands it over (header names lower-case). */
function request(headers: Record<string, string | undefined>, method = "GET"): IncomingMessage {
  const base: Record<string, string> = {
    host: "example.com",
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": KEY,
    "sec-websocket-version": "13",
  };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return { method, headers: base } as unknown as IncomingMessage;
}

function statusOf(req: IncomingMessage): number | "accepted" {
  const check = checkUpgrade(req);
  return isRefusal(check) ? check.status : "accepted";
}

test("acceptValue of the RFC sample key dGhlIHNhbXBsZSBub25jZQ== is s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", () => {
  assert.equal(acceptValue(KEY), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

test("acceptValue of another key is the base64 SHA-1 of key + GUID", () => {
  // Computed independently: base64(sha1("x3JJHMbDL1EzLkh9GBhXDw==258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
  assert.equal(acceptValue("x3JJHMbDL1EzLkh9GBhXDw=="), "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
});

test("a well-formed upgrade request is accepted with its key and no subprotocol", () => {
  assert.deepEqual(checkUpgrade(request({})), { key: KEY, protocol: null });
});

test("an upgrade with POST is refused with 405", () => {
  assert.equal(statusOf(request({}, "POST")), 405);
  assert.equal(statusOf(request({}, "PUT")), 405);
});

test("a missing Upgrade header is refused with 400", () => {
  assert.equal(statusOf(request({ upgrade: undefined })), 400);
});

test("an Upgrade header other than websocket is refused with 400", () => {
  assert.equal(statusOf(request({ upgrade: "h2c" })), 400);
  assert.equal(statusOf(request({ upgrade: "websocket2" })), 400);
});

test("the Upgrade header is compared without case", () => {
  assert.equal(statusOf(request({ upgrade: "WebSocket" })), "accepted");
  assert.equal(statusOf(request({ upgrade: "WEBSOCKET" })), "accepted");
});

test("a Connection header without the upgrade token is refused with 400", () => {
  assert.equal(statusOf(request({ connection: "keep-alive" })), 400);
  assert.equal(statusOf(request({ connection: undefined })), 400);
  assert.equal(statusOf(request({ connection: "upgraded" })), 400);
  assert.equal(statusOf(request({ connection: "keep-alive upgrade" })), 400);
});

test("Connection: keep-alive, Upgrade is accepted (the upgrade token among others, any case)", () => {
  assert.equal(statusOf(request({ connection: "keep-alive, Upgrade" })), "accepted");
  assert.equal(statusOf(request({ connection: "UPGRADE" })), "accepted");
  assert.equal(statusOf(request({ connection: "Upgrade ,keep-alive" })), "accepted");
});

test("a missing Sec-WebSocket-Key is refused with 400", () => {
  assert.equal(statusOf(request({ "sec-websocket-key": undefined })), 400);
});

for (const [what, key] of [
  ["empty", ""],
  ["too short (base64 of 15 bytes)", Buffer.alloc(15, 1).toString("base64")],
  ["too long (base64 of 17 bytes)", Buffer.alloc(17, 1).toString("base64")],
  ["not base64", "!!!!!!!!!!!!!!!!!!!!!!=="],
  ["base64url instead of base64", "dGhlIHNhbXBsZSBub25jZQ-_"],
  ["without its padding", "dGhlIHNhbXBsZSBub25jZQ"],
  ["with spaces inside", "dGhlIHNhbXBs ZSBub25jZQ=="],
] as const) {
  test(`a Sec-WebSocket-Key that is ${what} is refused with 400`, () => {
    assert.equal(statusOf(request({ "sec-websocket-key": key })), 400);
  });
}

test("any base64 of 16 bytes is accepted as a key", () => {
  for (let i = 0; i < 50; i++) {
    const key = Buffer.from(Array.from({ length: 16 }, (_, j) => (i * 37 + j * 101) & 0xff)).toString("base64");
    assert.equal(statusOf(request({ "sec-websocket-key": key })), "accepted", key);
  }
});

test("Sec-WebSocket-Version 8 or missing is refused with 426", () => {
  assert.equal(statusOf(request({ "sec-websocket-version": "8" })), 426);
  assert.equal(statusOf(request({ "sec-websocket-version": "12" })), 426);
  assert.equal(statusOf(request({ "sec-websocket-version": undefined })), 426);
  assert.equal(statusOf(request({ "sec-websocket-version": "13, 8" })), 426);
});

test("the first subprotocol offered is selected", () => {
  assert.deepEqual(checkUpgrade(request({ "sec-websocket-protocol": "chat, superchat" })), {
    key: KEY,
    protocol: "chat",
  });
  assert.deepEqual(checkUpgrade(request({ "sec-websocket-protocol": "  mqtt  ,chat" })), {
    key: KEY,
    protocol: "mqtt",
  });
  assert.deepEqual(checkUpgrade(request({ "sec-websocket-protocol": "only" })), { key: KEY, protocol: "only" });
});

test("an empty Sec-WebSocket-Protocol selects no subprotocol", () => {
  assert.deepEqual(checkUpgrade(request({ "sec-websocket-protocol": "" })), { key: KEY, protocol: null });
});

/** An in-memory socket recording what is written to it. */
class MemorySocket extends Duplex {
  written = "";
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.written += chunk.toString("latin1");
    done();
  }
}

test("acceptUpgrade writes 101 with the accept value, and the subprotocol when one was selected", () => {
  const socket = new MemorySocket();
  assert.equal(acceptUpgrade(socket, { key: KEY, protocol: null }), true);
  assert.equal(
    socket.written,
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
  );
  const withProtocol = new MemorySocket();
  acceptUpgrade(withProtocol, { key: KEY, protocol: "chat" });
  assert.match(withProtocol.written, /\r\nSec-WebSocket-Protocol: chat\r\n\r\n$/);
  assert.doesNotMatch(socket.written, /Sec-WebSocket-Extensions/i);
});

test("acceptUpgrade on a socket already gone returns false and destroys it", () => {
  const socket = new MemorySocket();
  socket.destroy();
  assert.equal(acceptUpgrade(socket, { key: KEY, protocol: null }), false);
  assert.equal(socket.written, "");
});

test("refuseUpgrade(426) names version 13, sends the message with its length, and destroys the socket", () => {
  const socket = new MemorySocket();
  let destroyed = false;
  socket.on("close", () => (destroyed = true));
  const check = checkUpgrade(request({ "sec-websocket-version": "8" }));
  assert.ok(isRefusal(check));
  refuseUpgrade(socket, check);
  assert.match(socket.written, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
  assert.match(socket.written, /\r\nSec-WebSocket-Version: 13\r\n/);
  const body = socket.written.slice(socket.written.indexOf("\r\n\r\n") + 4);
  assert.equal(body, check.message);
  assert.match(socket.written, new RegExp(`\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`));
  assert.equal(socket.destroyed, true);
  return new Promise<void>((resolve) => setImmediate(() => (assert.ok(destroyed), resolve())));
});

// Against a real Engine.IO server on TCP.

/** Sends a raw upgrade request and collects the reply until the server closes (or 2 s). */
function rawUpgrade(
  port: number,
  headers: Record<string, string>,
  untilHeaders = false,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const lines = [
      "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1",
      `Host: 127.0.0.1:${port}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    const socket = connect(port, "127.0.0.1", () => socket.write(lines.join("\r\n") + "\r\n\r\n"));
    let text = "";
    let gaveUp = false;
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if ((untilHeaders || text.startsWith("HTTP/1.1 101")) && text.includes("\r\n\r\n")) {
        gaveUp = true;
        socket.destroy();
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? undefined : reject(error)));
    socket.on("close", () => resolve({ text, closed: !gaveUp }));
    socket.setTimeout(2000, () => {
      gaveUp = true;
      socket.destroy();
    });
  });
}

const GOOD = { Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": KEY, "Sec-WebSocket-Version": "13" };

function portOf(origin: string): number {
  return Number(new URL(origin).port);
}

test("a real server answers a raw upgrade with 101 and the RFC's accept value", async () => {
  const server = await startServer();
  try {
    const reply = await rawUpgrade(portOf(server.origin), GOOD);
    assert.match(reply.text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(reply.text, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    assert.doesNotMatch(reply.text, /Sec-WebSocket-Extensions/i);
  } finally {
    await server.close();
  }
});

test("a real server answers version 12 with 426 and Sec-WebSocket-Version: 13, a bad key with 400, and keeps serving", async () => {
  const server = await startServer();
  try {
    const port = portOf(server.origin);
    const v12 = await rawUpgrade(port, { ...GOOD, "Sec-WebSocket-Version": "12" });
    assert.match(v12.text, /^HTTP\/1\.1 426 /);
    assert.match(v12.text, /\r\nSec-WebSocket-Version: 13\r\n/i);
    assert.equal(v12.closed, true, "the server closed the connection");

    const badKey = await rawUpgrade(port, { ...GOOD, "Sec-WebSocket-Key": "not-a-key" });
    assert.match(badKey.text, /^HTTP\/1\.1 400 /);
    assert.equal(badKey.closed, true);

    const noConnection = await rawUpgrade(port, { ...GOOD, Connection: "keep-alive" }, true);
    // Node only emits "upgrade" when Connection names upgrade; otherwise the request is a plain GET.
    assert.match(noConnection.text, /^HTTP\/1\.1 400 /);

    assert.equal(server.engine.clientsCount, 0, "no session was opened by a refused upgrade");

    // Other clients keep working.
    const ws = new WebSocket(`${server.origin.replace("http", "ws")}/engine.io/?EIO=4&transport=websocket`);
    const open = await new Promise<string>((resolve, reject) => {
      ws.once("message", (data: Buffer) => resolve(data.toString()));
      ws.once("error", reject);
    });
    assert.match(open, /^0\{"sid":"/);
    ws.close();
    await new Promise((resolve) => ws.once("close", resolve));
  } finally {
    await server.close();
  }
});
