import assert from "node:assert/strict";
import { test } from "node:test";
import { Socket as ClientSocket } from "engine.io-client";
import type { EngineIoSocket } from "../../../src/edge/engine-io/engine-io-socket.js";
import { once, startServer, waitFor } from "./server-harness.js";

type Data = string | Buffer;

function toData(data: unknown): Data {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data as Uint8Array);
}

async function connect(
  origin: string,
  transports: string[],
  extra: Record<string, unknown> = {},
): Promise<{ client: ClientSocket; received: Data[] }> {
  const client = new ClientSocket(origin, { transports, ...extra } as never);
  const received: Data[] = [];
  client.on("message", (data: unknown) => received.push(toData(data)));
  await once(client, "open");
  return { client, received };
}

function closeOf(socket: EngineIoSocket): Promise<string> {
  return new Promise((resolve) => socket.on("close", (reason) => resolve(reason)));
}

function serverSide(engine: { onConnection(l: (s: EngineIoSocket) => void): void }): {
  sockets: EngineIoSocket[];
  received: Data[];
} {
  const sockets: EngineIoSocket[] = [];
  const received: Data[] = [];
  engine.onConnection((socket) => {
    sockets.push(socket);
    socket.on("message", (data) => received.push(toData(data)));
  });
  return { sockets, received };
}

for (const transport of ["polling", "websocket"]) {
  test(`a ${transport}-only engine.io-client exchanges text and binary messages both ways`, async () => {
    const server = await startServer();
    const side = serverSide(server.engine);
    try {
      const { client, received } = await connect(server.origin, [transport]);
      assert.equal(client.transport.name, transport);
      await waitFor(() => side.sockets.length === 1);
      const socket = side.sockets[0]!;
      assert.equal(socket.id, client.id);
      assert.match(socket.id, /^[A-Za-z0-9_-]{20}$/);
      assert.equal(socket.transport, transport);
      client.send("hello");
      client.send(Buffer.from([1, 2, 3]));
      client.send("é✓");
      socket.send("world");
      socket.send(new Uint8Array([4, 5, 6]));
      socket.send("ok");
      await waitFor(() => side.received.length === 3 && received.length === 3);
      assert.deepEqual(side.received, ["hello", Buffer.from([1, 2, 3]), "é✓"]);
      assert.deepEqual(received, ["world", Buffer.from([4, 5, 6]), "ok"]);
      const closed = closeOf(socket);
      client.close();
      assert.equal(await closed, "transport close");
      assert.equal(server.engine.clientsCount, 0);
    } finally {
      await server.close();
    }
  });
}

test("an engine.io-client upgrades from polling to websocket with messages in order before, during and after", async () => {
  const server = await startServer();
  const side = serverSide(server.engine);
  try {
    const client = new ClientSocket(server.origin, { transports: ["polling", "websocket"] });
    const received: Data[] = [];
    client.on("message", (data: unknown) => received.push(toData(data)));
    await once(client, "open");
    assert.equal(client.transport.name, "polling");
    await waitFor(() => side.sockets.length === 1);
    const socket = side.sockets[0]!;
    const upgraded = new Promise<string>((resolve) => socket.on("upgrade", resolve));
    let n = 0;
    // The server writes continuously while the upgrade runs; the client does too.
    const pump = setInterval(() => {
      socket.send(`s${n}`);
      client.send(`c${n}`);
      n++;
    }, 2);
    assert.equal(await upgraded, "websocket");
    await waitFor(() => client.transport.name === "websocket");
    await new Promise((resolve) => setTimeout(resolve, 30));
    clearInterval(pump);
    const sent = n;
    await waitFor(() => received.length === sent && side.received.length === sent);
    assert.deepEqual(
      received,
      Array.from({ length: sent }, (_, i) => `s${i}`),
    );
    assert.deepEqual(
      side.received,
      Array.from({ length: sent }, (_, i) => `c${i}`),
    );
    assert.equal(socket.transport, "websocket");
    client.close();
  } finally {
    await server.close();
  }
});

test("server close() closes every session with forced close and the client sees it", async () => {
  const server = await startServer();
  const side = serverSide(server.engine);
  const { client } = await connect(server.origin, ["websocket"]);
  const { client: poller } = await connect(server.origin, ["polling"]);
  await waitFor(() => side.sockets.length === 2);
  const reasons = side.sockets.map(closeOf);
  const clientClosed = Promise.all([once(client, "close"), once(poller, "close")]);
  server.engine.close();
  assert.deepEqual(await Promise.all(reasons), ["forced close", "forced close"]);
  await clientClosed;
  await server.close();
});

test("a client stays connected across several short heartbeats", async () => {
  const server = await startServer({ pingIntervalMs: 30, pingTimeoutMs: 200 });
  const side = serverSide(server.engine);
  try {
    const { client } = await connect(server.origin, ["websocket"]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(side.sockets[0]!.readyState, "open");
    assert.equal(client.readyState, "open");
    client.close();
  } finally {
    await server.close();
  }
});
