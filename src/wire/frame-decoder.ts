/**
 * A push decoder for a stream of wire frames: bytes in (any chunking, down to one byte at a
 * time), frames out through a sink. It validates each fixed header as soon as its 16 bytes are
 * in — magic, version, type, flags, lengths and `frameBytesMax` — and only then allocates one
 * buffer of exactly the rest of that frame, so a peer that announces a huge frame is refused
 * before it sends the body, and memory per connection stays at most `frameBytesMax`.
 *
 * ```
 *   push(bytes) ──► fixed header (16 B) ──► parseFixedHeader ──► rest (header + body) ──► sink({frame})
 *   end()       ──► truncated_frame if a frame was half read; status "ended"
 *   any failure ──► sink({error}) once; status "failed"; later input ignored
 * ```
 * By default emitted frames own their bytes (copies), so the caller may reuse its chunks. With
 * `{ copy: false }` a frame that lies whole inside one pushed chunk is emitted as views of that
 * chunk, without a copy — for byte streams that never reuse their chunks (sockets do not).
 * Spec: docs/wire-protocol.md.
 */
import { WireError } from "./errors.js";
import {
  FIXED_HEADER_BYTES,
  type FixedHeader,
  type WireFrame,
  type WireLimits,
  frameFromParts,
  parseFixedHeader,
  FLAG_ACK_REQUESTED,
  mutableFixedHeader,
  readFixedHeaderInto,
  resolveWireLimits,
  WIRE_LIMITS_DEFAULT,
  WIRE_MAGIC,
  WIRE_VERSION,
} from "./frame.js";

const MSG_CODE = 2;
const MAGIC_0 = WIRE_MAGIC[0];
const MAGIC_1 = WIRE_MAGIC[1];

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

/** What a {@link FrameDecoder} reports, discriminated on `type`. */
export type FrameDecoderEvent =
  /** One complete, valid frame, in stream order. */
  | { readonly type: "frame"; readonly frame: WireFrame }
  /** The stream is rejected; the connection should close with `error.closeCode`. Reported once. */
  | { readonly type: "error"; readonly error: WireError };

/** Receives a {@link FrameDecoder}'s events. */
export type FrameDecoderSink = (event: FrameDecoderEvent) => void;

/** Lifecycle of a {@link FrameDecoder}: `reading` → `ended` | `failed`. */
export type FrameDecoderStatus = "reading" | "ended" | "failed";

const EMPTY = new Uint8Array(0);

/**
 * A fast sink for MSG frames (the hot path of a connection): the frame's header is
 * `source[headerStart, bodyStart)` and its body `source[bodyStart, end)`, read in place.
 */
export type MsgSink = (
  id: number,
  ackRequested: boolean,
  source: Uint8Array,
  headerStart: number,
  bodyStart: number,
  end: number,
) => void;

/** Options of a {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Copy every frame out of the input (default true); false emits views of the input chunk when it can. */
  readonly copy?: boolean;
  /** Receives MSG frames instead of the sink (no frame object is built for them). */
  readonly onMsg?: MsgSink;
}

/** Decodes one connection's inbound byte stream. Make one per connection. */
export class FrameDecoder {
  readonly #sink: FrameDecoderSink;
  readonly #limits: WireLimits;
  #status: FrameDecoderStatus = "reading";
  /** The fixed header being read: `#fixed[0, #fixedLength)`. */
  readonly #fixed = new Uint8Array(FIXED_HEADER_BYTES);
  #fixedLength = 0;
  /** The validated fixed header whose rest is being read, or null between frames. */
  #current: FixedHeader | null = null;
  /** Header + body of the current frame: `#rest[0, #restLength)` read so far. */
  #rest: Uint8Array = EMPTY;
  #restLength = 0;
  #framesDecoded = 0;
  readonly #copy: boolean;
  readonly #onMsg: MsgSink | null;
  readonly #scratch = mutableFixedHeader();

  /**
   * @param sink - receives frames, or one `error`.
   * @param limits - `frameBytesMax` (bytes, default 1 MiB).
   * @param options - `copy` (default true).
   * @throws TypeError / RangeError for invalid limits.
   */
  constructor(sink: FrameDecoderSink, limits: Partial<WireLimits> = {}, options: FrameDecoderOptions = {}) {
    this.#sink = sink;
    this.#limits = resolveWireLimits({ frameBytesMax: limits.frameBytesMax ?? WIRE_LIMITS_DEFAULT.frameBytesMax });
    this.#copy = options.copy ?? true;
    this.#onMsg = options.onMsg ?? null;
  }

  /** Where the decoder is in its lifecycle. */
  get status(): FrameDecoderStatus {
    return this.#status;
  }

  /** Frames emitted so far. */
  get framesDecoded(): number {
    return this.#framesDecoded;
  }

  /** Bytes held for the frame being read (at most `frameBytesMax`). */
  get bufferedBytes(): number {
    return this.#fixedLength + this.#rest.byteLength;
  }

  /**
   * Feeds the next chunk of the stream; emits every frame it completes. Ignored once the decoder
   * has ended or failed. Reports `bad_magic`, `unsupported_version`, `unknown_type`, `bad_flags`,
   * `bad_length` or `frame_too_large` as soon as a fixed header is complete and bad.
   */
  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.byteLength && this.#status === "reading") {
      if (
        this.#current === null &&
        this.#fixedLength === 0 &&
        !this.#copy &&
        chunk.byteLength - at >= FIXED_HEADER_BYTES
      )
        at = this.#readWhole(chunk, at);
      else at = this.#current === null ? this.#readFixed(chunk, at) : this.#readRest(chunk, at);
    }
  }

  /**
   * Zero-copy path: frames from `chunk[at…]` while each one's fixed header is in the chunk; MSG
   * frames that lie whole in the chunk go to `onMsg` as views, in a loop. Returns the new offset.
   */
  #readWhole(chunk: Uint8Array, at: number): number {
    const onMsg = this.#onMsg;
    const length = chunk.byteLength;
    const frameBytesMax = this.#limits.frameBytesMax;
    while (at <= length - FIXED_HEADER_BYTES && this.#status === "reading") {
      // The common frame, checked in one pass: magic, version 1, MSG, no reserved flag (MSG may
      // ask for an ACK; it may carry a header and a body), within frameBytesMax. Anything else
      // — including every error — takes the general path, which checks in the spec's order.
      if (
        onMsg !== null &&
        chunk[at + 3] === MSG_CODE &&
        chunk[at] === MAGIC_0 &&
        chunk[at + 1] === MAGIC_1 &&
        chunk[at + 2] === WIRE_VERSION &&
        chunk[at + 4] === 0 &&
        (chunk[at + 5]! & ~FLAG_ACK_REQUESTED) === 0
      ) {
        const headerStart = at + FIXED_HEADER_BYTES;
        const bodyStart = headerStart + ((chunk[at + 6]! << 8) | chunk[at + 7]!);
        const end = bodyStart + readU32(chunk, at + 12);
        if (end - at <= frameBytesMax && end <= length) {
          this.#framesDecoded += 1;
          onMsg(readU32(chunk, at + 8), chunk[at + 5] === FLAG_ACK_REQUESTED, chunk, headerStart, bodyStart, end);
          at = end;
          continue;
        }
      }
      at = this.#readOne(chunk, at);
      if (this.#current !== null) break;
    }
    return at;
  }

  /** One frame whose fixed header is at `chunk[at…]` (general path); views when it is whole. */
  #readOne(chunk: Uint8Array, at: number): number {
    let fixed: FixedHeader;
    try {
      fixed = readFixedHeaderInto(chunk, this.#limits, at, this.#scratch);
    } catch (error) {
      this.#fail(error as WireError);
      return chunk.byteLength;
    }
    const end = at + fixed.frameBytes;
    if (end > chunk.byteLength) {
      this.#current = { ...fixed };
      this.#rest = new Uint8Array(fixed.headerLength + fixed.bodyLength);
      this.#restLength = 0;
      return at + FIXED_HEADER_BYTES;
    }
    this.#emit(fixed, fixed.frameBytes === FIXED_HEADER_BYTES ? EMPTY : chunk.subarray(at + FIXED_HEADER_BYTES, end));
    return end;
  }

  /**
   * Marks the end of the stream. Reports `truncated_frame` if it ends inside a frame. Ignored once
   * ended or failed.
   */
  end(): void {
    if (this.#status !== "reading") return;
    if (this.#fixedLength > 0 || this.#current !== null) {
      this.#fail(new WireError("truncated_frame", `stream ended inside a frame (${this.bufferedBytes} bytes held)`));
      return;
    }
    this.#status = "ended";
  }

  /** Copies fixed-header bytes from `chunk[at…]`; validates once all 16 are in. Returns the new offset. */
  #readFixed(chunk: Uint8Array, at: number): number {
    const take = Math.min(FIXED_HEADER_BYTES - this.#fixedLength, chunk.byteLength - at);
    this.#fixed.set(chunk.subarray(at, at + take), this.#fixedLength);
    this.#fixedLength += take;
    if (this.#fixedLength < FIXED_HEADER_BYTES) return at + take;
    let fixed: FixedHeader;
    try {
      fixed = parseFixedHeader(this.#fixed, this.#limits);
    } catch (error) {
      this.#fail(error as WireError);
      return chunk.byteLength;
    }
    this.#fixedLength = 0;
    const restBytes = fixed.headerLength + fixed.bodyLength;
    if (restBytes === 0) {
      this.#emit(fixed, EMPTY);
    } else {
      this.#current = fixed;
      this.#rest = new Uint8Array(restBytes);
      this.#restLength = 0;
    }
    return at + take;
  }

  /** Copies header and body bytes of the current frame; emits it when complete. Returns the new offset. */
  #readRest(chunk: Uint8Array, at: number): number {
    const take = Math.min(this.#rest.byteLength - this.#restLength, chunk.byteLength - at);
    this.#rest.set(chunk.subarray(at, at + take), this.#restLength);
    this.#restLength += take;
    if (this.#restLength === this.#rest.byteLength) {
      const fixed = this.#current!;
      const rest = this.#rest;
      this.#current = null;
      this.#rest = EMPTY;
      this.#restLength = 0;
      this.#emit(fixed, rest);
    }
    return at + take;
  }

  /** State is reset before the sink runs, so a sink that throws leaves the decoder consistent. */
  #emit(fixed: FixedHeader, rest: Uint8Array): void {
    if (fixed.rule.code === MSG_CODE && this.#onMsg !== null) {
      this.#framesDecoded += 1;
      this.#onMsg(fixed.id, (fixed.flags & FLAG_ACK_REQUESTED) !== 0, rest, 0, fixed.headerLength, rest.byteLength);
      return;
    }
    const header = fixed.headerLength === 0 ? EMPTY : rest.subarray(0, fixed.headerLength);
    const body = fixed.headerLength === 0 ? rest : rest.subarray(fixed.headerLength);
    this.#framesDecoded += 1;
    this.#sink({ type: "frame", frame: frameFromParts(fixed, header, body) });
  }

  #fail(error: WireError): void {
    this.#status = "failed";
    this.#fixedLength = 0;
    this.#current = null;
    this.#rest = EMPTY;
    this.#restLength = 0;
    this.#sink({ type: "error", error });
  }
}
