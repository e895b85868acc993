/**
 * CORS with an allow-list: an allow-listed `Origin` gets `Access-Control-Allow-Origin` (and, for a
 * preflight, the allowed methods and headers); any other origin gets no CORS header at all.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ResolvedHttpEdgeOptions } from "./http-edge-options.js";

/** What {@link applyCors} did with a request. */
export type CorsOutcome = "none" | "allowed" | "preflight-answered" | "preflight-refused";

/**
 * Adds CORS headers for an allow-listed origin. A preflight (`OPTIONS` with
 * `Access-Control-Request-Method`) is answered here: 204 for an allowed origin, 403 otherwise.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, options: ResolvedHttpEdgeOptions): CorsOutcome {
  const origin = req.headers.origin;
  const preflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
  res.appendHeader("vary", "Origin");
  const allowed = origin !== undefined && options.corsOrigins.includes(origin);
  if (!allowed) {
    if (!preflight) return "none";
    res.writeHead(403, { "content-type": "text/plain; charset=utf-8" }).end("origin not allowed");
    return "preflight-refused";
  }
  res.setHeader("access-control-allow-origin", origin);
  if (!preflight) return "allowed";
  res.writeHead(204, {
    "access-control-allow-methods": options.corsMethods.join(", "),
    "access-control-allow-headers": options.corsHeaders.join(", "),
    "access-control-max-age": String(options.corsMaxAgeSeconds),
  });
  res.end();
  return "preflight-answered";
}
