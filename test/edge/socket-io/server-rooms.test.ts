/** Namespaces, middleware refusal and rooms, with the stock socket.io-client. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Socket as ClientSocket } from "socket.io-client";
import type { SocketIoSocket } from "../../../src/edge/socket-io/socket-io-socket.js";
import { once, startIo } from "./server-harness.js";

/** Collects the `news` events a client receives. */
function inbox(client: ClientSocket): unknown[] {
  const got: unknown[] = [];
  client.on("news", (value: unknown) => got.push(value));
  return got;
}

/** A round trip to the server, so that every earlier packet to this client has arrived. */
async function sync(client: ClientSocket): Promise<void> {
  await client.emitWithAck("sync");
}

describe("Socket.IO namespaces and middleware", () => {
  it("routes a client to its namespace and refuses unknown ones", async () => {
    const t = await startIo();
    try {
      const seen: string[] = [];
      t.io.on("connection", () => seen.push("/"));
      t.io.of("/admin").on("connection", (socket) => {
        seen.push("/admin");
        socket.on("whoami", (ack: (nsp: string) => void) => ack(socket.nsp.name));
      });
      const admin = t.client("/admin");
      await once(admin, "connect");
      assert.equal(await admin.emitWithAck("whoami"), "/admin");
      assert.deepEqual(seen, ["/admin"]);

      const nowhere = t.client("/nowhere");
      const [error] = await once<[Error]>(nowhere, "connect_error");
      assert.equal(error.message, "Invalid namespace");
    } finally {
      await t.close();
    }
  });

  it("runs middlewares in order, and a refusal reaches the client as connect_error with its message and data", async () => {
    const t = await startIo();
    try {
      const order: string[] = [];
      const connected: string[] = [];
      const nsp = t.io.of("/private");
      nsp.use((socket, next) => {
        order.push("first");
        socket.data.user = socket.handshake.auth.user;
        next();
      });
      nsp.use((socket, next) => {
        order.push("second");
        if (socket.handshake.auth.token === "good") next();
        else next(Object.assign(new Error("not authorized"), { data: { code: 401 } }));
      });
      nsp.on("connection", (socket) => connected.push(socket.data.user));

      const refused = t.client("/private", { auth: { user: "eve", token: "bad" } });
      const [error] = await once<[Error & { data?: unknown }]>(refused, "connect_error");
      assert.equal(error.message, "not authorized");
      assert.deepEqual(error.data, { code: 401 });
      assert.deepEqual(connected, []);

      const allowed = t.client("/private", { auth: { user: "ada", token: "good" } });
      await once(allowed, "connect");
      assert.deepEqual(connected, ["ada"]);
      assert.deepEqual(order, ["first", "second", "first", "second"]);
    } finally {
      await t.close();
    }
  });

  it("lets an asynchronous middleware call next later", async () => {
    const t = await startIo();
    try {
      t.io.use((_socket, next) => void Promise.resolve().then(() => next()));
      const client = t.client();
      await once(client, "connect");
      assert.equal(t.io.of("/").sockets.size, 1);
    } finally {
      await t.close();
    }
  });
});

describe("Socket.IO rooms", () => {
  async function threeClients() {
    const t = await startIo();
    const byName = new Map<string, SocketIoSocket>();
    t.io.on("connection", (socket) => {
      const name = socket.handshake.auth.name as string;
      byName.set(name, socket);
      socket.on("sync", (ack: () => void) => ack());
      socket.on("join", (room: string, ack: () => void) => {
        socket.join(room);
        ack();
      });
      socket.on("shout", (room: string, text: string) => socket.to(room).emit("news", text));
    });
    const clients = ["a", "b", "c"].map((name) => t.client("/", { auth: { name } }));
    await Promise.all(clients.map((c) => once(c, "connect")));
    return { t, byName, clients: clients as [ClientSocket, ClientSocket, ClientSocket] };
  }

  it("io.to(room) reaches the members only, and except leaves a room out", async () => {
    const { t, byName, clients } = await threeClients();
    try {
      const [a, b, c] = clients;
      const got = clients.map(inbox);
      await a.emitWithAck("join", "red");
      await b.emitWithAck("join", "red");
      await b.emitWithAck("join", "blue");
      assert.equal(t.io.to("red").emit("news", "to red"), 2);
      assert.equal(t.io.of("/").to("red").except("blue").emit("news", "red not blue"), 1);
      assert.equal(t.io.to(["red", "blue"]).emit("news", "union"), 2);
      assert.equal(t.io.emit("news", "all"), 3);
      await Promise.all(clients.map(sync));
      assert.deepEqual(got[0], ["to red", "red not blue", "union", "all"]);
      assert.deepEqual(got[1], ["to red", "union", "all"]);
      assert.deepEqual(got[2], ["all"]);

      byName.get("a")!.leave("red");
      t.io.to("red").emit("news", "after leave");
      await Promise.all(clients.map(sync));
      assert.deepEqual(got[0]!.at(-1), "all");
      assert.deepEqual(got[1]!.at(-1), "after leave");
      void c;
    } finally {
      await t.close();
    }
  });

  it("socket.to(room) broadcasts to the room without the sender, and a gone socket leaves its rooms", async () => {
    const { t, byName, clients } = await threeClients();
    try {
      const [a, b, c] = clients;
      const got = clients.map(inbox);
      for (const client of clients) await client.emitWithAck("join", "chat");
      a.emit("shout", "chat", "from a");
      await Promise.all(clients.map(sync));
      assert.deepEqual(got, [[], ["from a"], ["from a"]]);

      const bId = byName.get("b")!.id;
      const gone = new Promise((resolve) => byName.get("b")!.on("disconnect", resolve));
      b.disconnect();
      await gone;
      assert.equal(t.io.of("/").adapter.membersOf("chat").has(bId), false);
      assert.equal(t.io.to("chat").emit("news", "later"), 2);
      await Promise.all([a, c].map(sync));
      assert.deepEqual(got[0], ["later"]);
    } finally {
      await t.close();
    }
  });
});
