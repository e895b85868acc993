/**
 * The body encoding of the wire: msgpack (https://github.com/msgpack/msgpack/blob/master/spec.md)
 * through `@msgpack/msgpack`, with a hand-written fast path for the common case of a body that is
 * one byte array (msgpack `bin 8/16/32`): it is framed without the general encoder and decoded as
 * a view of the received bytes, without a copy. Both paths produce and accept standard msgpack,
 * so a peer in another language sees one encoding. Extension types are not used.
 */
import { Decoder, Encoder } from "@msgpack/msgpack";
import { WireError } from "./errors.js";

const BIN8 = 0xc4;
const BIN16 = 0xc5;
const BIN32 = 0xc6;

/** Encodes and decodes bodies. One per connection (the encoder reuses one scratch buffer). */
export class BodyCodec {
  readonly #encoder = new Encoder({ initialBufferSize: 4096, ignoreUndefined: false });
  readonly #decoder = new Decoder();

  /**
   * Size in bytes of the msgpack prefix a byte-array body gets (`bin 8/16/32`), or -1 when the
   * body is not a Uint8Array (it goes through the general encoder).
   */
  binPrefixBytes(body: unknown): number {
    if (!(body instanceof Uint8Array)) return -1;
    const n = body.byteLength;
    return n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
  }

  /** Writes the `bin` prefix of a byte-array body of `length` bytes at `out[at…]`; returns the new offset. */
  writeBinPrefix(out: Uint8Array, at: number, length: number): number {
    return writeBinPrefix(out, at, length);
  }

  /**
   * Encodes any msgpack-able value. The result is a view of a scratch buffer that the next call
   * overwrites: copy it before encoding again.
   * @throws Error from the encoder for values msgpack cannot represent (functions, symbols, bigints out of range).
   */
  encodeShared(value: unknown): Uint8Array {
    return this.#encoder.encodeSharedRef(value);
  }

  /** Encodes any msgpack-able value into fresh bytes (the byte-array fast path included). */
  encode(value: unknown): Uint8Array {
    const prefix = this.binPrefixBytes(value);
    if (prefix < 0) return this.#encoder.encode(value);
    const bytes = value as Uint8Array;
    const out = new Uint8Array(prefix + bytes.byteLength);
    out.set(bytes, this.writeBinPrefix(out, 0, bytes.byteLength));
    return out;
  }

  /**
   * Decodes the msgpack value in `source[start, end)` in place (a `bin 8` body is one view).
   * @throws WireError `bad_body` as {@link decode}.
   */
  decodeRange(source: Uint8Array, start: number, end: number): unknown {
    if (source[start] === BIN8 && source[start + 1] === end - start - 2) return source.subarray(start + 2, end);
    return this.decode(source.subarray(start, end));
  }

  /**
   * Decodes one msgpack value that fills `bytes` exactly. A `bin` body comes back as a view of
   * `bytes` (no copy), other byte arrays inside structures as views too.
   * @throws WireError `bad_body` when the bytes are not exactly one msgpack value.
   */
  decode(bytes: Uint8Array): unknown {
    const first = bytes[0];
    if (first === BIN8 && bytes.byteLength >= 2 && bytes[1] === bytes.byteLength - 2) return bytes.subarray(2);
    try {
      return this.#decoder.decode(bytes);
    } catch (error) {
      throw new WireError("bad_body", `body is not one msgpack value: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** Writes the msgpack `bin 8/16/32` prefix of a byte array of `length` bytes at `out[at…]`; returns the offset after it. */
export function writeBinPrefix(out: Uint8Array, at: number, length: number): number {
  if (length < 0x100) {
    out[at] = BIN8;
    out[at + 1] = length;
    return at + 2;
  }
  if (length < 0x10000) {
    out[at] = BIN16;
    out[at + 1] = length >>> 8;
    out[at + 2] = length & 0xff;
    return at + 3;
  }
  out[at] = BIN32;
  out[at + 1] = length >>> 24;
  out[at + 2] = (length >>> 16) & 0xff;
  out[at + 3] = (length >>> 8) & 0xff;
  out[at + 4] = length & 0xff;
  return at + 5;
}
