/**
 * Interop with the stock npm `engine.io-client` at the Socket.IO endpoint, speaking Socket.IO
 * packets by hand — what a client library that brings its own Socket.IO layer on top of an
 * Engine.IO transport does. Checks the exact packets the server writes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Socket as EngineClient } from "engine.io-client";
import { once, startIo, waitFor } from "../socket-io/server-harness.js";

/** Opens an engine.io-client session at `/socket.io/` and records what it receives. */
async function open(origin: string, transports: string[]): Promise<{ client: EngineClient; got: unknown[] }> {
  const client = new EngineClient(origin, { path: "/socket.io/", transports } as never);
  const got: unknown[] = [];
  client.on("message", (data: unknown) => got.push(typeof data === "string" ? data : Buffer.from(data as ArrayBuffer)));
  await once(client, "open");
  return { client, got };
}

describe("interop with the stock engine.io-client at the Socket.IO endpoint", () => {
  for (const transports of [["polling"], ["websocket"]]) {
    it(`CONNECT, an acked event and a binary ack, packet by packet (${transports[0]})`, async () => {
      const t = await startIo();
      const { client, got } = await open(t.origin, transports);
      try {
        t.io.on("connection", (socket) => {
          socket.on("add", (a: number, b: number, ack: (sum: number) => void) => ack(a + b));
          socket.on("echo", (data: Buffer, ack: (data: Buffer) => void) => ack(data));
        });
        client.send("0");
        await waitFor(() => got.length === 1);
        const connect = got[0] as string;
        assert.match(connect, /^0\{"sid":"[\w-]{20}"\}$/);
        client.send('21["add",2,3]');
        await waitFor(() => got.length === 2);
        assert.equal(got[1], "31[5]");
        client.send('51-7["echo",{"_placeholder":true,"num":0}]');
        client.send(Buffer.from([1, 2, 3]));
        await waitFor(() => got.length === 4);
        assert.equal(got[2], '61-7[{"_placeholder":true,"num":0}]');
        assert.deepEqual([...(got[3] as Buffer)], [1, 2, 3]);
      } finally {
        client.close();
        await t.close();
      }
    });
  }

  it("a CONNECT with recovery on is answered with sid and pid, and events carry an offset", async () => {
    const t = await startIo({ connectionStateRecovery: true });
    const { client, got } = await open(t.origin, ["websocket"]);
    try {
      client.send("0");
      await waitFor(() => got.length === 1);
      assert.match(got[0] as string, /^0\{"sid":"[\w-]{20}","pid":"[\w-]{20}"\}$/);
      t.io.emit("news", 1);
      await waitFor(() => got.length === 2);
      assert.match(got[1] as string, /^2\["news",1,"[0-9a-f]{8}\.[0-9a-z]+"\]$/);
    } finally {
      client.close();
      await t.close();
    }
  });
});
