/** The Socket.IO server with the stock socket.io-client: connect, events and acks both ways, binary. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SocketIoSocket } from "../../../src/edge/socket-io/socket-io-socket.js";
import { once, startIo, waitFor } from "./server-harness.js";

describe("Socket.IO server with socket.io-client", () => {
  it("connects with auth, gives the socket an id, and sees both kinds of disconnect", async () => {
    const t = await startIo();
    try {
      const sockets: SocketIoSocket[] = [];
      t.io.on("connection", (socket) => sockets.push(socket));
      const client = t.client("/", { auth: { token: "abc" } });
      await once(client, "connect");
      assert.equal(sockets.length, 1);
      const socket = sockets[0]!;
      assert.equal(client.id, socket.id);
      assert.deepEqual(socket.handshake.auth, { token: "abc" });
      assert.ok(socket.rooms.has(socket.id));
      const serverSide = new Promise<string[]>((resolve) =>
        socket.on("disconnect", (...args: string[]) => resolve(args)),
      );
      client.disconnect();
      assert.deepEqual(await serverSide, ["client namespace disconnect"]);
      assert.equal(t.io.of("/").sockets.size, 0);

      const second = t.client();
      await once(second, "connect");
      const clientSide = once<[string]>(second, "disconnect");
      sockets[1]!.disconnect();
      assert.equal((await clientSide)[0], "io server disconnect");
      assert.equal(sockets[1]!.disconnectReason, "server namespace disconnect");
    } finally {
      await t.close();
    }
  });

  it("carries events both ways, with socket.data kept per socket", async () => {
    const t = await startIo();
    try {
      t.io.on("connection", (socket) => {
        socket.data.count = 0;
        socket.on("hello", (name: string, n: number) => {
          socket.data.count += n;
          socket.emit("welcome", `hi ${name}`, socket.data.count, { nested: [1, "two"] });
        });
      });
      const client = t.client();
      await once(client, "connect");
      const reply = once(client, "welcome");
      client.emit("hello", "ada", 2);
      assert.deepEqual(await reply, ["hi ada", 2, { nested: [1, "two"] }]);
    } finally {
      await t.close();
    }
  });

  it("answers a client ack, and gets client acks by callback and by emitWithAck", async () => {
    const t = await startIo();
    try {
      let server: SocketIoSocket | undefined;
      t.io.on("connection", (socket) => {
        server = socket;
        socket.on("add", (a: number, b: number, ack: (sum: number) => void) => ack(a + b));
      });
      const client = t.client();
      client.on("double", (n: number, ack: (r: number) => void) => ack(n * 2));
      await once(client, "connect");
      assert.equal(await client.emitWithAck("add", 2, 3), 5);

      const byCallback = await new Promise((resolve) => server!.emit("double", 21, resolve));
      assert.equal(byCallback, 42);
      assert.equal(await server!.emitWithAck("double", 4), 8);
      const timed = await new Promise<unknown[]>((resolve) =>
        server!.timeout(1000).emit("double", 5, (...args: unknown[]) => resolve(args)),
      );
      assert.deepEqual(timed, [null, 10]);
    } finally {
      await t.close();
    }
  });

  it("rejects emitWithAck with a timeout when the client never answers", async () => {
    const t = await startIo({ ackTimeoutMs: 50 });
    try {
      let server: SocketIoSocket | undefined;
      t.io.on("connection", (socket) => (server = socket));
      const client = t.client();
      client.on("silent", () => {});
      await once(client, "connect");
      await assert.rejects(server!.emitWithAck("silent", 1), { message: "operation has timed out" });
      await assert.rejects(server!.timeout(30).emitWithAck("silent"), { message: "operation has timed out" });
    } finally {
      await t.close();
    }
  });

  it("carries Buffers both ways, in events and acks", async () => {
    const t = await startIo();
    try {
      t.io.on("connection", (socket) => {
        socket.on("upload", (meta: { name: string }, bytes: Uint8Array, ack: (r: unknown) => void) => {
          assert.ok(bytes instanceof Uint8Array);
          ack({ name: meta.name, size: bytes.length, reversed: Buffer.from(bytes).reverse() });
          socket.emit("download", Buffer.from([9, 8, 7]), "after");
        });
      });
      const client = t.client();
      await once(client, "connect");
      const download = once<[Buffer, string]>(client, "download");
      const reply = (await client.emitWithAck("upload", { name: "f" }, Buffer.from([1, 2, 3]))) as {
        name: string;
        size: number;
        reversed: Buffer;
      };
      assert.equal(reply.name, "f");
      assert.equal(reply.size, 3);
      assert.deepEqual([...new Uint8Array(reply.reversed)], [3, 2, 1]);
      const [bytes, after] = await download;
      assert.deepEqual([...new Uint8Array(bytes)], [9, 8, 7]);
      assert.equal(after, "after");
    } finally {
      await t.close();
    }
  });

  it("closes the server-side sockets when the server closes", async () => {
    const t = await startIo();
    try {
      const reasons: string[] = [];
      t.io.on("connection", (socket) => socket.on("disconnect", (reason: string) => reasons.push(reason)));
      const client = t.client();
      await once(client, "connect");
      const gone = once(client, "disconnect");
      t.io.close();
      await gone;
      await waitFor(() => reasons.length === 1);
      assert.equal(t.io.of("/").sockets.size, 0);
    } finally {
      await t.close();
    }
  });
});
