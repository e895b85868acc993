/**
 * Serves an {@link EngineIoServer} (or a Socket.IO server's `engine`) on a simulated node: HTTP
 * long-polling requests on {@link EDGE_HTTP_PORT} go to the server's own `handleRequest`, and
 * WebSocket streams on {@link EDGE_WS_PORT} become Chorus's own `WebSocketTransport` over a
 * {@link SimWebSocket}, opened (or offered as an upgrade probe) with `acceptTransport`. Only the
 * sockets are simulated: routing, transports, sessions, heartbeats and upgrades are the
 * production code, on the node's Reactor.
 *
 * ```
 * client ──stream──► :http ──► SimHttpRequest/SimHttpResponse ──► engine.handleRequest
 * client ──stream──► :ws ──{url}──► WebSocketTransport(SimWebSocket) ──► engine.acceptTransport(t, {sid?})
 * ```
 */
import type { EngineIoServer } from "../../edge/engine-io/engine-io-server.js";
import type { EngineIoTransport } from "../../edge/engine-io/engine-io-transport.js";
import { WebSocketTransport } from "../../edge/engine-io/websocket-transport.js";
import type { SimNetwork } from "../sim-network.js";
import type { SimNode, SimReactor } from "../sim-node.js";
import {
  EDGE_HTTP_PORT,
  EDGE_WS_PORT,
  type SimHttpRequestMessage,
  type SimUpgradeMessage,
  queryOf,
} from "./sim-edge-wire.js";
import { SimHttpRequest, SimHttpResponse } from "./sim-http-exchange.js";
import { SimStream } from "./sim-stream.js";
import { SIM_WEB_SOCKET_WINDOW_BYTES_DEFAULT, SimWebSocket } from "./sim-web-socket.js";

/** Why connections cut by {@link SimEdgeServer.cut} closed. */
export const CUT = "cut by the server's proxy";

/** Options of {@link serveEdge}. */
export interface SimEdgeServerOptions {
  /** Flow-control window of each WebSocket, in bytes. Default {@link SIM_WEB_SOCKET_WINDOW_BYTES_DEFAULT}. */
  readonly windowBytes?: number;
  /**
   * Wraps each WebSocket transport before the server sees it (fault injection: a test can make
   * the server's transport misbehave to check that the invariants notice). Default: none.
   */
  readonly wrapTransport?: (transport: EngineIoTransport) => EngineIoTransport;
}

/** A running simulated edge endpoint. */
export interface SimEdgeServer {
  /** Open server-side stream ends (HTTP exchanges and WebSockets). */
  readonly openStreams: number;
  /**
   * Cuts every open connection from `clientName`, from the server's side (a proxy or a load
   * balancer dropping them): WebSockets and held polls see their peer close.
   * @returns the number of connections cut.
   */
  cut(clientName: string): number;
  /** Stops listening (open connections stay). */
  stop(): void;
}

/** Listens on `node` (this incarnation) and serves `engine`; see the module comment. */
export function serveEdge(
  network: SimNetwork,
  node: SimNode,
  reactor: SimReactor,
  engine: EngineIoServer,
  options: SimEdgeServerOptions = {},
): SimEdgeServer {
  const windowBytes = options.windowBytes ?? SIM_WEB_SOCKET_WINDOW_BYTES_DEFAULT;
  const streams = new Set<SimStream>();
  // Closed ends are forgotten lazily (prune), whoever closed them.
  const track = (stream: SimStream): void => void streams.add(stream);
  const stopHttp = network.listen(node, EDGE_HTTP_PORT, (connection) => {
    const stream = new SimStream(connection);
    track(stream);
    stream.onMessage = (body) => {
      const req = new SimHttpRequest(body as SimHttpRequestMessage);
      const res = new SimHttpResponse(stream, reactor);
      engine.handleRequest(req as never, res as never);
      reactor.defer(() => req.deliverBody());
    };
  });
  const stopWs = network.listen(node, EDGE_WS_PORT, (connection) => {
    const stream = new SimStream(connection);
    track(stream);
    stream.onMessage = (body) => {
      const sid = queryOf((body as SimUpgradeMessage).url).get("sid");
      const ws = new SimWebSocket(stream, reactor, windowBytes);
      const real = new WebSocketTransport(ws);
      const transport = options.wrapTransport?.(real) ?? real;
      engine.acceptTransport(transport, sid === null ? {} : { sid });
    };
  });
  const prune = (): void => {
    for (const stream of streams) if (stream.closed) streams.delete(stream);
  };
  return {
    get openStreams() {
      prune();
      return streams.size;
    },
    cut(clientName: string): number {
      prune();
      let count = 0;
      for (const stream of [...streams]) {
        if (stream.remoteName !== clientName) continue;
        // Close the connection under the stream, so that the server's own end reports it as a
        // proxy's cut would (the transport sees its socket close) and the client sees it later.
        stream.connection.close(CUT);
        stream.connection.closeNow(CUT);
        count++;
      }
      prune();
      return count;
    },
    stop(): void {
      stopHttp();
      stopWs();
    },
  };
}
