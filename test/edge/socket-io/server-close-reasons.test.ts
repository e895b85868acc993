/** What a stock client observes when the server closes its connection (see docs/protocol-notes.md). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EngineIoSocket } from "../../../src/edge/engine-io/engine-io-socket.js";
import type { SocketIoSocket } from "../../../src/edge/socket-io/socket-io-socket.js";
import { once, startIo, waitFor } from "./server-harness.js";

/** Collects the server-side Engine.IO close (reason, description) of every session. */
function engineCloses(engine: { onConnection(l: (s: EngineIoSocket) => void): void }): Array<[string, string?]> {
  const closes: Array<[string, string?]> = [];
  engine.onConnection((socket) => socket.on("close", (reason, description) => closes.push([reason, description])));
  return closes;
}

describe("close reasons the client can observe", () => {
  for (const transports of [["websocket"], ["polling"]]) {
    it(`a handler crash sends DISCONNECT for every namespace: "io server disconnect" (${transports[0]})`, async () => {
      const t = await startIo();
      try {
        const closes = engineCloses(t.io.engine);
        const server: SocketIoSocket[] = [];
        t.io.on("connection", (socket) => server.push(socket));
        t.io.of("/admin").on("connection", (socket) => {
          server.push(socket);
          socket.on("boom", () => {
            throw new Error("admin handler exploded");
          });
        });
        const main = t.client("/", { transports });
        await once(main, "connect");
        // Same manager, so both namespaces share one Engine.IO connection.
        const admin = main.io.socket("/admin");
        admin.connect();
        await once(admin, "connect");
        const mainGone = once<[string]>(main, "disconnect");
        const adminGone = once<[string]>(admin, "disconnect");
        admin.emit("boom");
        assert.equal((await adminGone)[0], "io server disconnect");
        assert.equal((await mainGone)[0], "io server disconnect");
        await waitFor(() => closes.length === 1);
        assert.deepEqual(closes[0], ["forced close", "server error: admin handler exploded"]);
        assert.deepEqual(
          server.map((socket) => socket.disconnectReason),
          ["server error: admin handler exploded", "server error: admin handler exploded"],
        );
        assert.equal(main.active, false, "io server disconnect does not reconnect");
      } finally {
        await t.close();
      }
    });

    it(`socket.disconnect(true) sends DISCONNECT for every namespace (${transports[0]})`, async () => {
      const t = await startIo();
      try {
        t.io.of("/admin").on("connection", (socket) => socket.on("leave", () => socket.disconnect(true)));
        const main = t.client("/", { transports });
        await once(main, "connect");
        const admin = main.io.socket("/admin");
        admin.connect();
        await once(admin, "connect");
        const gone = Promise.all([once<[string]>(main, "disconnect"), once<[string]>(admin, "disconnect")]);
        admin.emit("leave");
        assert.deepEqual(
          (await gone).map(([reason]) => reason),
          ["io server disconnect", "io server disconnect"],
        );
      } finally {
        await t.close();
      }
    });

    it(`a parse error closes the transport: "transport close" (${transports[0]})`, async () => {
      const t = await startIo();
      try {
        const closes = engineCloses(t.io.engine);
        const server: SocketIoSocket[] = [];
        t.io.on("connection", (socket) => server.push(socket));
        const client = t.client("/", { transports });
        await once(client, "connect");
        const gone = once<[string]>(client, "disconnect");
        client.io.engine.send("9 not a packet");
        assert.equal((await gone)[0], "transport close");
        await waitFor(() => closes.length === 1);
        assert.deepEqual(closes[0], ["forced close", "parse error"]);
        assert.equal(server[0]!.disconnectReason, "parse error");
      } finally {
        await t.close();
      }
    });
  }
});
