/**
 * Detection of ambiguous request framing (request smuggling): `Transfer-Encoding` together with
 * `Content-Length`, or several differing `Content-Length` values. Node 20's parser (llhttp)
 * already refuses both with 400 before a request is emitted; this check is the second line for a
 * server built with `insecureHTTPParser`.
 */
import type { IncomingMessage } from "node:http";

/** Why a request's framing is ambiguous, or `null` when it is not. */
export type AmbiguousFraming = "transfer-encoding-with-content-length" | "conflicting-content-length" | null;

/** Inspects the raw headers of `req`. */
export function ambiguousFraming(req: IncomingMessage): AmbiguousFraming {
  let transferEncoding = false;
  const lengths = new Set<string>();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === "transfer-encoding") transferEncoding = true;
    else if (name === "content-length") for (const v of raw[i + 1]!.split(",")) lengths.add(v.trim());
  }
  if (transferEncoding && lengths.size > 0) return "transfer-encoding-with-content-length";
  if (lengths.size > 1) return "conflicting-content-length";
  return null;
}
