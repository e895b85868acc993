import { fromErrorShape, toErrorShape } from "./errors.js";
import type { ExitReason } from "./exit-reason.js";
import type { EncodedReason, EncodedRef } from "./loop-transport.js";
import { type AnyRef, isRef, makeRef, targetOf } from "./ref.js";

const REF_KEY = "__chorusRef__";

/** Turns a ref into its capability token for another loop, and a token back into a ref. */
export interface RefTranslator {
  encodeRef(ref: AnyRef): EncodedRef;
  decodeRef(encoded: EncodedRef): AnyRef;
}

/**
 * Replaces every ref inside `value` (in arrays and plain objects, at any depth) with its
 * capability token. Returns `value` itself when it holds no ref, so the common case copies
 * nothing. Refs inside Maps, Sets or class instances are not translated (they would arrive as
 * dead plain objects): put refs in plain objects or arrays.
 */
export function encodeValue(value: unknown, translator: RefTranslator): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (isRef(value)) return translator.encodeRef(value);
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const encoded = encodeValue(item, translator);
      if (encoded !== item) {
        out ??= value.slice();
        out[i] = encoded;
      }
    }
    return out ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | null = null;
  for (const key in value as Record<string, unknown>) {
    const item = (value as Record<string, unknown>)[key];
    const encoded = encodeValue(item, translator);
    if (encoded !== item) {
      out ??= { ...(value as Record<string, unknown>) };
      out[key] = encoded;
    }
  }
  return out ?? value;
}

/** The inverse of {@link encodeValue}: tokens become refs (far, near, or dead ones). */
export function decodeValue(value: unknown, translator: RefTranslator): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decodeValue(value[i], translator);
    return value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const record = value as Record<string, unknown>;
  if (typeof record[REF_KEY] === "string") return translator.decodeRef(record as unknown as EncodedRef);
  for (const key in record) record[key] = decodeValue(record[key], translator);
  return record;
}

/** Encodes an exit reason for another loop (a crash's error becomes an ErrorShape). */
export function encodeReason(reason: ExitReason): EncodedReason {
  if (reason.type === "crash") return { type: "crash", error: toErrorShape(reason.error) };
  return reason as EncodedReason;
}

/** Decodes an exit reason from another loop. */
export function decodeReason(reason: EncodedReason): ExitReason {
  if (reason.type === "crash") return { type: "crash", error: fromErrorShape(reason.error) };
  return reason as ExitReason;
}

/** Builds an encoded ref. */
export function encodedRef(token: string, loopId: string): EncodedRef {
  return { [REF_KEY]: token, loop: loopId } as EncodedRef;
}

/** Reads the token of an encoded ref. */
export function tokenOf(encoded: EncodedRef): string {
  return encoded[REF_KEY];
}

export { makeRef, targetOf };
