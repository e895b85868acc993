// Loads the byte vectors of test/vectors/ for the edge codec tests. Vectors are JSON written by
// hand from the specs; binary values are written {"$bytes": "<hex>"} and become Buffers here.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the first folder above this file with a package.json and test/vectors/. */
function repoRoot(): string {
  let dir = resolve(dirname(fileURLToPath(import.meta.url)));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "test", "vectors"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no repository root with test/vectors above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Reads `test/vectors/<path>` with every {"$bytes": hex} turned into a Buffer. */
export function loadVectors<T>(path: string): T {
  return revive(JSON.parse(readFileSync(join(repoRoot(), "test", "vectors", path), "utf8"))) as T;
}

/** Replaces {"$bytes": hex} objects, at any depth, with Buffers. */
export function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  if (typeof record.$bytes === "string" && Object.keys(record).length === 1) return Buffer.from(record.$bytes, "hex");
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, revive(item)]));
}

/**
 * Makes data comparable across byte containers: every Uint8Array (Buffer or not) becomes
 * {"$bytes": hex}. Decoded bytes are Buffers, generated ones plain Uint8Arrays; the bytes matter.
 */
export function normalizeBytes(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex") };
  if (Array.isArray(value)) return value.map(normalizeBytes);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, key, {
      value: normalizeBytes(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
