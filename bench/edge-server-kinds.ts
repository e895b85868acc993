/**
 * The servers the edge bench compares, each doing the same work on the same events: every
 * client joins {@link ROOM}; a fan-out message is broadcast with `io.to(ROOM).emit` to every
 * member (the sender included); an echo is acknowledged with its payload. WebSocket transport
 * only, `perMessageDeflate` off, the reference heartbeat.
 */
import type { Server as HttpServer } from "node:http";
import { Server as StockServer, type Socket as StockSocket } from "socket.io";
import { createLoop, createNodeReactor, createSocketIoServer, type SocketIoSocket } from "../src/index.js";
import { ECHO_EVENT, FANOUT_EVENT, PING_INTERVAL_MS, PING_TIMEOUT_MS, ROOM } from "./edge-protocol.js";

/** What a server counts while it runs (read and reset by the server process). */
export interface ServerCounters {
  broadcasts: number;
  deliveries: number;
  echoes: number;
}

/** A running bench server. */
export interface BenchServer {
  /** Clients that completed the Socket.IO CONNECT and are still connected. */
  readonly connected: number;
  /** Closes every connection (the process exits right after). */
  close(): void;
}

type Ack = (...reply: unknown[]) => void;

/** Starts Chorus's Socket.IO server on `http`, its connection actors on one loop. */
export function startChorusServer(http: HttpServer, counters: ServerCounters): BenchServer {
  const reactor = createNodeReactor({ unrefTimers: false });
  const loop = createLoop({ reactor, name: "edge-bench" });
  const io = createSocketIoServer({
    loop,
    reactor,
    engine: { transports: ["websocket"], pingIntervalMs: PING_INTERVAL_MS, pingTimeoutMs: PING_TIMEOUT_MS },
  });
  io.attach(http);
  let connected = 0;
  const onFanout = (payload: unknown) => {
    counters.broadcasts++;
    counters.deliveries += io.to(ROOM).emit(FANOUT_EVENT, payload);
  };
  const onEcho = (payload: unknown, ack: Ack) => {
    counters.echoes++;
    ack(payload);
  };
  const onDisconnect = () => connected--;
  io.on("connection", (socket: SocketIoSocket) => {
    connected++;
    socket.join(ROOM);
    socket.on(FANOUT_EVENT, onFanout);
    socket.on(ECHO_EVENT, onEcho);
    socket.on("disconnect", onDisconnect);
  });
  return {
    get connected() {
      return connected;
    },
    close() {
      io.close();
      loop.shutdown();
    },
  };
}

/** Starts the stock `socket.io` server on `http`. */
export function startStockServer(http: HttpServer, counters: ServerCounters): BenchServer {
  const io = new StockServer(http, {
    transports: ["websocket"],
    perMessageDeflate: false,
    serveClient: false,
    pingInterval: PING_INTERVAL_MS,
    pingTimeout: PING_TIMEOUT_MS,
  });
  let connected = 0;
  const onFanout = (payload: unknown) => {
    counters.broadcasts++;
    counters.deliveries += io.sockets.adapter.rooms.get(ROOM)?.size ?? 0;
    io.to(ROOM).emit(FANOUT_EVENT, payload);
  };
  const onEcho = (payload: unknown, ack: Ack) => {
    counters.echoes++;
    ack(payload);
  };
  const onDisconnect = () => connected--;
  io.on("connection", (socket: StockSocket) => {
    connected++;
    void socket.join(ROOM);
    socket.on(FANOUT_EVENT, onFanout);
    socket.on(ECHO_EVENT, onEcho);
    socket.on("disconnect", onDisconnect);
  });
  return {
    get connected() {
      return connected;
    },
    close() {
      io.close();
    },
  };
}
