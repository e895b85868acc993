/**
 * The rolling hash behind a {@link Trace}: two 32-bit lanes (FNV-1a-style multiply–xor) fed with
 * a structural walk of each event, so that no event is ever turned into text to be hashed.
 *
 * Each value is fed as a type code followed by its content: strings char by char, integers as
 * one word, other numbers as the two words of their IEEE-754 bits, arrays as their length then
 * their items, plain objects as key/value pairs in insertion order, byte arrays as their length
 * and leading bytes, other objects by constructor name. One event feeds at most
 * {@link TRACE_HASH_LEAVES_MAX} leaves: a huge payload costs no more than a small one, and two
 * payloads that differ only past that many leaves hash the same (the events around them differ
 * long before a run could diverge unnoticed).
 */

/** Most leaves (strings, numbers, booleans, …) one event feeds into the hash. */
export const TRACE_HASH_LEAVES_MAX = 64;
/** Most bytes of one byte array fed into the hash. */
const BYTES_MAX = 64;

const enum Code {
  String = 1,
  Int = 2,
  Float = 3,
  True = 4,
  False = 5,
  Null = 6,
  Undefined = 7,
  BigInt = 8,
  Array = 9,
  Object = 10,
  Bytes = 11,
  Other = 12,
  Truncated = 13,
  Event = 14,
}

const floatView = new Float64Array(1);
const wordView = new Uint32Array(floatView.buffer);

/** A two-lane rolling hash fed by {@link TraceHash.event}. */
export class TraceHash {
  #h1 = 0x811c9dc5;
  #h2 = 0x01000193 ^ 0x5bd1e995;
  #leaves = 0;

  /**
   * Feeds one event: its own values in insertion order (its keys follow from its `type`, so they
   * are not fed), each walked in full except `skip`, a key fed by its presence only.
   */
  event(event: Readonly<Record<string, unknown>>, skip: string | null = null): void {
    this.#leaves = TRACE_HASH_LEAVES_MAX;
    this.#word(Code.Event);
    for (const key in event) {
      if (key === skip) this.#word(Code.Other);
      else this.#value(event[key]);
    }
  }

  /** The hash so far, as 16 hex characters. */
  get hex(): string {
    return (this.#h1 >>> 0).toString(16).padStart(8, "0") + (this.#h2 >>> 0).toString(16).padStart(8, "0");
  }

  #word(w: number): void {
    this.#h1 = Math.imul(this.#h1 ^ w, 0x01000193);
    const h2 = Math.imul(this.#h2 ^ w, 0x5bd1e995);
    this.#h2 = h2 ^ (h2 >>> 15);
  }

  #string(text: string): void {
    let h1 = this.#h1;
    let h2 = this.#h2;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    this.#h1 = h1;
    this.#h2 = h2;
    this.#word(text.length);
  }

  #value(value: unknown): void {
    if (--this.#leaves < 0) {
      if (this.#leaves === -1) this.#word(Code.Truncated);
      return;
    }
    switch (typeof value) {
      case "string":
        this.#word(Code.String);
        return this.#string(value);
      case "number":
        return this.#number(value);
      case "boolean":
        return this.#word(value ? Code.True : Code.False);
      case "undefined":
        return this.#word(Code.Undefined);
      case "bigint":
        this.#word(Code.BigInt);
        return this.#string(value.toString(16));
      case "object":
        if (value === null) return this.#word(Code.Null);
        return this.#object(value);
      default:
        this.#word(Code.Other);
        return this.#string(typeof value);
    }
  }

  #number(n: number): void {
    if ((n | 0) === n && !Object.is(n, -0)) {
      this.#word(Code.Int);
      return this.#word(n);
    }
    floatView[0] = n;
    this.#word(Code.Float);
    this.#word(wordView[0]!);
    this.#word(wordView[1]!);
  }

  #object(value: object): void {
    if (Array.isArray(value)) {
      this.#word(Code.Array);
      this.#word(value.length);
      for (let i = 0; i < value.length && this.#leaves > 0; i++) this.#value(value[i]);
      return;
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return this.#bytes(value);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      this.#word(Code.Other);
      return this.#string(String((value as { constructor?: { name?: unknown } }).constructor?.name ?? "?"));
    }
    this.#word(Code.Object);
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (this.#leaves <= 0) break;
      this.#string(key);
      this.#value(record[key]);
    }
  }

  #bytes(value: ArrayBufferView | ArrayBuffer): void {
    const bytes =
      value instanceof ArrayBuffer
        ? new Uint8Array(value)
        : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    this.#word(Code.Bytes);
    this.#word(bytes.length);
    const n = Math.min(bytes.length, BYTES_MAX);
    for (let i = 0; i < n; i++) this.#word(bytes[i]!);
  }
}
