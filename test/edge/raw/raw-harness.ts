/**
 * Shared set-up for the raw-protocol and stock-client edge tests: a Socket.IO server (and its
 * Engine.IO server) on 127.0.0.1, port 0, and helpers that speak HTTP and WebSocket by hand.
 */
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { type Socket as ClientSocket, io as connectClient } from "socket.io-client";
import { WebSocket } from "ws";
import { createLoop } from "../../../src/kernel/loop.js";
import type { Loop } from "../../../src/kernel/loop-api.js";
import { createNodeReactor } from "../../../src/reactor/node/node-reactor.js";
import {
  type SocketIoServer,
  type SocketIoServerOptions,
  createSocketIoServer,
} from "../../../src/edge/socket-io/socket-io-server.js";

/** A running Socket.IO server. */
export interface RawIo {
  readonly io: SocketIoServer;
  readonly loop: Loop;
  readonly http: Server;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Lines the Engine.IO server logged. */
  readonly logs: string[];
  /** Closes the server, every connection, the listener and the loop. */
  close(): Promise<void>;
}

/** Starts a Socket.IO server at `/socket.io/`; `port` 0 picks a free one. */
export async function startRawIo(options: Partial<SocketIoServerOptions> = {}, port = 0): Promise<RawIo> {
  const reactor = createNodeReactor();
  const loop = createLoop({ reactor });
  const http = createServer((_req, res) => res.writeHead(404).end("not here"));
  const logs: string[] = [];
  const io = createSocketIoServer({
    loop,
    reactor,
    ...options,
    engine: { log: (line) => logs.push(line), ...options.engine },
  });
  io.attach(http);
  await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
  const bound = (http.address() as AddressInfo).port;
  return {
    io,
    loop,
    http,
    port: bound,
    origin: `http://127.0.0.1:${bound}`,
    logs,
    close: async () => {
      await io.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      loop.shutdown();
    },
  };
}

/** What a raw HTTP exchange got back before the server closed or `giveUpMs` passed. */
export interface RawReply {
  /** Status code of the first response (0 if none). */
  readonly status: number;
  /** Everything received, as latin1 text. */
  readonly text: string;
  /** True if the server closed the connection (rather than the test giving up). */
  readonly closedByServer: boolean;
}

/** Writes `bytes` on a fresh TCP connection and collects the reply. */
export function rawHttp(port: number, bytes: string | Buffer, giveUpMs = 1000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    let text = "";
    let gaveUp = false;
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? undefined : reject(error)));
    socket.on("close", () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: status ? Number(status[1]) : 0, text, closedByServer: !gaveUp });
    });
    socket.setTimeout(giveUpMs, () => {
      gaveUp = true;
      socket.destroy();
    });
  });
}

/** The body of an HTTP response held in `text` (after the blank line). */
export function bodyOf(text: string): string {
  const at = text.indexOf("\r\n\r\n");
  return at === -1 ? "" : text.slice(at + 4);
}

/** Opens a raw WebSocket to the Engine.IO endpoint and collects text frames as strings. */
export async function rawWebSocket(
  origin: string,
  path = "/socket.io/",
): Promise<{ ws: WebSocket; frames: Array<string | Buffer>; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${origin.replace("http", "ws")}${path}?EIO=4&transport=websocket`);
  const frames: Array<string | Buffer> = [];
  ws.on("message", (data: Buffer, isBinary: boolean) => frames.push(isBinary ? data : data.toString()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  ws.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { ws, frames, closed };
}

/** Waits until `predicate` holds, polling every few ms, or fails after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A well-behaved socket.io-client that checks it is still served: `roundTrip()` emits "echo"
 * and awaits the ack. The server must answer "echo" with `ack(value)` (see `serveEcho`).
 */
export async function healthyClient(origin: string): Promise<{ roundTrip(): Promise<void>; close(): void }> {
  const client: ClientSocket = connectClient(origin, { forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("connect_error", reject);
  });
  let n = 0;
  return {
    roundTrip: async () => {
      const sent = ++n;
      const back = (await client.timeout(2000).emitWithAck("echo", sent)) as number;
      if (back !== sent) throw new Error(`echo answered ${back} to ${sent}`);
    },
    close: () => client.disconnect(),
  };
}

/** Makes every connection of `io` answer "echo" with its argument. */
export function serveEcho(io: SocketIoServer): void {
  io.on("connection", (socket) => socket.on("echo", (value: unknown, ack: (v: unknown) => void) => ack(value)));
}
