/** Broadcasts are encoded once and the same frames are written to every recipient, in order. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Socket as ClientSocket } from "socket.io-client";
import { EngineIoSession } from "../../../src/edge/engine-io/engine-io-socket.js";
import type { EngineIoEncodedMessages } from "../../../src/edge/engine-io/engine-io-transport.js";
import type { EncodedPacket } from "../../../src/edge/socket-io/packet-encoder.js";
import { once, startIo, waitFor } from "./server-harness.js";

interface Call {
  readonly session: EngineIoSession;
  readonly encoded: EngineIoEncodedMessages;
}

/** Records every `sendEncoded` of every session until `restore` is called. */
function spySendEncoded(): { calls: Call[]; restore: () => void } {
  const original = EngineIoSession.prototype.sendEncoded;
  const calls: Call[] = [];
  EngineIoSession.prototype.sendEncoded = function (this: EngineIoSession, encoded: EngineIoEncodedMessages) {
    calls.push({ session: this, encoded });
    return original.call(this, encoded);
  };
  return { calls, restore: () => (EngineIoSession.prototype.sendEncoded = original) };
}

function bytesOf(value: unknown): number[] {
  return [...new Uint8Array(value as ArrayBuffer)];
}

describe("Socket.IO broadcasts encode once", () => {
  it("io.emit to N sockets hands the same encoded packet to every session, and every client gets it", async () => {
    const t = await startIo();
    const spy = spySendEncoded();
    try {
      const transports = [["websocket"], ["polling"], ["websocket"], ["polling"], ["polling", "websocket"]];
      const clients: ClientSocket[] = transports.map((list) => t.client("/", { transports: list }));
      await Promise.all(clients.map((client) => once(client, "connect")));
      const news = clients.map((client) => once<[{ n: number }, unknown]>(client, "news"));

      assert.equal(t.io.emit("news", { n: 1 }, Buffer.from([1, 2, 3])), clients.length);

      const received = await Promise.all(news);
      for (const [data, bytes] of received) {
        assert.deepEqual(data, { n: 1 });
        assert.deepEqual(bytesOf(bytes), [1, 2, 3]);
      }
      const broadcast = spy.calls.filter((call) => (call.encoded as EncodedPacket).text?.includes('"news"'));
      assert.equal(broadcast.length, clients.length);
      assert.equal(new Set(broadcast.map((call) => call.encoded)).size, 1, "one encoding shared by all");
      assert.equal(new Set(broadcast.map((call) => call.session)).size, clients.length, "one call per session");
      const shared = broadcast[0]!.encoded;
      assert.ok(Object.isFrozen(shared) && Object.isFrozen(shared.webSocketFrames));
    } finally {
      spy.restore();
      await t.close();
    }
  });

  it("a room broadcast shares one encoding among its members only", async () => {
    const t = await startIo();
    const spy = spySendEncoded();
    try {
      t.io.on("connection", (socket) => {
        if (socket.handshake.auth.join === true) socket.join("r");
        socket.on("echo", (value: unknown, ack: (v: unknown) => void) => ack(value));
      });
      const members = [t.client("/", { auth: { join: true } }), t.client("/", { auth: { join: true } })];
      const outsider = t.client("/", { auth: { join: false } });
      await Promise.all([...members, outsider].map((client) => once(client, "connect")));
      let outsiderGot = 0;
      outsider.on("room-news", () => outsiderGot++);
      const got = members.map((client) => once<[string]>(client, "room-news"));
      assert.equal(t.io.to("r").emit("room-news", "hi"), 2);
      assert.deepEqual(
        (await Promise.all(got)).map(([value]) => value),
        ["hi", "hi"],
      );
      const calls = spy.calls.filter((call) => (call.encoded as EncodedPacket).text?.includes("room-news"));
      assert.equal(calls.length, 2);
      assert.equal(calls[0]!.encoded, calls[1]!.encoded);
      assert.equal(await outsider.emitWithAck("echo", "round trip"), "round trip");
      assert.equal(outsiderGot, 0);
    } finally {
      spy.restore();
      await t.close();
    }
  });

  for (const transports of [["websocket"], ["polling"]]) {
    it(`keeps socket.emit and broadcasts in order (${transports[0]})`, async () => {
      const t = await startIo();
      try {
        t.io.on("connection", (socket) => {
          socket.on("go", () => {
            socket.emit("seq", "a");
            socket.emit("seq", "b", Buffer.from([9]));
            t.io.emit("seq", "c");
            socket.emit("seq", "d");
          });
        });
        const client = t.client("/", { transports });
        await once(client, "connect");
        const seen: string[] = [];
        client.on("seq", (value: string, bytes?: unknown) =>
          seen.push(bytes === undefined ? value : `${value}${bytesOf(bytes).join(",")}`),
        );
        client.emit("go");
        await waitFor(() => seen.length === 4);
        assert.deepEqual(seen, ["a", "b9", "c", "d"]);
      } finally {
        await t.close();
      }
    });
  }
});
