/**
 * The Engine.IO v4 server: routes HTTP requests and WebSocket upgrades under a path to sessions,
 * performs handshakes, and refuses bad requests with the reference server's errors. Usable on its
 * own (raw Engine.IO clients at `/engine.io/`) or under Socket.IO (at `/socket.io/`).
 *
 * ```
 * GET  ?EIO=4&transport=polling             → handshake: 200 `0{"sid":…}`
 * GET  ?EIO=4&transport=websocket (Upgrade) → handshake over WebSocket
 * GET|POST ?EIO=4&transport=polling&sid=…   → the session's polling transport
 * GET  ?EIO=4&transport=websocket&sid=… (Upgrade) → probe for the polling → WebSocket upgrade
 * ```
 * Request checks follow the reference's `verify` then `handshake`, in order: unknown transport
 * (0), unknown sid (1), a sid used with another transport (3), a handshake that is not a GET (2),
 * a WebSocket handshake without Upgrade (3), `EIO` other than 4 (5).
 * Spec: https://github.com/socketio/engine.io-protocol
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import {
  type EngineIoServerOptions,
  type EngineIoTransportName,
  type ResolvedEngineIoServerOptions,
  resolveEngineIoServerOptions,
} from "./engine-io-server-options.js";
import { EngineIoSession, type EngineIoSocket } from "./engine-io-socket.js";
import type { EngineIoTransport } from "./engine-io-transport.js";
import type { EngineIoRequestErrorCode } from "./errors.js";
import { ENGINE_IO_PROTOCOL } from "./packet.js";
import { PollingTransport } from "./polling-transport.js";
import { rejectRequest, rejectUpgrade } from "./request-rejection.js";
import { createSessionId } from "./session-id.js";
import { WebSocketTransport } from "./websocket-transport.js";

/** Called with each new session, after its `open` packet is queued. */
export type EngineIoConnectionListener = (socket: EngineIoSocket) => void;

/** An Engine.IO server. */
export interface EngineIoServer {
  /** The resolved options (path with a trailing `/`). */
  readonly options: ResolvedEngineIoServerOptions;
  /** Number of open sessions. */
  readonly clientsCount: number;
  /** Adds a listener for new sessions. */
  onConnection(listener: EngineIoConnectionListener): void;
  /**
   * Serves requests and upgrades under `options.path` on `httpServer`. Requests elsewhere go to
   * the `request` listeners the server had before; upgrades elsewhere are left to other upgrade
   * listeners, or destroyed if there are none.
   */
  attach(httpServer: HttpServer): void;
  /** Handles one HTTP request already known to be under the path. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  /** Handles one upgrade request already known to be under the path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every session ("forced close") and stops accepting WebSocket upgrades. Idempotent. */
  close(): void;
}

/**
 * Creates an Engine.IO v4 server. Attach it with `attach(httpServer)`.
 * @throws TypeError / RangeError for invalid options (see `resolveEngineIoServerOptions`).
 */
export function createEngineIoServer(options: EngineIoServerOptions): EngineIoServer {
  return new EngineIoServerRuntime(resolveEngineIoServerOptions(options));
}

interface ParsedQuery {
  readonly pathname: string;
  readonly transport: string | null;
  readonly sid: string | null;
  readonly eio: string | null;
}

function parseQuery(req: IncomingMessage): ParsedQuery {
  const url = new URL(req.url ?? "/", "http://localhost");
  const q = url.searchParams;
  return { pathname: url.pathname, transport: q.get("transport"), sid: q.get("sid"), eio: q.get("EIO") };
}

class EngineIoServerRuntime implements EngineIoServer {
  readonly options: ResolvedEngineIoServerOptions;
  readonly #sessions = new Map<string, EngineIoSession>();
  readonly #pollers = new Map<string, PollingTransport>();
  readonly #listeners: EngineIoConnectionListener[] = [];
  readonly #wss: WebSocketServer;
  #closed = false;

  constructor(options: ResolvedEngineIoServerOptions) {
    this.options = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: options.payloadBytesMax,
    });
  }

  get clientsCount(): number {
    return this.#sessions.size;
  }

  onConnection(listener: EngineIoConnectionListener): void {
    this.#listeners.push(listener);
  }

  attach(httpServer: HttpServer): void {
    const previous = httpServer.listeners("request") as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    httpServer.removeAllListeners("request");
    httpServer.on("request", (req: IncomingMessage, res: ServerResponse) => {
      if (this.#matches(req)) this.handleRequest(req, res);
      else for (const listener of previous) listener.call(httpServer, req, res);
    });
    httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.#matches(req)) this.handleUpgrade(req, socket, head);
      else if (httpServer.listenerCount("upgrade") === 1) socket.destroy();
    });
    httpServer.on("close", () => this.close());
  }

  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const query = parseQuery(req);
    const refusal = this.#verify(req, query, false);
    if (refusal !== null) return rejectRequest(res, refusal);
    if (query.sid !== null) {
      this.#pollers.get(query.sid)!.onRequest(req, res);
      return;
    }
    const transport = new PollingTransport(this.options.reactor, this.options);
    const session = this.#open(transport);
    this.#pollers.set(session.id, transport);
    transport.onRequest(req, res);
    this.#announce(session);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const query = parseQuery(req);
    const refusal = this.#closed ? "bad_request" : this.#verify(req, query, true);
    if (refusal !== null) return rejectUpgrade(socket, refusal);
    this.#wss.handleUpgrade(req, socket, head, (ws: WebSocket) => this.#onWebSocket(ws, query));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const session of [...this.#sessions.values()]) session.shutdown();
    this.#wss.close();
  }

  #matches(req: IncomingMessage): boolean {
    return (req.url ?? "").slice(0, this.options.path.length) === this.options.path;
  }

  /** The reference's `verify` + protocol check, as one ordered table walk. */
  #verify(req: IncomingMessage, query: ParsedQuery, upgrade: boolean): EngineIoRequestErrorCode | null {
    const transport = query.transport as EngineIoTransportName | null;
    if (transport === null || !this.options.transports.includes(transport)) return "unknown_transport";
    if (query.sid !== null) {
      const session = this.#sessions.get(query.sid);
      if (session === undefined) return "unknown_sid";
      if (upgrade) return transport === "websocket" && session.transport === "polling" ? null : "bad_request";
      return session.transport === transport ? null : "bad_request";
    }
    if (req.method !== "GET") return "bad_handshake_method";
    if (transport === "websocket" && !upgrade) return "bad_request";
    if (transport === "polling" && upgrade) return "bad_request";
    if (query.eio !== String(ENGINE_IO_PROTOCOL)) return "unsupported_protocol_version";
    if (this.#closed) return "bad_request";
    return null;
  }

  #onWebSocket(ws: WebSocket, query: ParsedQuery): void {
    const transport = new WebSocketTransport(ws);
    if (query.sid === null) {
      this.#announce(this.#open(transport));
      return;
    }
    const session = this.#sessions.get(query.sid);
    if (session === undefined || session.upgradeStarted || session.readyState !== "open") {
      transport.close(() => {}, true);
      return;
    }
    session.upgradeTo(transport);
  }

  #open(transport: EngineIoTransport): EngineIoSession {
    const id = this.#freshId();
    const session = new EngineIoSession(id, transport, this.options, (ended) => {
      this.#sessions.delete(ended.id);
      this.#pollers.delete(ended.id);
    });
    this.#sessions.set(id, session);
    session.open();
    return session;
  }

  #announce(session: EngineIoSession): void {
    for (const listener of [...this.#listeners]) listener(session);
  }

  #freshId(): string {
    for (;;) {
      const id = createSessionId(this.options.reactor);
      if (!this.#sessions.has(id)) return id;
    }
  }
}
