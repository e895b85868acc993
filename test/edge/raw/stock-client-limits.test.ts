/**
 * What the stock socket.io-client observes at the edge's limits: an oversized packet (a
 * disconnect reason carrying 1009 / 413) and a graceful shutdown (a disconnect after which it
 * reconnects by itself, with no acknowledged message lost).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Socket as ClientSocket, io as connect } from "socket.io-client";
import { bodyOf, rawHttp, startRawIo, waitFor } from "./raw-harness.js";

type Details = { description?: unknown; context?: { code?: number; reason?: string } } | undefined;

function disconnected(client: ClientSocket): Promise<[string, Details]> {
  return new Promise((resolve) =>
    client.once("disconnect", (reason, details) => resolve([reason, details as Details])),
  );
}

for (const transport of ["websocket", "polling"] as const) {
  test(`socket.io-client over ${transport} sees a disconnect reason for an emit over payloadBytesMax; the server logs it once`, async () => {
    const server = await startRawIo({ engine: { payloadBytesMax: 1000 } });
    const serverReasons: string[] = [];
    server.io.on("connection", (socket) => socket.on("disconnect", (reason: string) => serverReasons.push(reason)));
    const client = connect(server.origin, { forceNew: true, reconnection: false, transports: [transport] });
    try {
      await new Promise<void>((resolve) => client.once("connect", () => resolve()));
      const gone = disconnected(client);
      client.emit("big", "x".repeat(2000));
      const [reason, details] = await gone;
      if (transport === "websocket") {
        assert.equal(reason, "transport close");
        assert.equal(details?.context?.code, 1009);
        assert.equal(details?.context?.reason, "payload too large");
      } else {
        assert.equal(reason, "transport error");
        assert.equal(details?.description, 413);
      }
      await waitFor(() => server.logs.length === 1);
      assert.match(server.logs[0]!, /^engine\.io session \S+ closed: payload too large/);
      await waitFor(() => serverReasons.length === 1);
      assert.deepEqual(serverReasons, ["payload too large"]);
    } finally {
      client.disconnect();
      await server.close();
    }
  });
}

test("a graceful close loses no acknowledged message, delivers what was emitted, and the client reconnects by itself", async () => {
  let server = await startRawIo();
  const port = server.port;
  const handled: number[] = [];
  const serverReasons: string[] = [];
  server.io.on("connection", (socket) => {
    socket.on("msg", (n: number, ack: (n: number) => void) => {
      handled.push(n);
      ack(n);
    });
    socket.on("disconnect", (reason: string) => serverReasons.push(reason));
  });
  const client = connect(server.origin, {
    forceNew: true,
    transports: ["websocket"],
    reconnectionDelay: 20,
    reconnectionDelayMax: 40,
    randomizationFactor: 0,
  });
  const acked: number[] = [];
  const news: number[] = [];
  client.on("news", (n: number) => news.push(n));
  try {
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    const firstId = client.id;
    const gone = disconnected(client);
    for (let n = 0; n < 200; n++) client.emit("msg", n, (back: number) => acked.push(back));
    await waitFor(() => handled.length >= 20);
    for (let n = 0; n < 20; n++) server.io.emit("news", n);
    const readyzDuringDrain = server.io.engine.draining;
    const closing = server.io.close({ drainMs: 2000 });
    assert.equal(server.io.engine.draining, true);
    assert.equal(readyzDuringDrain, false);
    const handshake = await rawHttp(port, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n", 300);
    assert.equal(handshake.status, 503);
    assert.equal(bodyOf(handshake.text), "Server shutting down");
    await closing;
    const [reason] = await gone;
    assert.equal(reason, "transport close", "a reason after which socket.io-client reconnects");
    assert.deepEqual(
      news,
      Array.from({ length: 20 }, (_, n) => n),
      "everything emitted before close arrived, in order",
    );
    assert.deepEqual(acked, handled, "every handled message was acknowledged, and only those");
    assert.deepEqual(serverReasons, ["server shutting down"]);
    server.http.closeAllConnections();
    await new Promise<void>((resolve) => server.http.close(() => resolve()));
    server.loop.shutdown();
    // A new server on the same port: the client finds it on its own.
    server = await startRawIo({}, port);
    const back = new Promise<void>((resolve) => client.once("connect", () => resolve()));
    await back;
    assert.equal(client.connected, true);
    assert.notEqual(client.id, firstId);
  } finally {
    client.disconnect();
    await server.close();
  }
});
