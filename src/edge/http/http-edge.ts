/**
 * The edge's HTTP server: `/healthz`, `/readyz`, static files, CORS with an allow-list, limits
 * (URL 414, head 431, body 413, read timeouts, idle keep-alive) and refusal of ambiguous framing.
 * An Engine.IO / Socket.IO server is either mounted (`edge.mount(io.engine)`: its requests pass
 * the same framing, size and CORS checks first) or attached to `edge.server` on its own. Other
 * requests without a route go to `onUnhandled`.
 *
 * ```
 * GET|HEAD /healthz → 200 "ok"
 * GET|HEAD /readyz  → 200 "ready" | 503 "not ready" (setReady(false), or readiness() false)
 * <mount path>…     → the mounted Engine.IO server (after CORS; preflight answered here)
 * GET|HEAD /…       → a file under staticRoot (200 / 206 / 304 / 416), else onUnhandled
 * OPTIONS preflight → 204 for an allow-listed Origin, 403 otherwise
 * ```
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { readBoundedBody } from "./body-reader.js";
import { applyCors } from "./cors.js";
import { ambiguousFraming } from "./framing.js";
import { type HttpEdgeOptions, type ResolvedHttpEdgeOptions, resolveHttpEdgeOptions } from "./http-edge-options.js";
import { resolveStaticPath, serveStaticFile } from "./static-files.js";

/** What the edge needs from a server it mounts (an `EngineIoServer` fits). */
export interface HttpEdgeMountable {
  /** Its options; `path` is the prefix it answers under (with a trailing `/`). */
  readonly options: { readonly path: string };
  /** Handles one request under the path. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  /** Handles one WebSocket upgrade under the path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** The edge's HTTP server, not yet listening. */
export interface HttpEdge {
  /** The `node:http` server; the caller listens and closes it. */
  readonly server: Server;
  /** The resolved options. */
  readonly options: ResolvedHttpEdgeOptions;
  /** False once `setReady(false)` was called; `/readyz` answers 200 only when this and `readiness()` hold. */
  readonly ready: boolean;
  /** Sets readiness, e.g. `setReady(false)` when a drain starts so load balancers stop sending. */
  setReady(ready: boolean): void;
  /**
   * Routes requests and upgrades under `target.options.path` to `target`, after the edge's
   * framing, URL, body-size and CORS checks (a CORS preflight is answered by the edge). Use this
   * instead of `target.attach(server)`, not with it. Upgrades elsewhere are destroyed unless
   * another `upgrade` listener is there to take them.
   */
  mount(target: HttpEdgeMountable): void;
  /**
   * Reads a request body up to `bodyBytesMax`, counting as it streams (chunked bodies included);
   * over the limit it answers 413 itself and resolves `null`. For `onUnhandled` handlers.
   */
  readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | null>;
}

/**
 * Creates the edge's HTTP server (not listening).
 * @throws TypeError / RangeError for invalid options (see `resolveHttpEdgeOptions`).
 */
export function createHttpEdge(options: HttpEdgeOptions = {}): HttpEdge {
  const resolved = resolveHttpEdgeOptions(options);
  const server = createServer({
    headersTimeout: resolved.headersTimeoutMs,
    requestTimeout: resolved.requestTimeoutMs,
    maxHeaderSize: resolved.headerBytesMax,
    // Node checks both timeouts on this period (default 30 s); keep it well under the headers timeout.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(resolved.headersTimeoutMs / 4))),
  });
  server.keepAliveTimeout = resolved.keepAliveTimeoutMs;
  const state: EdgeState = { options: resolved, ready: true, mounts: [] };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => handle(req, res, state));
  // `Expect: 100-continue`: refuse an oversized declared body before the client sends it.
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    if (declaredLength(req) > resolved.bodyBytesMax) return void refuse(res, 413, "payload too large");
    res.writeContinue();
    server.emit("request", req, res);
  });
  return {
    server,
    options: resolved,
    get ready() {
      return state.ready;
    },
    setReady(ready: boolean) {
      state.ready = ready;
    },
    mount(target: HttpEdgeMountable) {
      if (state.mounts.length === 0)
        server.on("upgrade", (req, socket, head) => upgrade(server, req, socket, head, state));
      state.mounts.push(target);
    },
    readBody: (req, res) => readBoundedBody(req, res, resolved.bodyBytesMax),
  };
}

interface EdgeState {
  readonly options: ResolvedHttpEdgeOptions;
  ready: boolean;
  readonly mounts: HttpEdgeMountable[];
}

function mountFor(req: IncomingMessage, state: EdgeState): HttpEdgeMountable | undefined {
  const url = req.url ?? "/";
  return state.mounts.find((m) => url.startsWith(m.options.path));
}

function upgrade(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer, state: EdgeState): void {
  const target = mountFor(req, state);
  if (target !== undefined) target.handleUpgrade(req, socket, head);
  else if (server.listenerCount("upgrade") === 1) socket.destroy(); // nobody else will take it
}

function declaredLength(req: IncomingMessage): number {
  const header = req.headers["content-length"];
  return header === undefined ? 0 : Number(header);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.shouldKeepAlive = false;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: "close" }).end(message);
}

function text(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

function handle(req: IncomingMessage, res: ServerResponse, state: EdgeState): void {
  const options = state.options;
  if (ambiguousFraming(req) !== null) return refuse(res, 400, "ambiguous message framing");
  if (Buffer.byteLength(req.url ?? "") > options.urlBytesMax) return refuse(res, 414, "URI too long");
  if (declaredLength(req) > options.bodyBytesMax) return refuse(res, 413, "payload too large");
  const cors = applyCors(req, res, options);
  if (cors === "preflight-answered" || cors === "preflight-refused") return;
  const target = mountFor(req, state);
  if (target !== undefined) return target.handleRequest(req, res);
  const readOnly = req.method === "GET" || req.method === "HEAD";
  // The edge's own routes take no body: rather than reading one, close the connection after the answer.
  if (readOnly && hasBody(req)) res.shouldKeepAlive = false;
  const pathname = (req.url ?? "/").split("?", 1)[0];
  if (readOnly && pathname === "/healthz") return text(req, res, 200, "ok");
  if (readOnly && pathname === "/readyz") {
    return state.ready && options.readiness() ? text(req, res, 200, "ready") : text(req, res, 503, "not ready");
  }
  if (!readOnly || options.staticRoot === null) return options.onUnhandled(req, res);
  void serveStatic(req, res, options, options.staticRoot);
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || declaredLength(req) > 0;
}

async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  options: ResolvedHttpEdgeOptions,
  root: string,
): Promise<void> {
  const resolution = await resolveStaticPath(root, req.url ?? "/");
  switch (resolution.type) {
    case "file":
      return serveStaticFile(req, res, resolution);
    case "not-found":
      return options.onUnhandled(req, res);
    case "forbidden":
      return text(req, res, 403, "forbidden");
    case "bad-request":
      return text(req, res, 400, "bad request");
  }
}
