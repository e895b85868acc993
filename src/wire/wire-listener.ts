/**
 * Accepts wire connections on a TCP port or a Unix domain socket (optionally TLS with mutual
 * authentication). Each accepted socket becomes a {@link WireConnection} with the listener's
 * options; a misbehaving peer fails only its own connection.
 */
import { createServer as createNetServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { Reactor } from "../reactor/reactor.js";
import type { WireConnectionOptions } from "./connection-options.js";
import { SocketDuplex } from "./socket-duplex.js";
import { WireConnection } from "./wire-connection.js";
import { addressText, tlsContextOptions, type WireAddress, type WireTls } from "./wire-endpoint.js";

/** Options of {@link listenWire}: where, TLS, and the options of every accepted connection. */
export type WireListenOptions = WireAddress & {
  readonly tls?: WireTls;
  readonly connection?: WireConnectionOptions;
};

/** A listening wire endpoint. */
export interface WireListener {
  /** Where it listens: "host:port" (with the real port when 0 was asked) or the socket path. */
  readonly address: string;
  /** The TCP port, or null for a Unix socket. */
  readonly port: number | null;
  /** Connections accepted and not yet closed. */
  readonly connections: ReadonlySet<WireConnection>;
  /** Stops listening and closes every connection (normal close). */
  close(): Promise<void>;
}

/**
 * Listens and calls `onConnection` for each accepted connection (still handshaking).
 * @throws the listen error (e.g. EADDRINUSE), after releasing the server.
 */
export async function listenWire(
  reactor: Reactor,
  options: WireListenOptions,
  onConnection: (connection: WireConnection) => void,
): Promise<WireListener> {
  const connections = new Set<WireConnection>();
  const accept = (socket: Socket): void => {
    const connection = new WireConnection(new SocketDuplex(socket, reactor), reactor, options.connection);
    connections.add(connection);
    connection.closeHooks.push(() => connections.delete(connection));
    onConnection(connection);
  };
  const server: Server =
    options.tls === undefined ? createNetServer(accept) : createTlsServer(tlsContextOptions(options.tls), accept);
  // TLS handshake failures and resets of unaccepted sockets must not crash the process.
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const ready = () => {
      server.off("error", reject);
      resolve();
    };
    if (options.path !== undefined) server.listen(options.path, ready);
    else server.listen(options.port, options.host, ready);
  }).catch((error: unknown) => {
    server.close();
    throw error;
  });
  const bound = server.address();
  const port = bound !== null && typeof bound === "object" ? bound.port : null;
  const address =
    options.path !== undefined ? options.path : addressText({ host: options.host, port: port ?? options.port });
  return {
    address,
    port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const connection of [...connections]) connection.close(1000, "listener closed");
        server.close(() => resolve());
      }),
  };
}
