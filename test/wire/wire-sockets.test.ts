import assert from "node:assert/strict";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createNodeReactor } from "../../src/reactor/node/node-reactor.js";
import { dialWire } from "../../src/wire/dial-wire.js";
import type { WireConnection } from "../../src/wire/wire-connection.js";
import { listenWire } from "../../src/wire/wire-listener.js";

const reactor = createNodeReactor();
const QUIET = { pingIntervalMs: 0, idleMs: 0 };

/** Echo server: answers every message by sending its body back. */
function echo(connection: WireConnection): void {
  connection.onMessage = (message) => connection.send(message.body, { ack: false });
}

test("over loopback TCP: handshake, acknowledged and fire-and-forget sends, and a normal close", async () => {
  const listener = await listenWire(
    reactor,
    { host: "127.0.0.1", port: 0, connection: { ...QUIET, nodeName: "server" } },
    echo,
  );
  const client = await dialWire(reactor, {
    host: "127.0.0.1",
    port: listener.port!,
    connection: { ...QUIET, nodeName: "client" },
  });
  const replies: unknown[] = [];
  client.onMessage = (message) => {
    replies.push(message.body);
  };
  const peer = await client.whenOpen();
  assert.equal(peer.nodeName, "server");
  await client.send({ n: 1 });
  await client.send({ n: 2 }, { ack: false });
  await until(() => replies.length === 2);
  assert.deepEqual(replies, [{ n: 1 }, { n: 2 }]);
  assert.equal(listener.connections.size, 1);
  client.close();
  await until(() => listener.connections.size === 0);
  await listener.close();
});

test("over a Unix domain socket: the same connection code, a burst of 1,000 pipelined acknowledged sends", async () => {
  const path = join(tmpdir(), `chorus-wire-${process.pid}-${Date.now()}.sock`);
  let handled = 0;
  const listener = await listenWire(reactor, { path, connection: QUIET }, (connection) => {
    connection.onMessage = () => {
      handled++;
    };
  });
  const client = await dialWire(reactor, { path, connection: QUIET });
  await Promise.all(Array.from({ length: 1000 }, (_, i) => client.send(new Uint8Array([i & 0xff]))));
  assert.equal(handled, 1000);
  client.close();
  await listener.close();
});

test("a peer writing garbage is cut off with bad_magic; another client of the same listener is unaffected", async () => {
  const closes: Array<string | undefined> = [];
  const listener = await listenWire(reactor, { host: "127.0.0.1", port: 0, connection: QUIET }, (connection) => {
    echo(connection);
    connection.onClose = (info) => closes.push(info.error?.code);
  });
  const good = await dialWire(reactor, { host: "127.0.0.1", port: listener.port!, connection: QUIET });
  await good.whenOpen();
  const raw = connect(listener.port!, "127.0.0.1");
  const rawClosed = new Promise<void>((resolve) => raw.on("close", () => resolve()));
  raw.on("error", () => {});
  raw.resume(); // read (and discard) what the server writes, so the socket sees its end
  raw.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  await rawClosed;
  await until(() => closes.length === 1);
  assert.deepEqual(closes, ["bad_magic"]);
  await good.send("still here");
  good.close();
  await listener.close();
});

/** Polls `condition` every few ms for up to 2 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), "condition not reached within 2 s");
}
