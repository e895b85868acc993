/**
 * A flood of half-open handshakes: sessions that complete the Engine.IO handshake and then never
 * poll, never answer a ping and never send a Socket.IO CONNECT. Each is reaped after
 * pingIntervalMs + pingTimeoutMs ("ping timeout"), the server's session count comes back down,
 * and a normal client connects and chats all along.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { healthyClient, rawWebSocket, serveEcho, startRawIo, waitFor } from "./raw-harness.js";

const POLLING_SESSIONS = 500;
const WEBSOCKET_SESSIONS = 50;
const BATCH = 50;

test("500 polling and 50 websocket half-open handshakes are reaped by ping timeout while a normal client chats", async () => {
  const server = await startRawIo({ engine: { pingIntervalMs: 150, pingTimeoutMs: 150 } });
  serveEcho(server.io);
  const reasons = new Map<string, number>();
  server.io.engine.onConnection((socket) =>
    socket.on("close", (reason) => reasons.set(reason, (reasons.get(reason) ?? 0) + 1)),
  );
  const healthy = await healthyClient(server.origin);
  let chatting = true;
  let roundTrips = 0;
  const chat = (async () => {
    while (chatting && roundTrips < 10_000) {
      await healthy.roundTrip();
      roundTrips++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const sockets: Array<{ ws: { terminate(): void } }> = [];
  try {
    const handshake = `${server.origin}/socket.io/?EIO=4&transport=polling`;
    for (let i = 0; i < POLLING_SESSIONS; i += BATCH) {
      const batch = Array.from({ length: BATCH }, async () => {
        const res = await fetch(handshake);
        assert.equal(res.status, 200);
        assert.match(await res.text(), /^0\{"sid":/);
      });
      await Promise.all(batch);
    }
    for (let i = 0; i < WEBSOCKET_SESSIONS; i++) sockets.push(await rawWebSocket(server.origin));
    const peak = server.io.engine.clientsCount;
    assert.ok(peak > WEBSOCKET_SESSIONS && peak <= 1 + POLLING_SESSIONS + WEBSOCKET_SESSIONS, `peak ${peak}`);
    const roundTripsDuringFlood = roundTrips;
    await waitFor(() => server.io.engine.clientsCount === 1, 5000);
    assert.equal(reasons.get("ping timeout"), POLLING_SESSIONS + WEBSOCKET_SESSIONS);
    assert.ok(roundTripsDuringFlood > 0, "the normal client was served during the flood");
    const before = roundTrips;
    await waitFor(() => roundTrips >= before + 3);
  } finally {
    chatting = false;
    await chat;
    for (const { ws } of sockets) ws.terminate();
    healthy.close();
    await server.close();
  }
});
