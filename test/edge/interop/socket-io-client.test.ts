/**
 * Interop with the stock npm `socket.io-client`: the usual application traffic over each
 * transport setup (polling only, WebSocket only, polling upgraded to WebSocket), reconnection
 * after the server cuts a session, connection state recovery across that reconnection, and
 * auth refusal as the client sees it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Socket as ClientSocket } from "socket.io-client";
import type { EngineIoSocket } from "../../../src/edge/engine-io/engine-io-socket.js";
import type { SocketIoSocket } from "../../../src/edge/socket-io/socket-io-socket.js";
import { type TestIo, once, startIo, waitFor } from "../socket-io/server-harness.js";

const FAST_RECONNECT = { reconnection: true, reconnectionDelay: 10, reconnectionDelayMax: 20, randomizationFactor: 0 };

const SETUPS = [
  { name: "polling only", transports: ["polling"], upgrade: false, final: "polling" },
  { name: "WebSocket only", transports: ["websocket"], upgrade: false, final: "websocket" },
  { name: "polling upgraded to WebSocket", transports: ["polling", "websocket"], upgrade: true, final: "websocket" },
] as const;

/** The server application every scenario talks to. */
function serveChat(t: TestIo, sessions: Map<string, EngineIoSocket>, sockets: SocketIoSocket[]): void {
  t.io.engine.onConnection((engine) => sessions.set(engine.id, engine));
  t.io.on("connection", (socket) => {
    sockets.push(socket);
    socket.join("lobby");
    socket.on("add", (a: number, b: number, ack: (sum: number) => void) => ack(a + b));
    socket.on("say", (text: string) => socket.to("lobby").emit("said", socket.id, text));
    socket.on("bytes", (data: Buffer, ack: (reply: unknown) => void) => ack({ length: data.length, back: data }));
  });
}

function engineName(client: ClientSocket): string {
  return client.io.engine.transport.name;
}

describe("interop with the stock socket.io-client", () => {
  for (const setup of SETUPS) {
    it(`${setup.name}: connects, chats in a room, acks both ways, carries binary`, async () => {
      const t = await startIo();
      try {
        const sessions = new Map<string, EngineIoSocket>();
        const sockets: SocketIoSocket[] = [];
        serveChat(t, sessions, sockets);
        const options = { transports: [...setup.transports], upgrade: setup.upgrade };
        const alice = t.client("/", options);
        const bob = t.client("/", options);
        const upgraded = setup.upgrade ? once(alice.io.engine, "upgrade") : Promise.resolve();
        await Promise.all([once(alice, "connect"), once(bob, "connect")]);
        await upgraded;
        assert.equal(engineName(alice), setup.final);
        const aliceServer = sockets.find((s) => s.id === alice.id)!;
        await waitFor(() => sessions.get(aliceServer.handshake.engineId)?.transport === setup.final);

        const said = once(bob, "said");
        alice.emit("say", "hello");
        assert.deepEqual(await said, [alice.id, "hello"]);

        assert.equal(await alice.emitWithAck("add", 2, 40), 42);
        bob.on("double", (n: number, ack: (n: number) => void) => ack(n * 2));
        const bobServer = sockets.find((s) => s.id === bob.id)!;
        assert.equal(await bobServer.emitWithAck("double", 21), 42);

        const reply = (await alice.emitWithAck("bytes", Buffer.from([0, 1, 255]))) as { length: number; back: Buffer };
        assert.equal(reply.length, 3);
        assert.deepEqual([...new Uint8Array(reply.back)], [0, 1, 255]);
        const got = once<[Buffer]>(bob, "blob");
        bobServer.emit("blob", new Uint8Array([9, 8, 7]));
        assert.deepEqual([...new Uint8Array((await got)[0])], [9, 8, 7]);
      } finally {
        await t.close();
      }
    });
  }

  it("reconnects by itself after the server closes its session", async () => {
    const t = await startIo();
    try {
      const sessions = new Map<string, EngineIoSocket>();
      const sockets: SocketIoSocket[] = [];
      serveChat(t, sessions, sockets);
      const client = t.client("/", { transports: ["websocket"], ...FAST_RECONNECT });
      await once(client, "connect");
      const firstId = client.id;
      const reason = once<[string]>(client, "disconnect");
      sessions.get(sockets[0]!.handshake.engineId)!.close("test cut");
      assert.equal((await reason)[0], "transport close");
      await once(client, "connect");
      assert.notEqual(client.id, firstId, "without recovery the socket is a new one");
      assert.equal(await client.emitWithAck("add", 1, 1), 2);
    } finally {
      await t.close();
    }
  });

  it("recovers the socket across that automatic reconnection, with the missed broadcasts", async () => {
    const t = await startIo({ connectionStateRecovery: { maxDisconnectionDurationMs: 5_000 } });
    try {
      const sessions = new Map<string, EngineIoSocket>();
      const sockets: SocketIoSocket[] = [];
      serveChat(t, sessions, sockets);
      const client = t.client("/", { transports: ["polling", "websocket"], ...FAST_RECONNECT });
      const news: number[] = [];
      client.on("news", (n: number) => news.push(n));
      await once(client, "connect");
      const firstId = client.id;
      t.io.to("lobby").emit("news", 1);
      await waitFor(() => news.length === 1);
      const serverGone = new Promise<string>((resolve) => sockets[0]!.on("disconnect", resolve));
      sessions.get(sockets[0]!.handshake.engineId)!.close("test cut");
      assert.equal(await serverGone, "forced close");
      for (let n = 2; n <= 4; n++) t.io.to("lobby").emit("news", n);
      await once(client, "connect");
      assert.equal(client.recovered, true);
      assert.equal(client.id, firstId);
      await waitFor(() => news.length >= 4);
      t.io.to("lobby").emit("news", 5);
      await waitFor(() => news.length >= 5);
      assert.deepEqual(news, [1, 2, 3, 4, 5]);
    } finally {
      await t.close();
    }
  });

  it("an auth refusal reaches the client as connect_error with its message and data", async () => {
    const t = await startIo();
    try {
      t.io.use((socket, next) => {
        if (socket.handshake.auth.token === "good") return next();
        next(Object.assign(new Error("not authorized"), { data: { retryAfterMs: 500 } }));
      });
      const refused = t.client("/", { auth: { token: "bad" } });
      const [error] = await once<[Error & { data?: unknown }]>(refused, "connect_error");
      assert.equal(error.message, "not authorized");
      assert.deepEqual(error.data, { retryAfterMs: 500 });
      assert.equal(refused.connected, false);
      const accepted = t.client("/", { auth: { token: "good" } });
      await once(accepted, "connect");
    } finally {
      await t.close();
    }
  });
});
