/**
 * Content types of common web assets by file extension, and whether a type is worth compressing.
 */
import { extname } from "node:path";

/** One row of the content-type table. */
export interface ContentTypeEntry {
  /** The `Content-Type` header value. */
  readonly type: string;
  /** Whether gzip / brotli is worth applying (text-like formats). */
  readonly compressible: boolean;
}

const TEXT = (type: string): ContentTypeEntry => ({ type: `${type}; charset=utf-8`, compressible: true });
const BINARY = (type: string): ContentTypeEntry => ({ type, compressible: false });

/** The table, keyed by lower-case extension with its dot. */
export const CONTENT_TYPES: Readonly<Record<string, ContentTypeEntry>> = Object.freeze({
  ".html": TEXT("text/html"),
  ".htm": TEXT("text/html"),
  ".css": TEXT("text/css"),
  ".js": TEXT("text/javascript"),
  ".mjs": TEXT("text/javascript"),
  ".json": TEXT("application/json"),
  ".map": TEXT("application/json"),
  ".txt": TEXT("text/plain"),
  ".xml": TEXT("application/xml"),
  ".svg": TEXT("image/svg+xml"),
  ".webmanifest": TEXT("application/manifest+json"),
  ".wasm": { type: "application/wasm", compressible: true },
  ".png": BINARY("image/png"),
  ".jpg": BINARY("image/jpeg"),
  ".jpeg": BINARY("image/jpeg"),
  ".gif": BINARY("image/gif"),
  ".webp": BINARY("image/webp"),
  ".avif": BINARY("image/avif"),
  ".ico": BINARY("image/x-icon"),
  ".woff": BINARY("font/woff"),
  ".woff2": BINARY("font/woff2"),
  ".mp3": BINARY("audio/mpeg"),
  ".mp4": BINARY("video/mp4"),
  ".webm": BINARY("video/webm"),
  ".pdf": BINARY("application/pdf"),
});

/** The fallback for unknown extensions. */
export const DEFAULT_CONTENT_TYPE: ContentTypeEntry = BINARY("application/octet-stream");

/** Looks up the content type of a file path by its extension (case-insensitive). */
export function contentTypeOf(filePath: string): ContentTypeEntry {
  return CONTENT_TYPES[extname(filePath).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}
