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
 * a WebSocket handshake without Upgrade (3), `EIO` other than 4 (5). While the server drains
 * (`close({ drainMs })`), a handshake is answered 503 "Server shutting down".
 * Spec: https://github.com/socketio/engine.io-protocol
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import {
  type EngineIoServerOptions,
  type EngineIoTransportName,
  type ResolvedEngineIoServerOptions,
  resolveEngineIoServerOptions,
} from "./engine-io-server-options.js";
import { EngineIoSession } from "./engine-io-session.js";
import { HeartbeatScheduler } from "./heartbeat.js";
import type { EngineIoSocket } from "./engine-io-socket.js";
import type { EngineIoTransport } from "./engine-io-transport.js";
import type { EngineIoRequestErrorCode } from "./errors.js";
import { ENGINE_IO_PROTOCOL } from "./packet.js";
import { PollingTransport } from "./polling-transport.js";
import {
  rejectRequest,
  rejectRequestUnavailable,
  rejectUpgrade,
  rejectUpgradeUnavailable,
} from "./request-rejection.js";
import { createSessionId } from "./session-id.js";
import { SocketCorker } from "./socket-corker.js";
import { WebSocketTransport } from "./websocket-transport.js";
import { type ServerWebSocket, acceptWebSocket } from "../websocket/server-web-socket.js";

/** Called with each new session, after its `open` packet is queued. */
export type EngineIoConnectionListener = (socket: EngineIoSocket) => void;

/** Options of {@link EngineIoServer.close}. */
export interface EngineIoCloseOptions {
  /**
   * Milliseconds sessions get to finish a polite close (their queued packets, then `close`)
   * before the rest are closed at once. Default 0: close at once after one flush.
   */
  readonly drainMs?: number;
  /** Description given to `close` listeners. Default "server shutting down". */
  readonly reason?: string;
}

/** An Engine.IO server. */
export interface EngineIoServer {
  /** The resolved options (path with a trailing `/`). */
  readonly options: ResolvedEngineIoServerOptions;
  /** Number of open sessions. */
  readonly clientsCount: number;
  /** True once `stopAccepting` or `close` was called: handshakes are answered 503. */
  readonly draining: boolean;
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
  /**
   * Opens a session on a transport the server did not build (a simulated or custom one), as a
   * WebSocket handshake would: without `sid`, a new session whose `open` packet is the
   * transport's first write, announced to `onConnection` listeners; with `sid`, the transport is
   * offered as the upgrade probe of that polling session. The caller routes the transport's
   * input itself (requests of a custom polling transport never reach `handleRequest`).
   * Refused — the transport is closed and null returned — for a transport not in
   * `options.transports`, a handshake while draining, an unknown sid, a session that is not on
   * polling or already upgrading, or a probe during `close`.
   * @returns the session opened or being upgraded, or null if refused.
   */
  acceptTransport(transport: EngineIoTransport, query?: { readonly sid?: string }): EngineIoSocket | null;
  /**
   * Refuses new sessions from now on (a handshake gets 503 "Server shutting down"); open
   * sessions and their requests go on. Idempotent.
   */
  stopAccepting(): void;
  /**
   * Drains and closes: stops accepting, closes every session politely (queued packets are
   * written, then the Engine.IO `close` packet, after which stock clients reconnect: their
   * reason is "transport close"), waits up to `drainMs` for those closes to complete, then
   * closes the rest at once. `close` listeners get "forced close". Idempotent: later calls
   * return the same promise.
   * @throws RangeError synchronously for a `drainMs` that is not an integer >= 0.
   */
  close(options?: EngineIoCloseOptions): Promise<void>;
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
  /** Batches every WebSocket connection's writes per loop turn. */
  readonly #corker: SocketCorker;
  /** Every session's heartbeat, on two Reactor timers. */
  readonly #heartbeats: HeartbeatScheduler;
  /** Forgets a session that ended (shared by every session: no closure per session). */
  readonly #forget = (ended: EngineIoSession): void => {
    this.#sessions.delete(ended.id);
    this.#pollers.delete(ended.id);
    if (this.#sessions.size === 0) this.#whenEmpty?.();
  };
  #draining = false;
  #closing: Promise<void> | null = null;
  /** Called when the last session ends during a drain. */
  #whenEmpty: (() => void) | null = null;

  constructor(options: ResolvedEngineIoServerOptions) {
    this.options = options;
    this.#corker = new SocketCorker(options.reactor);
    this.#heartbeats = new HeartbeatScheduler(options.reactor, options);
  }

  get clientsCount(): number {
    return this.#sessions.size;
  }

  get draining(): boolean {
    return this.#draining;
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
    httpServer.on("close", () => void this.close());
  }

  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const query = parseQuery(req);
    const refusal = this.#verify(req, query, false);
    if (refusal === "draining") return rejectRequestUnavailable(res);
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
    const refusal = this.#closing !== null && query.sid !== null ? "bad_request" : this.#verify(req, query, true);
    if (refusal === "draining") return rejectUpgradeUnavailable(socket);
    if (refusal !== null) return rejectUpgrade(socket, refusal);
    const { reactor, payloadBytesMax, closeTimeoutMs } = this.options;
    const channel = acceptWebSocket(req, socket, { reactor, payloadBytesMax, closeTimeoutMs, corker: this.#corker });
    if (channel === null) return;
    try {
      this.#onWebSocket(channel, query);
    } finally {
      channel.start(head); // even if a connection listener threw: the socket gets its error listener
    }
  }

  acceptTransport(transport: EngineIoTransport, query: { readonly sid?: string } = {}): EngineIoSocket | null {
    const sid = query.sid;
    const session = sid === undefined ? undefined : this.#sessions.get(sid);
    const accepted =
      this.options.transports.includes(transport.name) &&
      (sid === undefined
        ? !this.#draining
        : session !== undefined &&
          this.#closing === null &&
          transport.name === "websocket" &&
          session.transport === "polling" &&
          !session.upgradeStarted &&
          session.readyState === "open");
    if (!accepted) {
      transport.close(() => {}, true);
      return null;
    }
    if (session !== undefined) {
      session.upgradeTo(transport);
      return session;
    }
    const opened = this.#open(transport);
    this.#announce(opened);
    return opened;
  }

  stopAccepting(): void {
    this.#draining = true;
  }

  close(options: EngineIoCloseOptions = {}): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    const drainMs = options.drainMs ?? 0;
    if (!Number.isSafeInteger(drainMs) || drainMs < 0) {
      throw new RangeError(`drainMs must be an integer number of ms >= 0, got ${drainMs}`);
    }
    const reason = options.reason ?? "server shutting down";
    this.#draining = true;
    this.#closing = new Promise<void>((resolve) => {
      let timer: { cancel(): void } | null = null;
      const finish = (): void => {
        this.#whenEmpty = null;
        timer?.cancel();
        for (const session of [...this.#sessions.values()]) session.shutdown(reason);
        resolve();
      };
      for (const session of [...this.#sessions.values()]) session.close(reason);
      if (this.#sessions.size === 0 || drainMs === 0) return finish();
      this.#whenEmpty = finish;
      timer = this.options.reactor.setTimer(drainMs, finish);
    });
    return this.#closing;
  }

  #matches(req: IncomingMessage): boolean {
    return (req.url ?? "").slice(0, this.options.path.length) === this.options.path;
  }

  /** The reference's `verify` + protocol check, as one ordered table walk. */
  #verify(req: IncomingMessage, query: ParsedQuery, upgrade: boolean): EngineIoRequestErrorCode | "draining" | null {
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
    if (this.#draining) return "draining";
    return null;
  }

  #onWebSocket(channel: ServerWebSocket, query: ParsedQuery): void {
    const transport = new WebSocketTransport(channel);
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
    const session = new EngineIoSession(id, transport, this.options, this.#forget, this.#heartbeats);
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
