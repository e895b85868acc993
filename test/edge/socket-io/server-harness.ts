/** Shared set-up for the Socket.IO server tests: a loopback server on port 0 and stock clients. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Socket as ClientSocket, type ManagerOptions, type SocketOptions, io as connect } from "socket.io-client";
import { createLoop } from "../../../src/kernel/loop.js";
import type { Loop } from "../../../src/kernel/loop-api.js";
import { createNodeReactor } from "../../../src/reactor/node/node-reactor.js";
import {
  type SocketIoServer,
  type SocketIoServerOptions,
  createSocketIoServer,
} from "../../../src/edge/socket-io/socket-io-server.js";

/** A running server, how to reach it, and how to stop it with its clients. */
export interface TestIo {
  readonly io: SocketIoServer;
  readonly loop: Loop;
  readonly http: Server;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Connects a stock client to namespace `nsp` (default `/`); closed by `close()`. */
  client(nsp?: string, options?: Partial<ManagerOptions & SocketOptions>): ClientSocket;
  /** Closes the clients, the server, the listener and the loop. */
  close(): Promise<void>;
}

/** Starts a Socket.IO server on 127.0.0.1, port 0. */
export async function startIo(options: Partial<SocketIoServerOptions> = {}): Promise<TestIo> {
  const reactor = createNodeReactor();
  const loop = createLoop({ reactor });
  const http = createServer((_req, res) => res.writeHead(404).end("not here"));
  const io = createSocketIoServer({ loop, reactor, ...options });
  io.attach(http);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const clients: ClientSocket[] = [];
  return {
    io,
    loop,
    http,
    origin,
    client(nsp = "/", clientOptions = {}) {
      const socket = connect(origin + nsp, { forceNew: true, reconnection: false, ...clientOptions });
      clients.push(socket);
      return socket;
    },
    async close() {
      for (const client of clients) client.disconnect();
      io.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      loop.shutdown();
    },
  };
}

export { once, waitFor } from "../engine-io/server-harness.js";
