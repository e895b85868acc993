/**
 * Interop with the `ws` package as the client, over TCP on 127.0.0.1, against a real Engine.IO
 * server on Chorus's own WebSocket: raw Engine.IO packets, large and fragmented messages, ping and
 * pong, the closing handshake from both sides, the payload limit, and a declined
 * permessage-deflate offer.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocket, type ClientOptions } from "ws";
import type { EngineIoCloseReason, EngineIoSocket } from "../../../src/edge/engine-io/engine-io-socket.js";
import { type TestServer, startServer, waitFor } from "../engine-io/server-harness.js";

/** A `ws` client of the server, with its messages queued for `next()`. */
interface Client {
  readonly ws: WebSocket;
  /** The next message (text as a string, binary as a Buffer), or a rejection after 3 s. */
  next(): Promise<string | Buffer>;
  /** Resolves with the close event's code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
}

async function connectClient(server: TestServer, options: ClientOptions = {}): Promise<Client> {
  const ws = new WebSocket(`${server.origin.replace("http", "ws")}/engine.io/?EIO=4&transport=websocket`, options);
  const queue: Array<string | Buffer> = [];
  const waiting: Array<(message: string | Buffer) => void> = [];
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const message = isBinary ? data : data.toString();
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  ws.on("error", () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return {
    ws,
    closed,
    next: () => {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no message within 3 s")), 3000);
        waiting.push((message) => {
          clearTimeout(timer);
          resolve(message);
        });
      });
    },
  };
}

/** A server whose sessions echo every message back, recording them and how sessions closed. */
async function echoServer(options: { payloadBytesMax?: number } = {}) {
  const server = await startServer({ transports: ["websocket"], ...options });
  const received: Array<string | Uint8Array> = [];
  const closes: EngineIoCloseReason[] = [];
  const sessions: EngineIoSocket[] = [];
  server.engine.onConnection((socket) => {
    sessions.push(socket);
    socket.on("message", (data) => {
      received.push(data);
      socket.send(data);
    });
    socket.on("close", (reason) => closes.push(reason));
  });
  return { server, received, closes, sessions };
}

/** Opens a client and reads the Engine.IO open packet. */
async function openSession(server: TestServer, options: ClientOptions = {}): Promise<Client> {
  const client = await connectClient(server, options);
  const open = await client.next();
  assert.equal(typeof open, "string");
  assert.match(open as string, /^0\{"sid":"[A-Za-z0-9_-]{20}"/);
  return client;
}

test("a ws client gets the open packet, sends '4hello', the session gets 'hello' and its echo comes back", async () => {
  const { server, received } = await echoServer();
  try {
    const client = await connectClient(server);
    const open = (await client.next()) as string;
    assert.equal(open[0], "0");
    const handshake = JSON.parse(open.slice(1)) as { sid: string; upgrades: string[]; maxPayload: number };
    assert.deepEqual(handshake.upgrades, []);
    assert.equal(handshake.maxPayload, 1_000_000);
    client.ws.send("4hello");
    assert.equal(await client.next(), "4hello");
    assert.deepEqual(received, ["hello"]);
    client.ws.close();
    await client.closed;
  } finally {
    await server.close();
  }
});

test("a 200 KB text message with multibyte characters round-trips intact", async () => {
  const { server, received } = await echoServer();
  try {
    const client = await openSession(server);
    const text = "héllo wörld € 😀 ".repeat(10_000).slice(0, 200_000);
    assert.ok(Buffer.byteLength(text) > 200_000 && Buffer.byteLength(text) < 1_000_000);
    client.ws.send("4" + text);
    assert.equal(await client.next(), "4" + text);
    assert.equal(received[0], text);
    client.ws.close();
    await client.closed;
  } finally {
    await server.close();
  }
});

test("a binary message of 1 MB - 1 byte round-trips intact", async () => {
  const { server, received } = await echoServer();
  try {
    const client = await openSession(server);
    const bytes = Buffer.alloc(999_999);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + (i >> 10)) & 0xff;
    client.ws.send(bytes);
    const back = await client.next();
    assert.ok(Buffer.isBuffer(back), "comes back binary");
    assert.ok(back.equals(bytes), "the same bytes");
    assert.equal(received[0]!.length, bytes.length);
    client.ws.close();
    await client.closed;
  } finally {
    await server.close();
  }
});

test("a binary message of exactly payloadBytesMax (1e6) bytes is accepted", async () => {
  const { server } = await echoServer();
  try {
    const client = await openSession(server);
    const bytes = Buffer.alloc(1_000_000, 0x42);
    client.ws.send(bytes);
    const back = await client.next();
    assert.ok(Buffer.isBuffer(back) && back.equals(bytes));
    client.ws.close();
    await client.closed;
  } finally {
    await server.close();
  }
});

test("many small messages sent in one burst arrive in order", async () => {
  const { server, received } = await echoServer();
  try {
    const client = await openSession(server);
    for (let i = 0; i < 500; i++) client.ws.send(`4m${i}`);
    for (let i = 0; i < 500; i++) assert.equal(await client.next(), `4m${i}`);
    assert.equal(received.length, 500);
    client.ws.close();
    await client.closed;
  } finally {
    await server.close();
  }
});

test("a fragmented message from a ws client (fin: false, then fin: true) arrives whole", async () => {
  const { server, received } = await echoServer();
  try {
    const client = await openSession(server);
    client.ws.send("4frag", { fin: false });
    client.ws.send("men", { fin: false });
    client.ws.send("ted €", { fin: true });
    assert.equal(await client.next(), "4fragmented €");
    assert.deepEqual(received, ["fragmented €"]);
    client.ws.send(Buffer.from([1, 2]), { fin: false, binary: true });
    client.ws.send(Buffer.from([3]), { fin: true, binary: true });
    const back = await client.next();
    assert.ok(Buffer.isBuffer(back));
    assert.deepEqual([...back], [1, 2, 3]);
    client.ws.close();
    await client.closed;
  } finally {
    await server.close();
  }
});

test("a ws client's ping gets a pong with the same data", async () => {
  const { server } = await echoServer();
  try {
    const client = await openSession(server);
    const pong = new Promise<Buffer>((resolve) => client.ws.once("pong", resolve));
    client.ws.ping(Buffer.from("ping data ✓"));
    assert.equal((await pong).toString(), "ping data ✓");
    const empty = new Promise<Buffer>((resolve) => client.ws.once("pong", resolve));
    client.ws.ping();
    assert.equal((await empty).length, 0);
    client.ws.close();
    await client.closed;
  } finally {
    await server.close();
  }
});

test("a ws client's close(4000, 'done') is echoed: the client's close event gets 4000", async () => {
  const { server, closes } = await echoServer();
  try {
    const client = await openSession(server);
    client.ws.close(4000, "done");
    const { code } = await client.closed;
    assert.equal(code, 4000);
    await waitFor(() => closes.length === 1);
    assert.deepEqual(closes, ["transport close"]);
    await waitFor(() => server.engine.clientsCount === 0);
  } finally {
    await server.close();
  }
});

test("a message over payloadBytesMax closes the client with 1009 'payload too large'", async () => {
  const { server, closes, received } = await echoServer();
  try {
    const client = await openSession(server);
    client.ws.send(Buffer.alloc(1_000_001, 1));
    const { code, reason } = await client.closed;
    assert.equal(code, 1009);
    assert.equal(reason, "payload too large");
    await waitFor(() => closes.length === 1);
    assert.deepEqual(closes, ["payload too large"]);
    assert.deepEqual(received, []);
  } finally {
    await server.close();
  }
});

test("fragments from a ws client whose sum is over a small payloadBytesMax close with 1009", async () => {
  const { server, closes } = await echoServer({ payloadBytesMax: 1000 });
  try {
    const client = await openSession(server);
    client.ws.send("4" + "x".repeat(600), { fin: false });
    client.ws.send("y".repeat(600), { fin: true });
    const { code, reason } = await client.closed;
    assert.deepEqual({ code, reason }, { code: 1009, reason: "payload too large" });
    await waitFor(() => closes.length === 1);
    assert.deepEqual(closes, ["payload too large"]);
  } finally {
    await server.close();
  }
});

test("the server closing a session closes the ws client without a status (1005), like the reference", async () => {
  const { server, sessions } = await echoServer();
  try {
    const client = await openSession(server);
    await waitFor(() => sessions.length === 1);
    sessions[0]!.close("bye");
    const { code } = await client.closed;
    assert.equal(code, 1005);
  } finally {
    await server.close();
  }
});

test("the engine's close() closes every ws client without a status (1005), like the reference", async () => {
  const { server } = await echoServer();
  try {
    const a = await openSession(server);
    const b = await openSession(server);
    server.engine.close();
    assert.equal((await a.closed).code, 1005);
    assert.equal((await b.closed).code, 1005);
  } finally {
    await server.close();
  }
});

test("a perMessageDeflate offer from the ws client is declined and messages still flow", async () => {
  const { server, received } = await echoServer();
  try {
    const client = await openSession(server, { perMessageDeflate: true });
    assert.equal(client.ws.extensions, "", "no extension was negotiated");
    const text = "compressible ".repeat(1000);
    client.ws.send("4" + text);
    assert.equal(await client.next(), "4" + text);
    client.ws.send("4small");
    assert.equal(await client.next(), "4small");
    assert.deepEqual(received, [text, "small"]);
    client.ws.close();
    await client.closed;
  } finally {
    await server.close();
  }
});

test("a subprotocol offered by the ws client is selected", async () => {
  const { server } = await echoServer();
  try {
    const ws = new WebSocket(`${server.origin.replace("http", "ws")}/engine.io/?EIO=4&transport=websocket`, [
      "chat",
      "superchat",
    ]);
    ws.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    assert.equal(ws.protocol, "chat");
    ws.close();
    await new Promise((resolve) => ws.once("close", resolve));
  } finally {
    await server.close();
  }
});
