/**
 * A push decoder for polling payloads that arrive in chunks (an HTTP POST body): bytes in, packets
 * out through a sink. It counts every byte against `payloadBytesMax` and refuses the chunk that
 * would cross the limit without copying it. A record that lies inside one chunk is decoded in
 * place; one that spans chunks is gathered in a single growable buffer (never a list of tiny
 * views, so a body fed byte by byte costs no more memory than one fed whole).
 *
 * A payload is all or nothing: packets are delivered on `end()` only if every record decoded, so
 * a rejected POST never half-applies. (The reference server also checks the size before decoding
 * anything; for a malformed record it would deliver the packets before it, and we do not.)
 *
 * ```
 *   push(bytes) ──► split on 0x1e ──► UTF-8 (strict) ──► decodeRecord ──► held
 *   end()       ──► flush last record ──► sink({packet})… ──► sink({end})
 *   any failure ──► sink({error}) once; status "failed"; later input ignored
 * ```
 * Spec: https://github.com/socketio/engine.io-protocol#http-long-polling-1
 */
import { EngineIoCodecError } from "./errors.js";
import type { EngineIoPacket } from "./packet.js";
import { RECORD_SEPARATOR_BYTE } from "./packet.js";
import { type PayloadLimits, decodeRecord, decodeUtf8, resolvePayloadLimits } from "./packet-codec.js";

/** What a {@link PayloadDecoder} reports, discriminated on `type`. */
export type PayloadDecoderEvent =
  /** One packet of the payload, in order (emitted on `end()`). */
  | { readonly type: "packet"; readonly packet: EngineIoPacket }
  /** Every packet of the payload has been emitted. */
  | { readonly type: "end"; readonly packetCount: number }
  /** The payload is rejected; no packet of it is emitted. Reported once. */
  | { readonly type: "error"; readonly error: EngineIoCodecError };

/** Receives a {@link PayloadDecoder}'s events. */
export type PayloadDecoderSink = (event: PayloadDecoderEvent) => void;

/** Lifecycle of a {@link PayloadDecoder}: `reading` → `ended` | `failed`. */
export type PayloadDecoderStatus = "reading" | "ended" | "failed";

const EMPTY = new Uint8Array(0);

/** Decodes one polling payload pushed in chunks. Make one per POST body. */
export class PayloadDecoder {
  readonly #sink: PayloadDecoderSink;
  readonly #payloadBytesMax: number;
  #status: PayloadDecoderStatus = "reading";
  #bytesSeen = 0;
  /** Bytes of a record that spans chunks: `#pending[0, #pendingLength)`. */
  #pending: Uint8Array = EMPTY;
  #pendingLength = 0;
  #decoded: EngineIoPacket[] = [];

  /**
   * @param sink - receives packets, then `end`; or one `error`.
   * @param limits - `payloadBytesMax` (bytes, default 1e6).
   * @throws TypeError / RangeError for invalid limits.
   */
  constructor(sink: PayloadDecoderSink, limits: Partial<PayloadLimits> = {}) {
    this.#sink = sink;
    this.#payloadBytesMax = resolvePayloadLimits(limits).payloadBytesMax;
  }

  /** Where the decoder is in its lifecycle. */
  get status(): PayloadDecoderStatus {
    return this.#status;
  }

  /** Bytes pushed so far (not counting a refused chunk). */
  get bytesSeen(): number {
    return this.#bytesSeen;
  }

  /**
   * Feeds the next chunk of the body. Ignored once the decoder has ended or failed.
   * Reports `payload_too_large` as soon as the total would exceed `payloadBytesMax`, and
   * `invalid_utf8` / `invalid_packet` as soon as a complete record is bad.
   */
  push(chunk: Uint8Array): void {
    if (this.#status !== "reading") return;
    if (this.#bytesSeen + chunk.byteLength > this.#payloadBytesMax) {
      this.#fail(
        new EngineIoCodecError(
          "payload_too_large",
          `polling payload exceeds payloadBytesMax (${this.#payloadBytesMax} bytes)`,
        ),
      );
      return;
    }
    this.#bytesSeen += chunk.byteLength;
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(RECORD_SEPARATOR_BYTE, start);
      if (end === -1) break;
      if (!this.#closeRecord(chunk.subarray(start, end))) return;
      start = end + 1;
    }
    if (start < chunk.byteLength) this.#append(chunk.subarray(start));
  }

  /**
   * Marks the end of the body: decodes the last record, then emits every packet and `end`.
   * An empty body, like an empty record, is `invalid_packet`. Ignored once ended or failed.
   */
  end(): void {
    if (this.#status !== "reading") return;
    if (!this.#closeRecord(EMPTY)) return;
    const packets = this.#decoded;
    this.#decoded = [];
    this.#status = "ended";
    for (const packet of packets) this.#sink({ type: "packet", packet });
    this.#sink({ type: "end", packetCount: packets.length });
  }

  /** Keeps the start of a record that continues in the next chunk (doubling, capped by the limit). */
  #append(bytes: Uint8Array): void {
    const needed = this.#pendingLength + bytes.byteLength;
    if (needed > this.#pending.byteLength) {
      const capacity = Math.min(Math.max(needed, this.#pending.byteLength * 2, 64), this.#payloadBytesMax);
      const grown = new Uint8Array(capacity);
      grown.set(this.#pending.subarray(0, this.#pendingLength));
      this.#pending = grown;
    }
    this.#pending.set(bytes, this.#pendingLength);
    this.#pendingLength = needed;
  }

  /** Decodes one record (`tail` ends it); false (after reporting) if it is bad. */
  #closeRecord(tail: Uint8Array): boolean {
    let bytes = tail;
    if (this.#pendingLength > 0) {
      this.#append(tail);
      bytes = this.#pending.subarray(0, this.#pendingLength);
      this.#pendingLength = 0;
    }
    try {
      this.#decoded.push(decodeRecord(decodeUtf8(bytes)));
      return true;
    } catch (error) {
      this.#fail(error as EngineIoCodecError);
      return false;
    }
  }

  #fail(error: EngineIoCodecError): void {
    this.#status = "failed";
    this.#pending = EMPTY;
    this.#pendingLength = 0;
    this.#decoded = [];
    this.#sink({ type: "error", error });
  }
}
