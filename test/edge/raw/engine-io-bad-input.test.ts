/**
 * Bad input at the Engine.IO layer, spoken by hand (raw HTTP bytes over `node:net`, `ws` as a raw
 * WebSocket client). Each case gets the reference server's answer, and a well-behaved
 * socket.io-client connected to the same server keeps being served.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  bodyOf,
  healthyClient,
  type RawIo,
  rawHttp,
  rawWebSocket,
  serveEcho,
  startRawIo,
  waitFor,
} from "./raw-harness.js";

const LIMIT = 1000;
let server: RawIo;
let healthy: Awaited<ReturnType<typeof healthyClient>>;

before(async () => {
  server = await startRawIo({ engine: { payloadBytesMax: LIMIT } });
  serveEcho(server.io);
  healthy = await healthyClient(server.origin);
});

after(async () => {
  healthy.close();
  await server.close();
});

function get(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
}

function post(path: string, body: string | Buffer, type = "text/plain;charset=UTF-8"): Buffer {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: ${bytes.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), bytes]);
}

function upgrade(path: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
  );
}

/** A polling handshake by hand; returns the sid. */
async function handshake(): Promise<string> {
  const reply = await rawHttp(server.port, get("/socket.io/?EIO=4&transport=polling"));
  assert.equal(reply.status, 200);
  return (JSON.parse(bodyOf(reply.text).slice(1)) as { sid: string }).sid;
}

const REQUEST_ERRORS: ReadonlyArray<readonly [string, string, number, string]> = [
  [
    "an unknown transport",
    get("/socket.io/?EIO=4&transport=carrier-pigeon"),
    400,
    '{"code":0,"message":"Transport unknown"}',
  ],
  ["a missing transport", get("/socket.io/?EIO=4"), 400, '{"code":0,"message":"Transport unknown"}'],
  [
    "an unknown sid (GET)",
    get("/socket.io/?EIO=4&transport=polling&sid=nope"),
    400,
    '{"code":1,"message":"Session ID unknown"}',
  ],
  [
    "an unknown sid (POST)",
    post("/socket.io/?EIO=4&transport=polling&sid=nope", "4x").toString(),
    400,
    '{"code":1,"message":"Session ID unknown"}',
  ],
  [
    "a PUT handshake",
    "PUT /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    400,
    '{"code":2,"message":"Bad handshake method"}',
  ],
  [
    "a websocket handshake without Upgrade",
    get("/socket.io/?EIO=4&transport=websocket"),
    400,
    '{"code":3,"message":"Bad request"}',
  ],
  [
    "protocol version 3",
    get("/socket.io/?EIO=3&transport=polling"),
    400,
    '{"code":5,"message":"Unsupported protocol version"}',
  ],
  [
    "a missing protocol version",
    get("/socket.io/?transport=polling"),
    400,
    '{"code":5,"message":"Unsupported protocol version"}',
  ],
];

for (const [what, bytes, status, body] of REQUEST_ERRORS) {
  test(`${what} gets ${status} ${body}; another client is still served`, async () => {
    const reply = await rawHttp(server.port, bytes);
    assert.equal(reply.status, status);
    assert.match(reply.text, /\r\nContent-Type: application\/json\r\n/i);
    assert.equal(bodyOf(reply.text), body);
    await healthy.roundTrip();
  });
}

test("a websocket upgrade naming an unknown sid gets the reference's raw 400 Session ID unknown", async () => {
  const reply = await rawHttp(server.port, upgrade("/socket.io/?EIO=4&transport=websocket&sid=nope"));
  assert.equal(reply.status, 400);
  assert.equal(bodyOf(reply.text), "Session ID unknown");
  assert.equal(reply.closedByServer, true);
  await healthy.roundTrip();
});

test("a PUT to an existing polling session gets 500 as the reference answers unknown methods", async () => {
  const sid = await handshake();
  const reply = await rawHttp(
    server.port,
    `PUT /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
  );
  assert.equal(reply.status, 500);
  await healthy.roundTrip();
});

test("a malformed polling payload gets 400 and ends the session; the sid is then unknown", async () => {
  const sid = await handshake();
  const path = `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
  assert.equal((await rawHttp(server.port, post(path, "9not-a-packet"))).status, 400);
  const after = await rawHttp(server.port, get(path));
  assert.equal(bodyOf(after.text), '{"code":1,"message":"Session ID unknown"}');
  await healthy.roundTrip();
});

test("a polling payload with invalid UTF-8 gets 400", async () => {
  const sid = await handshake();
  const reply = await rawHttp(
    server.port,
    post(`/socket.io/?EIO=4&transport=polling&sid=${sid}`, Buffer.from([0x34, 0xc3, 0x28])),
  );
  assert.equal(reply.status, 400);
  await healthy.roundTrip();
});

test("a polling payload over payloadBytesMax gets 413 from its Content-Length", async () => {
  const sid = await handshake();
  const reply = await rawHttp(
    server.port,
    post(`/socket.io/?EIO=4&transport=polling&sid=${sid}`, "4" + "x".repeat(LIMIT)),
  );
  assert.equal(reply.status, 413);
  assert.equal(bodyOf(reply.text), "");
  await healthy.roundTrip();
});

test("a chunked polling payload over payloadBytesMax gets 413 while it streams, before it ends", async () => {
  const sid = await handshake();
  const head =
    `POST /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\n` +
    "Content-Type: text/plain;charset=UTF-8\r\nTransfer-Encoding: chunked\r\n\r\n";
  // 2 KiB of chunks, never terminated: the answer must come from the limit, not from the end.
  const chunk = (text: string): string => `${text.length.toString(16)}\r\n${text}\r\n`;
  const reply = await rawHttp(server.port, head + chunk("4" + "y".repeat(599)) + chunk("y".repeat(600)), 1500);
  assert.equal(reply.status, 413);
  assert.equal(reply.closedByServer, true);
  await healthy.roundTrip();
});

test("not HTTP at all gets 400 from the parser", async () => {
  const reply = await rawHttp(server.port, "\x16\x03\x01 hello? this is not http\r\n\r\n");
  assert.equal(reply.status, 400);
  await healthy.roundTrip();
});

test("a websocket text frame with invalid UTF-8 is closed with 1007 invalid UTF-8", async () => {
  const { ws, closed } = await rawWebSocket(server.origin);
  ws.send(Buffer.from([0x34, 0xc3, 0x28]), { binary: false });
  assert.deepEqual(await closed, { code: 1007, reason: "invalid UTF-8" });
  await healthy.roundTrip();
});

test("a websocket message over payloadBytesMax is closed with 1009 payload too large", async () => {
  const before = server.logs.length;
  const { ws, closed } = await rawWebSocket(server.origin);
  ws.send("4" + "z".repeat(LIMIT));
  assert.deepEqual(await closed, { code: 1009, reason: "payload too large" });
  await waitFor(() => server.logs.length === before + 1);
  await healthy.roundTrip();
});

test("a websocket frame that is not an Engine.IO packet closes the connection (parse error)", async () => {
  const { ws, frames, closed } = await rawWebSocket(server.origin);
  ws.send("9 nonsense");
  const { code } = await closed;
  assert.equal(code, 1005, "closed without a status, as the reference's ws transport does");
  assert.match(String(frames[0]), /^0\{"sid":/);
  await healthy.roundTrip();
});

test("a client ping (v3 heartbeat direction) closes the websocket session", async () => {
  const { ws, closed } = await rawWebSocket(server.origin);
  ws.send("2");
  assert.equal((await closed).code, 1005);
  await healthy.roundTrip();
});
