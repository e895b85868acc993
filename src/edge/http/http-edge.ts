/**
 * The edge's HTTP server: `/healthz`, `/readyz`, static files, CORS with an allow-list, body size
 * and read-timeout limits, and refusal of ambiguous framing. Requests without a route go to
 * `onUnhandled`; the Engine.IO / Socket.IO servers attach their own listeners to the same server
 * and take the requests under their path before these routes see them.
 *
 * ```
 * GET|HEAD /healthz → 200 "ok"
 * GET|HEAD /readyz  → 200 "ready" | 503 "not ready"
 * GET|HEAD /…       → a file under staticRoot (200 / 206 / 304 / 416), else onUnhandled
 * OPTIONS preflight → 204 for an allow-listed Origin, 403 otherwise
 * ```
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { applyCors } from "./cors.js";
import { ambiguousFraming } from "./framing.js";
import { type HttpEdgeOptions, type ResolvedHttpEdgeOptions, resolveHttpEdgeOptions } from "./http-edge-options.js";
import { resolveStaticPath, serveStaticFile } from "./static-files.js";

/** The edge's HTTP server, not yet listening. */
export interface HttpEdge {
  /** The `node:http` server; the caller listens and closes it. */
  readonly server: Server;
  /** The resolved options. */
  readonly options: ResolvedHttpEdgeOptions;
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
    // Node checks both timeouts on this period (default 30 s); keep it well under the headers timeout.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(resolved.headersTimeoutMs / 4))),
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => handle(req, res, resolved));
  // `Expect: 100-continue`: refuse an oversized declared body before the client sends it.
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    if (declaredLength(req) > resolved.bodyBytesMax) return void refuse(res, 413, "payload too large");
    res.writeContinue();
    server.emit("request", req, res);
  });
  return { server, options: resolved };
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

function handle(req: IncomingMessage, res: ServerResponse, options: ResolvedHttpEdgeOptions): void {
  if (ambiguousFraming(req) !== null) return refuse(res, 400, "ambiguous message framing");
  if (declaredLength(req) > options.bodyBytesMax) return refuse(res, 413, "payload too large");
  const cors = applyCors(req, res, options);
  if (cors === "preflight-answered" || cors === "preflight-refused") return;
  const readOnly = req.method === "GET" || req.method === "HEAD";
  const pathname = (req.url ?? "/").split("?", 1)[0];
  if (readOnly && pathname === "/healthz") return text(req, res, 200, "ok");
  if (readOnly && pathname === "/readyz") {
    return options.readiness() ? text(req, res, 200, "ready") : text(req, res, 503, "not ready");
  }
  if (!readOnly || options.staticRoot === null) return options.onUnhandled(req, res);
  void serveStatic(req, res, options, options.staticRoot);
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
