/** `sendEncoded` (pre-encoded messages, shared between sessions) and `close(reason)`. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Socket as ClientSocket } from "engine.io-client";
import type { EngineIoSocket } from "../../../src/edge/engine-io/engine-io-socket.js";
import type { EngineIoEncodedMessages } from "../../../src/edge/engine-io/engine-io-transport.js";
import { once, startServer, waitFor } from "./server-harness.js";

function show(data: unknown): string {
  if (typeof data === "string") return data;
  return `<${[...new Uint8Array(data as ArrayBuffer)].join(",")}>`;
}

const SHARED: EngineIoEncodedMessages = Object.freeze({
  webSocketFrames: Object.freeze(["4shared", new Uint8Array([1, 2])]),
  pollingRecords: "4shared\x1ebAQI=",
});

for (const transport of ["polling", "websocket"]) {
  test(`sendEncoded writes the shared frames in order with send (${transport})`, async () => {
    const server = await startServer();
    const sockets: EngineIoSocket[] = [];
    server.engine.onConnection((socket) => sockets.push(socket));
    const clients = [0, 1].map(() => new ClientSocket(server.origin, { transports: [transport] } as never));
    try {
      const seen: string[][] = clients.map(() => []);
      clients.forEach((client, i) => client.on("message", (data: unknown) => seen[i]!.push(show(data))));
      await Promise.all(clients.map((client) => once(client, "open")));
      await waitFor(() => sockets.length === 2);
      for (const socket of sockets) {
        socket.send("before");
        socket.sendEncoded(SHARED);
        socket.send("after");
      }
      await waitFor(() => seen.every((list) => list.length === 4));
      for (const list of seen) assert.deepEqual(list, ["before", "shared", "<1,2>", "after"]);
    } finally {
      for (const client of clients) client.close();
      await server.close();
    }
  });

  test(`close(reason) reports "forced close" with the reason as description (${transport})`, async () => {
    const server = await startServer();
    const sockets: EngineIoSocket[] = [];
    server.engine.onConnection((socket) => sockets.push(socket));
    const client = new ClientSocket(server.origin, { transports: [transport] } as never);
    try {
      await once(client, "open");
      await waitFor(() => sockets.length === 1);
      const closed = new Promise<[string, string | undefined]>((resolve) =>
        sockets[0]!.on("close", (reason, description) => resolve([reason, description])),
      );
      const clientClosed = once<[string]>(client, "close");
      sockets[0]!.sendEncoded(SHARED);
      sockets[0]!.close("server error: boom");
      sockets[0]!.sendEncoded(SHARED); // ignored once closing
      assert.deepEqual(await closed, ["forced close", "server error: boom"]);
      assert.equal((await clientClosed)[0], "transport close");
    } finally {
      client.close();
      await server.close();
    }
  });
}
