/**
 * The near-limit reference of the edge bench: a bare `ws` server that speaks just enough of
 * Engine.IO v4 / Socket.IO v5 over WebSocket (text frames only) for the stock `socket.io-client`
 * to connect, broadcast and ask for acks — so every server is driven by the same generator:
 *
 * ```
 * server → client  0{"sid":…,"upgrades":[],"pingInterval":25000,…}    open
 * client → server  40                                                  CONNECT "/"
 * server → client  40{"sid":…}                                         CONNECT reply, joins the room
 * client → server  42["msg",{…}]          server → every member  42["msg",{…}]   (encoded once)
 * client → server  42<id>["echo",{…}]     server → client        43<id>[{…}]
 * server → client  2 (every pingInterval, one timer for all)    client → server 3
 * ```
 * JSON is parsed and re-encoded like the other servers do, once per broadcast; the frame's bytes
 * are made once and written to every member with the public `ws.send(bytes, { binary: false })`.
 */
import type { Server as HttpServer } from "node:http";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { ECHO_EVENT, FANOUT_EVENT, PING_INTERVAL_MS, PING_TIMEOUT_MS } from "./edge-protocol.js";
import type { BenchServer, ServerCounters } from "./edge-server-kinds.js";

const TEXT = { binary: false } as const;
const PING = "2";

/** Starts the bare `ws` server on `http` (path `/socket.io/`). */
export function startBareServer(http: HttpServer, counters: ServerCounters): BenchServer {
  return new BareServer(http, counters);
}

class BareServer implements BenchServer {
  readonly #wss: WebSocketServer;
  readonly #counters: ServerCounters;
  /** The room: every socket that sent CONNECT. */
  readonly #room = new Set<WebSocket>();
  readonly #pinger: NodeJS.Timeout;
  #nextId = 0;

  constructor(http: HttpServer, counters: ServerCounters) {
    this.#counters = counters;
    this.#wss = new WebSocketServer({
      server: http,
      path: "/socket.io/",
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.#wss.on("connection", (ws: WebSocket) => this.#onConnection(ws));
    this.#pinger = setInterval(() => this.#ping(), PING_INTERVAL_MS);
  }

  get connected(): number {
    return this.#room.size;
  }

  close(): void {
    clearInterval(this.#pinger);
    for (const ws of this.#room) ws.terminate();
    this.#wss.close();
  }

  #onConnection(ws: WebSocket): void {
    const sid = `bare${this.#nextId++}`;
    const open = { sid, upgrades: [], pingInterval: PING_INTERVAL_MS, pingTimeout: PING_TIMEOUT_MS, maxPayload: 1e6 };
    ws.send(`0${JSON.stringify(open)}`);
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (!isBinary) this.#onText(ws, sid, (data as Buffer).toString());
    });
    ws.on("close", () => this.#room.delete(ws));
    ws.on("error", () => ws.terminate());
  }

  #onText(ws: WebSocket, sid: string, text: string): void {
    if (text.startsWith("42")) return this.#onEvent(ws, text);
    if (text === "40" || text.startsWith("40{")) {
      this.#room.add(ws);
      ws.send(`40{"sid":"${sid}"}`);
    }
  }

  #onEvent(ws: WebSocket, text: string): void {
    const open = text.indexOf("[");
    if (open < 0) return;
    const args = JSON.parse(text.slice(open)) as unknown[];
    if (args[0] === FANOUT_EVENT) {
      const frame = Buffer.from(`42${JSON.stringify(args)}`);
      for (const member of this.#room) member.send(frame, TEXT);
      this.#counters.broadcasts++;
      this.#counters.deliveries += this.#room.size;
    } else if (args[0] === ECHO_EVENT && open > 2) {
      ws.send(`43${text.slice(2, open)}${JSON.stringify(args.slice(1))}`);
      this.#counters.echoes++;
    }
  }

  #ping(): void {
    for (const ws of this.#room) ws.send(PING);
  }
}
