/**
 * Back-pressure at the Socket.IO level: `emit` reports the engine's high-water mark and `drain`
 * follows; volatile packets are dropped for a client that cannot take them; broadcasts skip
 * nobody but volatile ones; a client that stays behind is cut by the engine as a slow consumer.
 * The "paused" client is a hand-driven polling client that does not poll.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SocketIoSocket } from "../../../src/edge/socket-io/socket-io-socket.js";
import { openRawPollingClient } from "./raw-polling-client.js";
import { once, startIo, waitFor } from "./server-harness.js";

const QUIET = { pingIntervalMs: 60_000, pingTimeoutMs: 60_000 };

describe("Socket.IO back-pressure and volatile emits", () => {
  it("volatile emits to a paused client are dropped, the others are queued in order", async () => {
    const t = await startIo({ engine: QUIET });
    try {
      const sockets: SocketIoSocket[] = [];
      t.io.on("connection", (socket) => {
        sockets.push(socket);
        socket.join("r");
      });
      const raw = await openRawPollingClient(t.origin);
      const connect = await raw.poll();
      assert.match(connect[0]!, /^40\{"sid":/);
      await waitFor(() => sockets.length === 1);
      const socket = sockets[0]!;
      // paused: no GET in flight; the first packet waits in the session's queue
      assert.equal(socket.emit("n", 1), true);
      assert.equal(socket.volatile.emit("v", 1), true, "dropped, but not for back-pressure");
      assert.equal(t.io.volatile.emit("v", 2), 1);
      assert.equal(t.io.to("r").volatile.emit("v", 3), 1);
      t.io.to("r").emit("n", 2);
      assert.deepEqual(await raw.poll(), ['42["n",1]', '42["n",2]']);
    } finally {
      await t.close();
    }
  });

  it("a volatile emit reaches a client that can take it, over WebSocket and polling", async () => {
    const t = await startIo();
    try {
      for (const transports of [["websocket"], ["polling"]]) {
        const client = t.client("/", { transports });
        await once(client, "connect");
        const got = once(client, "v");
        // A polling client cannot take a packet between two polls (no GET held), so a volatile
        // emit may be dropped then; one made while a GET is held must arrive. Retry, bounded.
        let arrived = false;
        void got.then(() => (arrived = true));
        for (let i = 0; i < 100 && !arrived; i++) {
          t.io.volatile.emit("v", transports[0]);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.deepEqual(await got, [transports[0]]);
        client.disconnect();
      }
    } finally {
      await t.close();
    }
  });

  it("emit returns false at the high-water mark, still queues, and a drain event follows", async () => {
    const t = await startIo({ engine: { ...QUIET, outboundPacketsMax: 4 } });
    try {
      const sockets: SocketIoSocket[] = [];
      let drains = 0;
      t.io.on("connection", (socket) => {
        sockets.push(socket);
        socket.join("r");
        socket.on("drain", () => drains++);
      });
      const raw = await openRawPollingClient(t.origin);
      await raw.poll();
      await waitFor(() => sockets.length === 1);
      const socket = sockets[0]!;
      const results = [1, 2, 3, 4, 5].map((n) => socket.emit("n", n));
      assert.deepEqual(results, [true, true, true, false, false]);
      assert.equal(socket.volatile.emit("v", 0), false, "a volatile emit over the mark is dropped");
      assert.equal(t.io.to("r").emit("n", 6), 1, "a broadcast skips nobody, even over the mark");
      assert.equal(drains, 0);
      const records = await raw.poll();
      assert.deepEqual(
        records,
        [1, 2, 3, 4, 5, 6].map((n) => `42["n",${n}]`),
      );
      await waitFor(() => drains === 1);
      assert.equal(socket.emit("n", 7), true);
    } finally {
      await t.close();
    }
  });

  it("a client that stays paused past the hard cap is cut as a slow consumer; others are still served", async () => {
    const lines: string[] = [];
    const t = await startIo({ engine: { ...QUIET, outboundPacketsMax: 2, log: (line) => lines.push(line) } });
    try {
      const sockets: SocketIoSocket[] = [];
      t.io.on("connection", (socket) => {
        sockets.push(socket);
        socket.on("echo", (n: number, ack: (n: number) => void) => ack(n));
      });
      const raw = await openRawPollingClient(t.origin);
      await raw.poll();
      const healthy = t.client("/", { transports: ["websocket"] });
      await once(healthy, "connect");
      await waitFor(() => sockets.length === 2);
      const paused = sockets.find((socket) => socket.handshake.engineId === raw.sid)!;
      const reason = new Promise<string>((resolve) => paused.on("disconnect", resolve));
      for (let n = 0; n < 20 && paused.connected; n++) t.io.emit("n", n);
      assert.equal(await reason, "slow consumer");
      assert.equal(lines.filter((line) => line.includes(raw.sid) && line.includes("slow consumer")).length, 1);
      assert.equal(await healthy.emitWithAck("echo", 5), 5);
    } finally {
      await t.close();
    }
  });

  it("a client cannot trigger the server's drain listeners by emitting 'drain'", async () => {
    const t = await startIo();
    try {
      let drains = 0;
      let pings = 0;
      t.io.on("connection", (socket) => {
        socket.on("drain", () => drains++);
        socket.on("ping!", () => pings++);
      });
      const client = t.client();
      await once(client, "connect");
      client.emit("drain");
      client.emit("ping!");
      await waitFor(() => pings === 1);
      assert.equal(drains, 0);
    } finally {
      await t.close();
    }
  });
});
