/**
 * Builds the bytes of one write batch: frames are encoded straight into one scratch buffer (no
 * allocation per frame), and {@link FrameWriter.take} hands the filled part to the socket as one
 * write. Used by {@link WireConnection}; the header layout is docs/wire-protocol.md § Frame layout.
 */
import { writeBinPrefix } from "./body-codec.js";
import { FIXED_HEADER_BYTES, FLAG_ACK_REQUESTED, WIRE_MAGIC, WIRE_VERSION } from "./frame.js";

/** Type codes of version 1 (docs/wire-protocol.md § Frame types). */
export const TYPE_CODE = Object.freeze({ hello: 1, msg: 2, ack: 3, nack: 4, ping: 5, pong: 6, close: 7 });

const SCRATCH_BYTES_MIN = 16 * 1024;

/** Writes a fixed header at `out[at…]` and returns the offset after it. */
export function writeFixedHeader(
  out: Uint8Array,
  at: number,
  typeCode: number,
  flags: number,
  headerLength: number,
  id: number,
  bodyLength: number,
): number {
  out[at] = WIRE_MAGIC[0];
  out[at + 1] = WIRE_MAGIC[1];
  out[at + 2] = WIRE_VERSION;
  out[at + 3] = typeCode;
  out[at + 4] = flags >>> 8;
  out[at + 5] = flags & 0xff;
  out[at + 6] = headerLength >>> 8;
  out[at + 7] = headerLength & 0xff;
  out[at + 8] = id >>> 24;
  out[at + 9] = (id >>> 16) & 0xff;
  out[at + 10] = (id >>> 8) & 0xff;
  out[at + 11] = id & 0xff;
  out[at + 12] = bodyLength >>> 24;
  out[at + 13] = (bodyLength >>> 16) & 0xff;
  out[at + 14] = (bodyLength >>> 8) & 0xff;
  out[at + 15] = bodyLength & 0xff;
  return at + FIXED_HEADER_BYTES;
}

/** Overwrites the message id of an encoded frame (bytes 8–11). */
export function patchFrameId(frame: Uint8Array, id: number): void {
  frame[8] = id >>> 24;
  frame[9] = (id >>> 16) & 0xff;
  frame[10] = (id >>> 8) & 0xff;
  frame[11] = id & 0xff;
}

/** The ack-requested flag as the u16 flags field carries it. */
export const ACK_FLAG = FLAG_ACK_REQUESTED;

/**
 * Encodes a MSG frame at `out[at…]` (the caller reserved its size): `encoded` is the body's
 * msgpack bytes, or null when `body` is a byte array (framed as `bin 8/16/32` + its bytes).
 */
export function writeMsgFrame(
  out: Uint8Array,
  at: number,
  ack: boolean,
  id: number,
  header: Uint8Array,
  body: unknown,
  encoded: Uint8Array | null,
): void {
  const headerBytes = header.byteLength;
  const bodyBytes = encoded === null ? binBytes((body as Uint8Array).byteLength) : encoded.byteLength;
  let offset = writeFixedHeader(out, at, TYPE_CODE.msg, ack ? ACK_FLAG : 0, headerBytes, id, bodyBytes);
  if (headerBytes > 0) {
    out.set(header, offset);
    offset += headerBytes;
  }
  if (encoded !== null) {
    out.set(encoded, offset);
    return;
  }
  const bytes = body as Uint8Array;
  out.set(bytes, writeBinPrefix(out, offset, bytes.byteLength));
}

/** Size of a byte array of `length` bytes as a msgpack `bin`, prefix included. */
function binBytes(length: number): number {
  return length + (length < 0x100 ? 2 : length < 0x10000 ? 3 : 5);
}

/** A growable batch of encoded frames. */
export class FrameWriter {
  #scratch: Buffer = Buffer.allocUnsafe(SCRATCH_BYTES_MIN);
  #length = 0;

  /** Bytes waiting in the batch. */
  get length(): number {
    return this.#length;
  }

  /** Makes room for `bytes` more; returns the buffer to write them into at {@link offset} (then {@link commit}). */
  reserve(bytes: number): Buffer {
    const need = this.#length + bytes;
    if (need > this.#scratch.byteLength) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#scratch.byteLength * 2));
      this.#scratch.copy(grown, 0, 0, this.#length);
      this.#scratch = grown;
    }
    return this.#scratch;
  }

  /** Offset where the next reserved bytes go. */
  get offset(): number {
    return this.#length;
  }

  /** Marks `bytes` more as written (after {@link reserve}). */
  commit(bytes: number): void {
    this.#length += bytes;
  }

  /** Appends a control frame without header or body (ACK, PING, PONG). */
  control(typeCode: number, id: number): void {
    const out = this.reserve(FIXED_HEADER_BYTES);
    writeFixedHeader(out, this.#length, typeCode, 0, 0, id, 0);
    this.#length += FIXED_HEADER_BYTES;
  }

  /** Appends already encoded bytes (a whole frame). */
  append(bytes: Uint8Array): void {
    const out = this.reserve(bytes.byteLength);
    out.set(bytes, this.#length);
    this.#length += bytes.byteLength;
  }

  /**
   * Hands over the batch: a view of the filled bytes, which the caller now owns (the writer moves
   * on to a fresh buffer, since the socket keeps the one it was given until written).
   */
  take(): Uint8Array {
    const length = this.#length;
    const out = this.#scratch.subarray(0, length);
    const rest = this.#scratch.byteLength - length;
    // The next batch likely has this one's size: keep the unused tail when it can hold that, else
    // allocate room for a few such batches at once (growing inside a batch copies).
    const want = Math.max(SCRATCH_BYTES_MIN, length);
    this.#scratch = rest >= want ? this.#scratch.subarray(length) : Buffer.allocUnsafe(4 * want);
    this.#length = 0;
    return out;
  }
}
