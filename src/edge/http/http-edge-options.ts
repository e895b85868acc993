/**
 * Options of the edge's HTTP server, resolved once: defaults first, then validation that names
 * the bad option with `TypeError` / `RangeError`. Every limit has a unit in its name.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { resolve as resolvePath } from "node:path";

/** Answers `/readyz`: `true` → 200, `false` → 503 (for example while draining). */
export type HttpReadiness = () => boolean;

/** Handles a request the edge has no route for (the default answers 404). */
export type HttpUnhandledHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Options of {@link createHttpEdge}. Every field is optional. */
export interface HttpEdgeOptions {
  /**
   * Milliseconds a client may take to send the request headers (slowloris guard; Node's
   * `server.headersTimeout`). Default 20000.
   */
  readonly headersTimeoutMs?: number;
  /**
   * Milliseconds a client may take to send the whole request, headers and body (Node's
   * `server.requestTimeout`); at least `headersTimeoutMs`. Default 60000.
   */
  readonly requestTimeoutMs?: number;
  /**
   * Largest request body in bytes: a larger declared `Content-Length` is answered 413 before the
   * body is read; a chunked body sent to an edge route is counted as it streams and answered 413
   * when it crosses the limit. Default 1048576.
   */
  readonly bodyBytesMax?: number;
  /** Longest request target (path and query) in bytes; a longer one is answered 414. Default 8192. */
  readonly urlBytesMax?: number;
  /**
   * Largest request head (request line and headers) in bytes; Node answers 431 above it (its
   * `maxHeaderSize`). Default 16384. A URL longer than this gets 431 rather than 414.
   */
  readonly headerBytesMax?: number;
  /**
   * Milliseconds an idle keep-alive connection is kept open after a response (Node's
   * `server.keepAliveTimeout`; Node 20 adds a 1000 ms grace before it closes the socket, so a
   * client using the same timeout closes first). Default 5000.
   */
  readonly keepAliveTimeoutMs?: number;
  /** Directory served as static files (made absolute). Default `null`: no static files. */
  readonly staticRoot?: string | null;
  /**
   * Origins (`scheme://host[:port]`) that get CORS headers. Default `[]`: none. There is no
   * wildcard; list every origin.
   */
  readonly corsOrigins?: readonly string[];
  /** Methods announced in a preflight answer. Default `["GET", "HEAD", "POST", "OPTIONS"]`. */
  readonly corsMethods?: readonly string[];
  /** Request headers allowed in a preflight answer. Default `["content-type"]`. */
  readonly corsHeaders?: readonly string[];
  /** Seconds a browser may cache a preflight answer. Default 600. */
  readonly corsMaxAgeSeconds?: number;
  /** Answers `/readyz`. Default: always ready. */
  readonly readiness?: HttpReadiness;
  /** Handles requests without an edge route. Default: 404 `not found`. */
  readonly onUnhandled?: HttpUnhandledHandler;
}

/** {@link HttpEdgeOptions} with every default applied; frozen. */
export interface ResolvedHttpEdgeOptions {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly bodyBytesMax: number;
  readonly urlBytesMax: number;
  readonly headerBytesMax: number;
  readonly keepAliveTimeoutMs: number;
  readonly staticRoot: string | null;
  readonly corsOrigins: readonly string[];
  readonly corsMethods: readonly string[];
  readonly corsHeaders: readonly string[];
  readonly corsMaxAgeSeconds: number;
  readonly readiness: HttpReadiness;
  readonly onUnhandled: HttpUnhandledHandler;
}

/** The default {@link HttpUnhandledHandler}: 404 with a short text body. */
export const notFound: HttpUnhandledHandler = (_req, res) => {
  res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found");
};

/** Defaults of {@link HttpEdgeOptions}. */
export const HTTP_EDGE_DEFAULTS: ResolvedHttpEdgeOptions = Object.freeze({
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  bodyBytesMax: 1_048_576,
  urlBytesMax: 8192,
  headerBytesMax: 16_384,
  keepAliveTimeoutMs: 5000,
  staticRoot: null,
  corsOrigins: Object.freeze([]) as readonly string[],
  corsMethods: Object.freeze(["GET", "HEAD", "POST", "OPTIONS"]),
  corsHeaders: Object.freeze(["content-type"]),
  corsMaxAgeSeconds: 600,
  readiness: () => true,
  onUnhandled: notFound,
});

const POSITIVE_INTEGERS = [
  "headersTimeoutMs",
  "requestTimeoutMs",
  "bodyBytesMax",
  "urlBytesMax",
  "headerBytesMax",
  "keepAliveTimeoutMs",
] as const;
const STRING_LISTS = ["corsOrigins", "corsMethods", "corsHeaders"] as const;

/**
 * Applies defaults and validates.
 * @throws TypeError for a value of the wrong type; RangeError for a limit that is not an integer
 *   >= 1 (`corsMaxAgeSeconds` >= 0), `requestTimeoutMs` < `headersTimeoutMs`, a `"*"` CORS origin
 *   or one with a path.
 */
export function resolveHttpEdgeOptions(options: HttpEdgeOptions = {}): ResolvedHttpEdgeOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const merged = { ...HTTP_EDGE_DEFAULTS, ...defined } as ResolvedHttpEdgeOptions;
  for (const name of POSITIVE_INTEGERS) {
    const value: unknown = merged[name];
    if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${typeof value}`);
    if (!Number.isSafeInteger(value) || value < 1)
      throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
  }
  if (merged.requestTimeoutMs < merged.headersTimeoutMs) {
    throw new RangeError(
      `requestTimeoutMs (${merged.requestTimeoutMs}) must be >= headersTimeoutMs (${merged.headersTimeoutMs})`,
    );
  }
  const maxAge: unknown = merged.corsMaxAgeSeconds;
  if (typeof maxAge !== "number") throw new TypeError(`corsMaxAgeSeconds must be a number, got ${typeof maxAge}`);
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) {
    throw new RangeError(`corsMaxAgeSeconds must be an integer >= 0, got ${maxAge}`);
  }
  for (const name of STRING_LISTS) {
    const list: unknown = merged[name];
    if (!Array.isArray(list) || !list.every((v) => typeof v === "string")) {
      throw new TypeError(`${name} must be an array of strings`);
    }
  }
  for (const origin of merged.corsOrigins) {
    if (!/^https?:\/\/[^/*\s]+$/.test(origin)) {
      throw new RangeError(
        `corsOrigins entries must be "scheme://host[:port]" (no wildcard), got ${JSON.stringify(origin)}`,
      );
    }
  }
  if (merged.staticRoot !== null && typeof merged.staticRoot !== "string") {
    throw new TypeError(`staticRoot must be a string or null, got ${typeof merged.staticRoot}`);
  }
  if (typeof merged.readiness !== "function") throw new TypeError("readiness must be a function");
  if (typeof merged.onUnhandled !== "function") throw new TypeError("onUnhandled must be a function");
  return Object.freeze({
    ...merged,
    staticRoot: merged.staticRoot === null ? null : resolvePath(merged.staticRoot),
    corsOrigins: Object.freeze([...merged.corsOrigins]),
    corsMethods: Object.freeze([...merged.corsMethods]),
    corsHeaders: Object.freeze([...merged.corsHeaders]),
  });
}
