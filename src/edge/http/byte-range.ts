/**
 * Parsing of a `Range: bytes=…` header against a file size (RFC 9110 §14). Only one range is
 * served; several ranges fall back to the full body.
 */

/** An inclusive byte range within a representation. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The outcome of parsing: `ignore` (no header, another unit, bad syntax or several ranges → send
 * 200 with the full body), `range` (→ 206) or `unsatisfiable` (→ 416).
 */
export type ByteRangeResult =
  | { readonly type: "ignore" }
  | { readonly type: "range"; readonly range: ByteRange }
  | { readonly type: "unsatisfiable" };

/** Parses `header` for a representation of `size` bytes. */
export function parseByteRange(header: string | undefined, size: number): ByteRangeResult {
  if (header === undefined) return { type: "ignore" };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (match === null) return { type: "ignore" };
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return { type: "ignore" };
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { type: "unsatisfiable" };
    return { type: "range", range: { start: Math.max(0, size - suffix), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== "" && Number(last) < start) return { type: "ignore" };
  if (start >= size) return { type: "unsatisfiable" };
  return { type: "range", range: { start, end } };
}
