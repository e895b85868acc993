/**
 * Dials a wire endpoint once: connects a socket (TCP, Unix, optionally TLS with mutual auth)
 * within `connectTimeoutMs` and wraps it in a {@link WireConnection}, which then handshakes.
 * For reconnection, see {@link WireDialer}.
 */
import { connect as connectNet, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import type { Reactor } from "../reactor/reactor.js";
import type { WireConnectionOptions } from "./connection-options.js";
import { WireSendError } from "./send-error.js";
import { SocketDuplex } from "./socket-duplex.js";
import { WireConnection } from "./wire-connection.js";
import { addressText, tlsContextOptions, type WireAddress, type WireTls } from "./wire-endpoint.js";

/** Options of {@link dialWire}. */
export type DialOptions = WireAddress & {
  readonly tls?: WireTls;
  /** Longest wait for the socket (and TLS) to connect, in ms. Default min(2 × sendTimeoutMs, 60,000) (T-HS-5). */
  readonly connectTimeoutMs?: number;
  readonly connection?: WireConnectionOptions;
};

/** The default connect timeout for a send timeout, in ms: min(2 × sendTimeoutMs, 60 s). */
export function defaultConnectTimeoutMs(sendTimeoutMs = 5_000): number {
  return Math.min(2 * sendTimeoutMs, 60_000);
}

/**
 * Connects the socket of `options` (no handshake yet). Rejects with `cannot_connect` on error
 * or after `connectTimeoutMs`.
 */
export function connectSocket(reactor: Reactor, options: DialOptions): Promise<Socket> {
  const timeoutMs = options.connectTimeoutMs ?? defaultConnectTimeoutMs(options.connection?.sendTimeoutMs);
  const target = addressText(options);
  return new Promise<Socket>((resolve, reject) => {
    let socket: Socket;
    const event = options.tls === undefined ? "connect" : "secureConnect";
    if (options.tls === undefined) {
      socket = options.path !== undefined ? connectNet(options.path) : connectNet(options.port, options.host);
    } else {
      const tls = {
        ...tlsContextOptions(options.tls),
        servername: options.tls.servername ?? options.host ?? "localhost",
      };
      socket =
        options.path !== undefined
          ? connectTls({ ...tls, path: options.path })
          : connectTls({ ...tls, host: options.host, port: options.port });
    }
    const timer = reactor.setTimer(timeoutMs, () => fail(new Error(`no connection within ${timeoutMs} ms`)));
    const fail = (error: Error): void => {
      timer.cancel();
      socket.destroy();
      reject(new WireSendError("cannot_connect", `cannot connect to ${target}: ${error.message}`, { cause: error }));
    };
    socket.once("error", fail);
    socket.once(event, () => {
      timer.cancel();
      socket.off("error", fail);
      resolve(socket);
    });
  });
}

/**
 * Dials and resolves with the connection once its socket is connected (it is still
 * handshaking: await `whenOpen()` for the peer's HELLO, or just send — sends queue behind it).
 * Rejects with {@link WireSendError} `cannot_connect`.
 */
export async function dialWire(reactor: Reactor, options: DialOptions): Promise<WireConnection> {
  const socket = await connectSocket(reactor, options);
  return new WireConnection(new SocketDuplex(socket, reactor), reactor, options.connection);
}
