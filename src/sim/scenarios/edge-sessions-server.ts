import type { EngineIoSocket } from "../../edge/engine-io/engine-io-socket.js";
import type { EngineIoTransport } from "../../edge/engine-io/engine-io-transport.js";
import { RECOVERABLE_DISCONNECT_REASONS } from "../../edge/socket-io/recovery-options.js";
import { type SocketIoServer, createSocketIoServer } from "../../edge/socket-io/socket-io-server.js";
import type { SocketIoSocket } from "../../edge/socket-io/socket-io-socket.js";
import { createLoop } from "../../kernel/loop.js";
import { type SimEdgeServer, serveEdge } from "../edge/sim-edge-server.js";
import type { SimNetwork } from "../sim-network.js";
import type { BootContext, SimNode } from "../sim-node.js";
import type { SimWorld } from "../sim-world.js";
import type { EdgeLedger } from "./edge-sessions-ledger.js";

/**
 * The server node of the edge-sessions scenario: a kernel loop, `createSocketIoServer` on it with
 * connection state recovery, served by {@link serveEdge}. Each socket joins the room named in its
 * auth; its `post` handler takes a seq from the ledger, broadcasts `news { seq }` to the room and
 * acks `{ seq }`.
 */

/** Engine.IO and Socket.IO settings of the server, drawn from the seed. */
export interface EdgeServerConfig {
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  readonly outboundPacketsMax: number;
  readonly slowConsumerGraceMs: number;
  readonly maxDisconnectionDurationMs: number;
  /** Flow-control window of each simulated WebSocket, bytes. */
  readonly windowBytes: number;
}

/** What the scenario reaches of the running server (null until it booted). */
export interface EdgeServerHandle {
  readonly node: SimNode;
  readonly io: SocketIoServer;
  readonly edge: SimEdgeServer;
  /** Open Engine.IO sessions, by id. */
  readonly engines: Map<string, EngineIoSocket>;
  /** The Engine.IO session id of each client's last socket. */
  readonly engineOfClient: Map<number, string>;
}

/** The Socket.IO path the clients use. */
export const EDGE_PATH = "/socket.io/";

const roomName = (room: number): string => `room-${room}`;

/** Server-side fault injection, for tests that check the checkers. */
export interface EdgeServerSabotage {
  /** Wraps each WebSocket transport before the server opens a session on it. */
  readonly wrapTransport?: (transport: EngineIoTransport) => EngineIoTransport;
}

/** The boot function of the server node; `publish` receives its handle at each boot. */
export function bootEdgeServer(
  world: SimWorld,
  network: SimNetwork,
  ledger: EdgeLedger,
  config: EdgeServerConfig,
  sabotage: EdgeServerSabotage,
  publish: (handle: EdgeServerHandle) => void,
): (context: BootContext) => void {
  return ({ node, reactor }) => {
    const loop = createLoop({ reactor, name: node.name });
    const io = createSocketIoServer({
      loop,
      reactor,
      path: EDGE_PATH,
      connectionStateRecovery: { maxDisconnectionDurationMs: config.maxDisconnectionDurationMs },
      engine: {
        pingIntervalMs: config.pingIntervalMs,
        pingTimeoutMs: config.pingTimeoutMs,
        outboundPacketsMax: config.outboundPacketsMax,
        slowConsumerGraceMs: config.slowConsumerGraceMs,
        upgradeTimeoutMs: 2_000,
        closeTimeoutMs: 2_000,
        log: (text) => world.record({ type: "note", atMs: world.nowMs, node: node.name, text }),
      },
    });
    const engines = new Map<string, EngineIoSocket>();
    const engineOfClient = new Map<number, string>();
    io.engine.onConnection((engine) => {
      engines.set(engine.id, engine);
      engine.on("close", (reason) => {
        engines.delete(engine.id);
        ledger.count(`session closed: ${reason}`);
      });
      engine.on("upgrade", () => ledger.count("upgraded to websocket"));
    });
    io.on("connection", (socket: SocketIoSocket) => {
      const client = Number(socket.handshake.auth.client);
      const room = Number(socket.handshake.auth.room);
      engineOfClient.set(client, socket.handshake.engineId);
      socket.join(roomName(room));
      ledger.serverJoined(socket.id, room, socket.recovered, socket.handshake.auth.pid, reactor.nowMs());
      socket.on("post", (payload: { key: string }, ack: (reply: { seq: number }) => void) => {
        const seq = ledger.handled(payload.key, room);
        io.to(roomName(room)).emit("news", { seq });
        ack({ seq });
      });
      socket.on("disconnect", (reason: string) => {
        // Socket.IO persisted the session just before this listener ran, if the reason allows.
        if (socket.pid !== null && RECOVERABLE_DISCONNECT_REASONS.has(reason))
          ledger.serverPersisted(socket.pid, reactor.nowMs());
      });
    });
    const edge = serveEdge(network, node, reactor, io.engine, {
      windowBytes: config.windowBytes,
      ...(sabotage.wrapTransport === undefined ? {} : { wrapTransport: sabotage.wrapTransport }),
    });
    publish({ node, io, edge, engines, engineOfClient });
  };
}
