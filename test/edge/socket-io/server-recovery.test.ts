/** Connection state recovery with the stock socket.io-client: same id, rooms, data, missed packets. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Socket as ClientSocket } from "socket.io-client";
import type { SocketIoSocket } from "../../../src/edge/socket-io/socket-io-socket.js";
import { once, startIo, waitFor } from "./server-harness.js";

/** Closes the client's Engine.IO session (the server sees "transport close") and waits for both sides. */
async function cutTransport(client: ClientSocket, server: SocketIoSocket): Promise<void> {
  const serverSide = new Promise<string>((resolve) => server.on("disconnect", resolve));
  const clientSide = once<[string]>(client, "disconnect");
  client.io.engine.close();
  assert.equal((await clientSide)[0], "forced close"); // engine.io-client's reason for its own close()
  assert.equal(await serverSide, "transport close");
}

describe("Socket.IO connection state recovery", () => {
  for (const transports of [["websocket"], ["polling"]]) {
    it(`a client back within the window keeps its id, rooms and data and gets missed packets in order (${transports[0]})`, async () => {
      const t = await startIo({ connectionStateRecovery: { maxDisconnectionDurationMs: 10_000 } });
      try {
        const sockets: SocketIoSocket[] = [];
        t.io.on("connection", (socket) => {
          sockets.push(socket);
          if (socket.recovered) return;
          socket.join("news");
          socket.data.name = "ada";
        });
        const client = t.client("/", { transports });
        const got: unknown[] = [];
        client.on("news", (n: number) => got.push(n));
        client.on("direct", (text: string) => got.push(text));
        await once(client, "connect");
        assert.equal(client.recovered, false);
        const firstId = client.id;
        t.io.to("news").emit("news", 1);
        await waitFor(() => got.length === 1);

        await cutTransport(client, sockets[0]!);
        t.io.to("news").emit("news", 2);
        sockets[0]!.emit("direct", "while away");
        t.io.except("news").emit("news", 99); // not for this socket
        t.io.to("news").emit("news", 3);

        client.connect();
        await once(client, "connect");
        assert.equal(client.recovered, true);
        assert.equal(client.id, firstId);
        const again = sockets[1]!;
        assert.equal(again.recovered, true);
        assert.equal(again.id, firstId);
        assert.deepEqual(again.data, { name: "ada" });
        assert.ok(again.rooms.has("news"));
        assert.deepEqual(got, [1, 2, "while away", 3]);

        t.io.to("news").emit("news", 4);
        await waitFor(() => got.length === 5);
        assert.deepEqual(got, [1, 2, "while away", 3, 4], "no duplicates after recovery");
      } finally {
        await t.close();
      }
    });
  }

  it("recovers a socket of a dynamic namespace's child, whose kept session keeps the child alive", async () => {
    const t = await startIo({ connectionStateRecovery: true });
    try {
      const parent = t.io.of(/^\/room-\d+$/);
      const sockets: SocketIoSocket[] = [];
      parent.on("connection", (socket) => sockets.push(socket));
      const client = t.client("/room-9", { transports: ["websocket"] });
      const got: unknown[] = [];
      client.on("news", (n: number) => got.push(n));
      await once(client, "connect");
      await cutTransport(client, sockets[0]!);
      assert.ok(parent.children.has("/room-9"));
      parent.emit("news", 1);
      client.connect();
      await once(client, "connect");
      assert.equal(client.recovered, true);
      assert.equal(sockets[1]!.nsp.name, "/room-9");
      await waitFor(() => got.length === 1);
      assert.deepEqual(got, [1]);
    } finally {
      await t.close();
    }
  });

  it("the CONNECT reply carries pid and events carry an offset as their last argument", async () => {
    const t = await startIo({ connectionStateRecovery: true });
    try {
      const client = t.client("/", { transports: ["websocket"] });
      await once(client, "connect");
      const event = once<unknown[]>(client, "news");
      t.io.emit("news", "a");
      const args = await event;
      assert.equal(args.length, 2);
      assert.equal(args[0], "a");
      assert.equal(typeof args[1], "string");
      assert.equal(typeof (client as unknown as { _pid?: unknown })._pid, "string");
    } finally {
      await t.close();
    }
  });

  it("a client that received nothing logged before the cut is still recovered, from the session start", async () => {
    const t = await startIo({ connectionStateRecovery: true });
    try {
      const sockets: SocketIoSocket[] = [];
      t.io.on("connection", (socket) => sockets.push(socket));
      const client = t.client("/", { transports: ["websocket"] });
      const got: unknown[] = [];
      client.on("news", (n: number) => got.push(n));
      await once(client, "connect");
      await cutTransport(client, sockets[0]!);
      t.io.emit("news", 1);
      client.connect();
      await once(client, "connect");
      assert.equal(client.recovered, true);
      await waitFor(() => got.length === 1);
      assert.deepEqual(got, [1]);
    } finally {
      await t.close();
    }
  });

  it("after maxDisconnectionDurationMs the session has expired: a new id, no replay", async () => {
    const t = await startIo({ connectionStateRecovery: { maxDisconnectionDurationMs: 100 } });
    try {
      const sockets: SocketIoSocket[] = [];
      t.io.on("connection", (socket) => sockets.push(socket));
      const client = t.client("/", { transports: ["websocket"] });
      const got: unknown[] = [];
      client.on("news", (n: number) => got.push(n));
      await once(client, "connect");
      const firstId = client.id;
      t.io.emit("news", 1);
      await waitFor(() => got.length === 1);
      await cutTransport(client, sockets[0]!);
      t.io.emit("news", 2);
      await new Promise((resolve) => setTimeout(resolve, 200));
      client.connect();
      await once(client, "connect");
      assert.equal(client.recovered, false);
      assert.notEqual(client.id, firstId);
      assert.equal(sockets[1]!.recovered, false);
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.deepEqual(got, [1]);
    } finally {
      await t.close();
    }
  });

  it("runs the middlewares on recovery only when skipMiddlewares is false", async () => {
    for (const skipMiddlewares of [true, false]) {
      const t = await startIo({ connectionStateRecovery: { skipMiddlewares } });
      try {
        const sockets: SocketIoSocket[] = [];
        let runs = 0;
        t.io.use((_socket, next) => {
          runs++;
          next();
        });
        t.io.on("connection", (socket) => sockets.push(socket));
        const client = t.client("/", { transports: ["websocket"] });
        await once(client, "connect");
        await cutTransport(client, sockets[0]!);
        client.connect();
        await once(client, "connect");
        assert.equal(client.recovered, true);
        assert.equal(runs, skipMiddlewares ? 1 : 2);
      } finally {
        await t.close();
      }
    }
  });

  it("a client that leaves on purpose is not recoverable", async () => {
    const t = await startIo({ connectionStateRecovery: true });
    try {
      const client = t.client("/", { transports: ["websocket"] });
      await once(client, "connect");
      const firstId = client.id;
      client.disconnect();
      client.connect();
      await once(client, "connect");
      assert.equal(client.recovered, false);
      assert.notEqual(client.id, firstId);
    } finally {
      await t.close();
    }
  });

  it("volatile and acknowledged emits carry no offset and are not replayed", async () => {
    const t = await startIo({ connectionStateRecovery: true });
    try {
      const sockets: SocketIoSocket[] = [];
      t.io.on("connection", (socket) => sockets.push(socket));
      const client = t.client("/", { transports: ["websocket"] });
      const got: unknown[][] = [];
      client.on("v", (...args: unknown[]) => got.push(args));
      await once(client, "connect");
      t.io.volatile.emit("v", 1);
      await waitFor(() => got.length === 1);
      assert.deepEqual(got[0], [1]);
      await cutTransport(client, sockets[0]!);
      t.io.volatile.emit("v", 2);
      client.connect();
      await once(client, "connect");
      assert.equal(client.recovered, true);
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.equal(got.length, 1);
    } finally {
      await t.close();
    }
  });
});
