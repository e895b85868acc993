/** Dynamic namespaces, `io.of(regex)` and `io.of(predicate)`, with the stock socket.io-client. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SocketIoSocket } from "../../../src/edge/socket-io/socket-io-socket.js";
import { once, startIo, waitFor } from "./server-harness.js";

describe("Socket.IO dynamic namespaces", () => {
  it("a RegExp parent creates the concrete namespace on connect; its middleware and listener apply", async () => {
    const t = await startIo();
    try {
      const parent = t.io.of(/^\/room-\d+$/);
      const seen: string[] = [];
      parent.use((socket, next) => {
        seen.push(`mw ${socket.nsp.name}`);
        next();
      });
      parent.on("connection", (socket) => {
        seen.push(`conn ${socket.nsp.name}`);
        socket.emit("hello", socket.nsp.name);
      });
      const a = t.client("/room-7");
      const b = t.client("/room-42");
      const [helloA, helloB] = await Promise.all([once(a, "hello"), once(b, "hello")]);
      assert.deepEqual(helloA, ["/room-7"]);
      assert.deepEqual(helloB, ["/room-42"]);
      assert.deepEqual([...parent.children.keys()].sort(), ["/room-42", "/room-7"]);
      assert.ok(seen.includes("mw /room-7") && seen.includes("conn /room-42"));
      assert.equal(t.io.of("/room-7"), parent.children.get("/room-7"), "of(name) finds the child");
    } finally {
      await t.close();
    }
  });

  it("a listener added to the parent after a child exists still applies to that child", async () => {
    const t = await startIo();
    try {
      const parent = t.io.of(/^\/late-\w+$/);
      const first = t.client("/late-a");
      await once(first, "connect");
      const names: string[] = [];
      parent.on("connection", (socket) => names.push(socket.nsp.name));
      parent.children.get("/late-a")!.on("connection", (socket) => names.push(`own ${socket.nsp.name}`));
      const second = t.client("/late-a");
      await once(second, "connect");
      assert.deepEqual(names, ["/late-a", "own /late-a"], "the parent's listener runs before the child's own");
    } finally {
      await t.close();
    }
  });

  it("a predicate can answer later, sees the auth, and refusing leads to 'Invalid namespace'", async () => {
    const t = await startIo();
    try {
      const asked: unknown[] = [];
      t.io.of((name, auth, next) => {
        asked.push([name, auth.token]);
        setTimeout(() => next(null, auth.token === "ok"), 5);
      });
      const allowed = t.client("/tenant-1", { auth: { token: "ok" } });
      await once(allowed, "connect");
      const refused = t.client("/tenant-2", { auth: { token: "no" } });
      const [error] = await once<[Error]>(refused, "connect_error");
      assert.equal(error.message, "Invalid namespace");
      assert.deepEqual(asked, [
        ["/tenant-1", "ok"],
        ["/tenant-2", "no"],
      ]);
      assert.equal(t.io.of("/").sockets.size, 0);
    } finally {
      await t.close();
    }
  });

  it("a parent middleware refusal is a CONNECT_ERROR with message and data", async () => {
    const t = await startIo();
    try {
      t.io.of(/^\/secure-\d+$/).use((_socket, next) => next(Object.assign(new Error("denied"), { data: { code: 7 } })));
      const client = t.client("/secure-1");
      const [error] = await once<[Error & { data?: unknown }]>(client, "connect_error");
      assert.equal(error.message, "denied");
      assert.deepEqual(error.data, { code: 7 });
    } finally {
      await t.close();
    }
  });

  it("an unknown namespace with no parent accepting it still gets 'Invalid namespace'", async () => {
    const t = await startIo();
    try {
      t.io.of(/^\/only-\d+$/);
      const client = t.client("/other");
      const [error] = await once<[Error]>(client, "connect_error");
      assert.equal(error.message, "Invalid namespace");
    } finally {
      await t.close();
    }
  });

  it("a broadcast from the parent reaches the sockets of every child, each with its own namespace", async () => {
    const t = await startIo();
    try {
      const parent = t.io.of(/^\/game-\d+$/);
      const sockets: SocketIoSocket[] = [];
      parent.on("connection", (socket) => {
        sockets.push(socket);
        socket.join("players");
      });
      const a = t.client("/game-1");
      const b = t.client("/game-2");
      await Promise.all([once(a, "connect"), once(b, "connect")]);
      const got = Promise.all([once(a, "tick"), once(b, "tick")]);
      assert.equal(parent.to("players").emit("tick", 1), 2);
      assert.deepEqual(await got, [[1], [1]]);
    } finally {
      await t.close();
    }
  });

  it("forgets a child when its last socket leaves, and creates it afresh on the next connect", async () => {
    const t = await startIo();
    try {
      const parent = t.io.of(/^\/tmp-\d+$/);
      const client = t.client("/tmp-1");
      await once(client, "connect");
      const first = parent.children.get("/tmp-1");
      assert.ok(first !== undefined);
      client.disconnect();
      await waitFor(() => parent.children.size === 0);
      const again = t.client("/tmp-1");
      await once(again, "connect");
      assert.notEqual(parent.children.get("/tmp-1"), first);
    } finally {
      await t.close();
    }
  });

  it("bounds the children: at childNamespacesMax a new name is refused while every child is in use", async () => {
    const t = await startIo({ childNamespacesMax: 1 });
    try {
      const parent = t.io.of(/^\/n-\d+$/);
      const busy = t.client("/n-1");
      await once(busy, "connect");
      const refused = t.client("/n-2");
      const [error] = await once<[Error]>(refused, "connect_error");
      assert.equal(error.message, "Invalid namespace");
      busy.disconnect();
      const later = t.client("/n-3");
      await once(later, "connect");
      assert.deepEqual([...parent.children.keys()], ["/n-3"]);
    } finally {
      await t.close();
    }
  });

  it("rejects a stateful RegExp", async () => {
    const t = await startIo();
    try {
      assert.throws(() => t.io.of(/x/g), RangeError);
    } finally {
      await t.close();
    }
  });
});
