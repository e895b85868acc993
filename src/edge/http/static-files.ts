/**
 * Static files under a root directory: safe path resolution (no escape by `..`, encoded slashes or
 * symlinks), content types, ETag / If-None-Match (304), single Range requests (206 / 416),
 * gzip or brotli for compressible types (Accept-Encoding), and HEAD.
 */
import { createHash } from "node:crypto";
import { createReadStream, type Stats } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { createBrotliCompress, createGzip } from "node:zlib";
import { parseByteRange } from "./byte-range.js";
import { contentTypeOf } from "./content-type.js";

/** A content coding the server can apply. */
export type StaticEncoding = "br" | "gzip";

/**
 * The outcome of resolving a request path: a file to serve, `not-found` (let the next handler
 * answer), `forbidden` (an escape attempt, 403) or `bad-request` (undecodable path or NUL, 400).
 */
export type StaticResolution =
  | { readonly type: "file"; readonly path: string; readonly stats: Stats }
  | { readonly type: "not-found" }
  | { readonly type: "forbidden" }
  | { readonly type: "bad-request" };

/** Maps a request target (`/a/b.css?x`) to a regular file under `root` (a directory's `index.html`). */
export async function resolveStaticPath(root: string, target: string): Promise<StaticResolution> {
  const rawPath = target.split("?", 1)[0]!.split("#", 1)[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { type: "bad-request" };
  }
  if (decoded.includes("\0")) return { type: "bad-request" };
  if (decoded.split(/[/\\]/).includes("..")) return { type: "forbidden" };
  let candidate = resolve(root, "." + decoded);
  if (candidate !== root && !candidate.startsWith(root + sep)) return { type: "forbidden" };
  try {
    let stats = await stat(candidate);
    if (stats.isDirectory()) {
      candidate = join(candidate, "index.html");
      stats = await stat(candidate);
    }
    if (!stats.isFile()) return { type: "not-found" };
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!realFile.startsWith(realRoot + sep)) return { type: "forbidden" };
    return { type: "file", path: candidate, stats };
  } catch {
    return { type: "not-found" };
  }
}

/** A strong ETag derived from size and modification time (a hash, not a random). */
export function etagOf(stats: Stats): string {
  const digest = createHash("sha256").update(`${stats.size}:${stats.mtimeMs}`).digest("base64url");
  return `"${digest.slice(0, 27)}"`;
}

/** Whether an `If-None-Match` header matches `etag` (weak comparison, `*` matches). */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const bare = (tag: string): string => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || bare(tag) === bare(etag));
}

/** Picks the best coding the client accepts: `br`, then `gzip`, else `null` (identity). */
export function negotiateEncoding(header: string | undefined): StaticEncoding | null {
  if (header === undefined) return null;
  const accepted = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(p)).find((m) => m !== null);
    accepted.set(name.trim(), q ? Number(q[1]) : 1);
  }
  const quality = (coding: string): number => accepted.get(coding) ?? accepted.get("*") ?? 0;
  const br = quality("br");
  const gzip = quality("gzip");
  if (br > 0 && br >= gzip) return "br";
  if (gzip > 0) return "gzip";
  return null;
}

/**
 * Serves a GET or HEAD for a resolved file. Resolves when the response is complete; a read error
 * after the headers were sent destroys the response, so the client never sees a short body as
 * complete.
 */
export async function serveStaticFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: { readonly path: string; readonly stats: Stats },
): Promise<void> {
  const { size } = file.stats;
  const contentType = contentTypeOf(file.path);
  const encoding = contentType.compressible && size > 0 ? negotiateEncoding(req.headers["accept-encoding"]) : null;
  const baseTag = etagOf(file.stats);
  const etag = encoding === null ? baseTag : `${baseTag.slice(0, -1)}-${encoding}"`;
  res.setHeader("content-type", contentType.type);
  res.setHeader("etag", etag);
  res.setHeader("last-modified", file.stats.mtime.toUTCString());
  res.setHeader("cache-control", "no-cache");
  res.setHeader("accept-ranges", "bytes");
  if (contentType.compressible) res.appendHeader("vary", "Accept-Encoding");
  if (ifNoneMatchHits(req.headers["if-none-match"], etag)) {
    res.writeHead(304).end();
    return;
  }
  const ifRange = req.headers["if-range"];
  const rangeHeader = ifRange === undefined || ifRange === baseTag ? req.headers.range : undefined;
  const range = parseByteRange(rangeHeader, size);
  const head = req.method === "HEAD";
  if (range.type === "unsatisfiable") {
    res.writeHead(416, { "content-range": `bytes */${size}` }).end();
    return;
  }
  if (range.type === "range") {
    const { start, end } = range.range;
    res.setHeader("etag", baseTag);
    res.writeHead(206, { "content-range": `bytes ${start}-${end}/${size}`, "content-length": end - start + 1 });
    if (head) return void res.end();
    return send(res, createReadStream(file.path, { start, end }));
  }
  if (encoding === null) {
    res.writeHead(200, { "content-length": size });
    if (head) return void res.end();
    return send(res, createReadStream(file.path));
  }
  res.writeHead(200, { "content-encoding": encoding });
  if (head) return void res.end();
  const compressor = encoding === "br" ? createBrotliCompress() : createGzip();
  try {
    await pipeline(createReadStream(file.path), compressor, res);
  } catch (error) {
    res.destroy(error as Error);
  }
}

async function send(res: ServerResponse, source: NodeJS.ReadableStream): Promise<void> {
  try {
    await pipeline(source, res);
  } catch (error) {
    res.destroy(error as Error);
  }
}
