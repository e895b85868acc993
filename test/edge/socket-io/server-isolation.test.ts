/** Failure isolation (a throwing handler, bad input) and the transports, with stock clients. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Socket as EngineClient } from "engine.io-client";
import type { SocketIoSocket } from "../../../src/edge/socket-io/socket-io-socket.js";
import { once, startIo, waitFor } from "./server-harness.js";

describe("Socket.IO connection actors isolate failures", () => {
  it("a throwing handler closes only its own connection, with a clear reason", async () => {
    const t = await startIo();
    try {
      const sockets = new Map<string, SocketIoSocket>();
      t.io.on("connection", (socket) => {
        sockets.set(socket.handshake.auth.name as string, socket);
        socket.on("boom", () => {
          throw new Error("handler exploded");
        });
        socket.on("echo", (value: unknown, ack: (v: unknown) => void) => ack(value));
      });
      const victim = t.client("/", { auth: { name: "victim" } });
      const bystander = t.client("/", { auth: { name: "bystander" } });
      await Promise.all([once(victim, "connect"), once(bystander, "connect")]);
      const actorsBefore = t.loop.actorCount;

      const victimGone = once<[string]>(victim, "disconnect");
      victim.emit("boom");
      assert.equal((await victimGone)[0], "io server disconnect");
      assert.equal(sockets.get("victim")!.disconnectReason, "server error: handler exploded");
      assert.equal(sockets.get("victim")!.connected, false);
      await waitFor(() => t.loop.actorCount === actorsBefore - 1);

      assert.equal(await bystander.emitWithAck("echo", "still here"), "still here");
      assert.equal(sockets.get("bystander")!.connected, true);
      assert.deepEqual([...t.io.of("/").sockets.keys()], [sockets.get("bystander")!.id]);
    } finally {
      await t.close();
    }
  });

  it('closes a connection that sends an undecodable packet with "parse error"', async () => {
    const t = await startIo();
    try {
      const sockets: SocketIoSocket[] = [];
      t.io.on("connection", (socket) => sockets.push(socket));
      const raw = new EngineClient(t.origin, { path: "/socket.io/", transports: ["websocket"] });
      await once(raw, "open");
      const granted = once<[string]>(raw, "message");
      raw.send("0");
      assert.match((await granted)[0], /^0\{"sid":"[\w-]+"\}$/);
      const closed = once(raw, "close");
      raw.send("9 not a packet");
      await closed;
      await waitFor(() => sockets[0]!.disconnectReason !== null);
      assert.equal(sockets[0]!.disconnectReason, "parse error");

      const healthy = t.client();
      await once(healthy, "connect");
    } finally {
      await t.close();
    }
  });
});

describe("Socket.IO transports", () => {
  for (const transports of [["websocket"], ["polling"], ["polling", "websocket"]] as const) {
    it(`serves a ${transports.join("+")} client: events, acks and binary`, async () => {
      const t = await startIo();
      try {
        t.io.on("connection", (socket) => {
          socket.on("echo", (value: unknown, ack: (v: unknown) => void) => ack(value));
          socket.emit("hello", Buffer.from([1, 2]));
        });
        const client = t.client("/", { transports: [...transports] });
        const hello = once<[ArrayBuffer | Buffer]>(client, "hello");
        await once(client, "connect");
        assert.deepEqual([...new Uint8Array((await hello)[0])], [1, 2]);
        assert.deepEqual(await client.emitWithAck("echo", { n: 1 }), { n: 1 });
        const bytes = (await client.emitWithAck("echo", Buffer.from([7, 8, 9]))) as ArrayBuffer | Buffer;
        assert.deepEqual([...new Uint8Array(bytes)], [7, 8, 9]);
        if (transports.length === 2) {
          await waitFor(() => client.io.engine.transport.name === "websocket");
          assert.deepEqual(await client.emitWithAck("echo", "after upgrade"), "after upgrade");
        } else {
          assert.equal(client.io.engine.transport.name, transports[0]);
        }
      } finally {
        await t.close();
      }
    });
  }
});
