/**
 * The receiving side of the wire benchmark, run in its own process (`fork`), so sender and
 * receiver do not share an event loop. Started as `wire-peer.js <role> <transport> [option]`:
 * - `wire tcp|unix <slots>`: a wire listener; counts byte-array messages (fire-and-forget ones
 *   through `onFireAndForget`, the receive fast path; acknowledged ones through `onMessage`); a
 *   `{ expect: n }` message arms a counter and `"done"` goes back when n messages have arrived.
 * - `raw tcp|unix ff|ack`: a `node:net` server reading `u32 length + payload` frames; a 4-byte
 *   frame carries n (expect n data frames, then write one 4-byte frame back); in `ack` mode every
 *   data frame is answered with a 4-byte frame at once (batched per read). Each data frame's body
 *   is handed to a handler as a view, as the wire receiver hands its handler each message.
 * - `nats <port>`: a NATS subscriber on `bench.data`; `bench.start` carries n; `bench.done` when
 *   n arrived.
 * Reports `{ ready: address }` over IPC; exits when the parent disconnects.
 */
import { rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as connectNats } from "nats";
import { createNodeReactor } from "../src/reactor/node/node-reactor.js";
import { listenWire } from "../src/wire/wire-listener.js";

/** What the peer reports once ready: a TCP port or a socket path. */
export interface PeerReady {
  readonly ready: { readonly port?: number; readonly path?: string };
}

const [role, transport, option] = process.argv.slice(2);

function socketPath(): string {
  return join(tmpdir(), `chorus-wire-bench-${process.pid}.sock`);
}

async function wirePeer(): Promise<PeerReady["ready"]> {
  const reactor = createNodeReactor();
  const slots = Number(option ?? 16);
  const where = transport === "unix" ? { path: socketPath() } : { host: "127.0.0.1", port: 0 };
  const listener = await listenWire(
    reactor,
    { ...where, connection: { slots, pingIntervalMs: 0, idleMs: 0, outboundMessagesMax: 4096 } },
    (connection) => {
      let expected = -1;
      let count = 0;
      // Data messages (fire-and-forget byte arrays) take the receive fast path; commands, and
      // byte arrays sent acknowledged, come through onMessage.
      const count1 = (body: unknown): void => {
        if (body instanceof Uint8Array && ++count === expected) {
          expected = -1;
          void connection.send("done", { ack: false });
        }
      };
      connection.onFireAndForget = (message) => count1(message.body);
      connection.onMessage = (message) => {
        if (message.body instanceof Uint8Array) return count1(message.body);
        const command = message.body as { expect?: number };
        if (typeof command.expect === "number") {
          expected = command.expect;
          count = 0;
        }
      };
    },
  );
  return transport === "unix" ? { path: listener.address } : { port: listener.port! };
}

function rawPeer(): Promise<PeerReady["ready"]> {
  const ackMode = option === "ack";
  const server = createServer((socket: Socket) => {
    socket.setNoDelay(true);
    let pending: Buffer | null = null;
    let expected = -1;
    let count = 0;
    socket.on("data", (chunk: Buffer) => {
      const buffer = pending === null ? chunk : Buffer.concat([pending, chunk]);
      let at = 0;
      let acks = 0;
      while (buffer.length - at >= 4) {
        const length = buffer.readUInt32BE(at);
        if (buffer.length - at - 4 < length) break;
        if (length === 4) {
          expected = buffer.readUInt32BE(at + 4);
          count = 0;
        } else if (ackMode) acks++;
        else if ((onRawMessage(buffer.subarray(at + 4, at + 4 + length)), ++count === expected)) {
          expected = -1;
          socket.write(frame4(rawBytesSeen % 0x1_0000_0000));
        }
        at += 4 + length;
      }
      if (acks > 0) {
        const out = Buffer.allocUnsafe(8 * acks);
        for (let i = 0; i < acks; i++) {
          out.writeUInt32BE(4, i * 8);
          out.writeUInt32BE(0, i * 8 + 4);
        }
        socket.write(out);
      }
      pending = at === buffer.length ? null : buffer.subarray(at);
    });
    socket.on("error", () => {});
  });
  return new Promise((resolve) => {
    if (transport === "unix") {
      const path = socketPath();
      server.listen(path, () => resolve({ path }));
    } else server.listen(0, "127.0.0.1", () => resolve({ port: (server.address() as { port: number }).port }));
  });
}

let rawBytesSeen = 0;

/** The raw receiver's per-message handler: an application gets each body as a view, as the wire's handler does. */
function onRawMessage(body: Uint8Array): void {
  rawBytesSeen += body.byteLength;
}

function frame4(value: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeUInt32BE(4, 0);
  out.writeUInt32BE(value, 4);
  return out;
}

async function natsPeer(): Promise<PeerReady["ready"]> {
  const nc = await connectNats({ servers: `127.0.0.1:${transport}` });
  let expected = -1;
  let count = 0;
  nc.subscribe("bench.start", {
    callback: (_error, message) => {
      expected = Number(new TextDecoder().decode(message.data));
      count = 0;
      message.respond(new Uint8Array(0));
    },
  });
  nc.subscribe("bench.data", {
    callback: () => {
      if (++count === expected) {
        expected = -1;
        nc.publish("bench.done", new Uint8Array(0));
      }
    },
  });
  await nc.flush();
  return {};
}

const start = role === "wire" ? wirePeer : role === "raw" ? rawPeer : natsPeer;
const ready = await start();
process.send?.({ ready } satisfies PeerReady);
process.on("disconnect", () => {
  if (ready.path !== undefined) rmSync(ready.path, { force: true }); // process.exit skips the server's unlink
  process.exit(0);
});
