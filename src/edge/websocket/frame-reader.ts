/**
 * Reads the frames a WebSocket client sends (RFC 6455 §5) from the bytes of its TCP stream and
 * hands whole messages, control frames and protocol violations to a sink, synchronously, in order.
 *
 * ```
 *  0               1               2               3
 *  F R R R opcode  M len7          [len16 | len64 …]  mask key (4)   payload …
 *  I S S S (4)     A (7)
 *  N V V V         S
 *    1 2 3         K
 * ```
 * A client's frames must be masked; no extension is negotiated, so RSV bits must be 0. Text and
 * binary messages may be fragmented (continuation frames), with control frames (close, ping,
 * pong: at most 125 bytes, never fragmented) between the fragments. A message over
 * `payloadBytesMax` fails with 1009 as soon as a frame header shows it, before its payload is
 * buffered; text that is not UTF-8 fails with 1007; every other violation with 1002. After a
 * close frame or a failure the reader ignores whatever follows.
 *
 * The hot path is one read holding whole frames: they are unmasked in place and a text message
 * is decoded straight from the read buffer, with no copy and no intermediate buffer list.
 *
 * Spec: https://www.rfc-editor.org/rfc/rfc6455#section-5
 */
import { isUtf8 } from "node:buffer";
import { endianness } from "node:os";

/** Close codes the reader fails with (RFC 6455 §7.4.1). */
export type WebSocketFailureCode = 1002 | 1007 | 1009;

/** Receives what a {@link FrameReader} reads. */
export interface FrameReaderSink {
  /** A whole text message, valid UTF-8. */
  onText(text: string): void;
  /** A whole binary message (a view of the read bytes when it arrived in one read). */
  onBinary(bytes: Buffer): void;
  /** A ping frame; the connection answers with a pong holding `payload`. */
  onPing(payload: Buffer): void;
  /** The peer's close frame: its status code (1005 when it sent none) and reason. */
  onClose(code: number, reason: string): void;
  /** A protocol violation: the connection must close with `code`; `message` says what was wrong. */
  onFail(code: WebSocketFailureCode, message: string): void;
}

/** Frame opcodes (RFC 6455 §5.2). */
export const OPCODES = Object.freeze({ continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa });

/** Status codes a close frame may carry (RFC 6455 §7.4; 1004–1006 and 1015 are never sent). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

const LITTLE_ENDIAN = endianness() === "LE";
/** Payloads at least this long are unmasked four bytes at a time. */
const WORD_UNMASK_MIN = 32;
const CONTROL_PAYLOAD_MAX = 125;

/** Reads one client's frames (see the module comment). */
export class FrameReader {
  readonly #sink: FrameReaderSink;
  readonly #payloadBytesMax: number;
  /** Bytes of a header split across reads (under 14); null when none. */
  #head: Buffer | null = null;
  /** The frame whose payload is being collected across reads; null between frames. */
  #frame: PartialFrame | null = null;
  /** The fragmented message not yet finished, or null. */
  #fragments: Fragments | null = null;
  #done = false;

  /**
   * @param payloadBytesMax - the longest message accepted, in bytes (its fragments together).
   */
  constructor(sink: FrameReaderSink, payloadBytesMax: number) {
    this.#sink = sink;
    this.#payloadBytesMax = payloadBytesMax;
  }

  /** True once a close frame was read or the stream failed: later bytes are ignored. */
  get done(): boolean {
    return this.#done;
  }

  /** Reads the next bytes of the stream (the buffer becomes the reader's: it is unmasked in place). */
  push(chunk: Buffer): void {
    let at = 0;
    if (this.#frame !== null) {
      at = this.#collect(chunk);
      if (at < 0) return;
    } else if (this.#head !== null) {
      // A header split across reads (rare): join it with this read and parse from the start.
      chunk = Buffer.concat([this.#head, chunk]);
      this.#head = null;
    }
    this.#readFrames(chunk, at);
  }

  /** Reads frames from `chunk` starting at `at`; keeps a partial frame or header for the next read. */
  #readFrames(chunk: Buffer, at: number): void {
    const end = chunk.length;
    while (at < end && !this.#done) {
      if (end - at < 2) return this.#keepHead(chunk, at);
      const b0 = chunk[at]!;
      const b1 = chunk[at + 1]!;
      let length = b1 & 0x7f;
      let cursor = at + 2;
      if (length === 126) {
        if (end - cursor < 2) return this.#keepHead(chunk, at);
        length = chunk.readUInt16BE(cursor);
        cursor += 2;
      } else if (length === 127) {
        if (end - cursor < 8) return this.#keepHead(chunk, at);
        const high = chunk.readUInt32BE(cursor);
        if (high > 0x1fffff) return void this.#fail(1002, "frame length over 2^53 - 1 (or its top bit set)");
        length = high * 0x1_0000_0000 + chunk.readUInt32BE(cursor + 4);
        cursor += 8;
      }
      if (!this.#checkHeader(b0, b1, length)) return;
      if (end - cursor < 4) return this.#keepHead(chunk, at);
      const mask = chunk.readUInt32BE(cursor);
      cursor += 4;
      if (end - cursor < length) {
        // The payload continues in later reads.
        this.#frame = new PartialFrame(b0, mask, length);
        this.#frame.add(chunk, cursor, end);
        return;
      }
      unmask(chunk, cursor, cursor + length, mask);
      this.#frameRead(b0, chunk, cursor, cursor + length);
      at = cursor + length;
    }
  }

  /** Validates a frame header; fails the stream and returns false when it breaks the protocol. */
  #checkHeader(b0: number, b1: number, length: number): boolean {
    if ((b0 & 0x70) !== 0) return this.#fail(1002, "RSV bits set without a negotiated extension");
    if ((b1 & 0x80) === 0) return this.#fail(1002, "client frame not masked");
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    if (opcode >= 0x8) {
      if (opcode > OPCODES.pong) return this.#fail(1002, `unknown opcode 0x${opcode.toString(16)}`);
      if (!fin) return this.#fail(1002, "fragmented control frame");
      if (length > CONTROL_PAYLOAD_MAX) return this.#fail(1002, `control frame payload of ${length} bytes (max 125)`);
      return true;
    }
    if (opcode > OPCODES.binary) return this.#fail(1002, `unknown opcode 0x${opcode.toString(16)}`);
    if (opcode === OPCODES.continuation) {
      if (this.#fragments === null) return this.#fail(1002, "continuation frame without a message to continue");
    } else if (this.#fragments !== null) {
      return this.#fail(1002, "new data frame before the fragmented message finished");
    }
    if ((this.#fragments?.length ?? 0) + length > this.#payloadBytesMax) {
      return this.#fail(1009, `message over ${this.#payloadBytesMax} bytes`);
    }
    return true;
  }

  /** A whole, unmasked frame payload at `bytes[start, end)`. */
  #frameRead(b0: number, bytes: Buffer, start: number, end: number): void {
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    if (opcode >= 0x8) return this.#control(opcode, bytes, start, end);
    if (opcode !== OPCODES.continuation && fin) {
      if (opcode === OPCODES.text) this.#text(bytes, start, end);
      else this.#sink.onBinary(bytes.subarray(start, end));
      return;
    }
    if (opcode !== OPCODES.continuation) this.#fragments = new Fragments(opcode);
    const fragments = this.#fragments!;
    fragments.append(bytes, start, end, this.#payloadBytesMax);
    if (!fin) return;
    this.#fragments = null;
    const whole = fragments.whole();
    if (fragments.opcode === OPCODES.text) this.#text(whole, 0, whole.length);
    else this.#sink.onBinary(whole);
  }

  #text(bytes: Buffer, start: number, end: number): void {
    const text = bytes.toString("utf8", start, end);
    // Decoding replaces every ill-formed sequence with U+FFFD; only then is the full check needed.
    if (text.includes("\ufffd") && !isUtf8(bytes.subarray(start, end)))
      return void this.#fail(1007, "text frame is not valid UTF-8");
    this.#sink.onText(text);
  }

  #control(opcode: number, bytes: Buffer, start: number, end: number): void {
    if (opcode === OPCODES.ping) return this.#sink.onPing(Buffer.from(bytes.subarray(start, end)));
    if (opcode === OPCODES.pong) return;
    // Close.
    const length = end - start;
    if (length === 1) return void this.#fail(1002, "close frame with a 1-byte payload");
    let code = 1005;
    let reason = "";
    if (length >= 2) {
      code = bytes.readUInt16BE(start);
      if (!isValidCloseCode(code)) return void this.#fail(1002, `invalid close code ${code}`);
      const reasonBytes = bytes.subarray(start + 2, end);
      if (!isUtf8(reasonBytes)) return void this.#fail(1007, "close reason is not valid UTF-8");
      reason = reasonBytes.toString("utf8");
    }
    this.#done = true;
    this.#sink.onClose(code, reason);
  }

  /** Adds a read to the frame being collected; returns where the next frame starts, or -1. */
  #collect(chunk: Buffer): number {
    const frame = this.#frame!;
    const at = frame.add(chunk, 0, chunk.length);
    if (frame.missing > 0) return -1;
    this.#frame = null;
    const payload = frame.payload();
    this.#frameRead(frame.b0, payload, 0, payload.length);
    return this.#done ? -1 : at;
  }

  #keepHead(chunk: Buffer, at: number): void {
    this.#head = Buffer.from(chunk.subarray(at));
  }

  #fail(code: WebSocketFailureCode, message: string): false {
    if (!this.#done) {
      this.#done = true;
      this.#frame = null;
      this.#fragments = null;
      this.#sink.onFail(code, message);
    }
    return false;
  }
}

/**
 * The fragments of one message so far, copied into one buffer that doubles as it fills (never
 * past the message limit): memory stays proportional to the bytes received however many
 * fragments carry them (a view per fragment would keep every read buffer alive).
 */
class Fragments {
  /** Text or binary: the first fragment's opcode. */
  readonly opcode: number;
  #bytes: Buffer = Buffer.alloc(0);
  #length = 0;

  constructor(opcode: number) {
    this.opcode = opcode;
  }

  /** Bytes received so far. */
  get length(): number {
    return this.#length;
  }

  /** Copies `source[start, end)` after what is there; `max` bounds the buffer's growth. */
  append(source: Buffer, start: number, end: number, max: number): void {
    const need = this.#length + end - start;
    if (need === this.#length) return;
    if (need > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.min(max, Math.max(need, this.#bytes.length * 2, 256)));
      this.#bytes.copy(grown, 0, 0, this.#length);
      this.#bytes = grown;
    }
    source.copy(this.#bytes, this.#length, start, end);
    this.#length = need;
  }

  /** The whole message. */
  whole(): Buffer {
    return this.#bytes.subarray(0, this.#length);
  }
}

/** Parts a partial frame keeps as views before it copies them into one buffer of the frame's size. */
const PARTS_MAX = 16;

/**
 * A frame whose payload arrives over several reads. The first reads are kept as views (a
 * payload in two or three reads is joined once); a payload trickling in many small reads is
 * copied into one buffer of its size instead, so the bookkeeping per read stays bounded.
 */
class PartialFrame {
  readonly b0: number;
  readonly #mask: number;
  readonly #length: number;
  #parts: Buffer[] | null = [];
  #whole: Buffer | null = null;
  missing: number;

  constructor(b0: number, mask: number, length: number) {
    this.b0 = b0;
    this.#mask = mask;
    this.missing = length;
    this.#length = length;
  }

  /** Takes what it still needs of `chunk[start, end)`; returns the first index not taken. */
  add(chunk: Buffer, start: number, end: number): number {
    const take = Math.min(this.missing, end - start);
    if (take === 0) return start;
    if (this.#parts !== null && this.#parts.length === PARTS_MAX) {
      this.#whole = Buffer.allocUnsafe(this.#length);
      let at = 0;
      for (const part of this.#parts) at += part.copy(this.#whole, at);
      this.#parts = null;
    }
    if (this.#parts !== null) this.#parts.push(chunk.subarray(start, start + take));
    else chunk.copy(this.#whole!, this.#length - this.missing, start, start + take);
    this.missing -= take;
    return start + take;
  }

  /** The whole payload, unmasked. */
  payload(): Buffer {
    const parts = this.#parts;
    let payload: Buffer;
    if (parts === null) payload = this.#whole!;
    else payload = parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.#length);
    unmask(payload, 0, payload.length, this.#mask);
    return payload;
  }
}

/**
 * XORs `bytes[start, end)` with the 4-byte mask key `mask` (big-endian as read), in place
 * (RFC 6455 §5.3). Long payloads go four bytes at a time from the first aligned address.
 */
export function unmask(bytes: Uint8Array, start: number, end: number, mask: number): void {
  if (mask === 0) return;
  const k0 = mask >>> 24;
  const k1 = (mask >>> 16) & 0xff;
  const k2 = (mask >>> 8) & 0xff;
  const k3 = mask & 0xff;
  let i = start;
  if (LITTLE_ENDIAN && end - start >= WORD_UNMASK_MIN) {
    const lead = (4 - ((bytes.byteOffset + start) & 3)) & 3;
    for (; i < start + lead; i++) bytes[i]! ^= keyByte(i - start, k0, k1, k2, k3);
    const words = (end - i) >>> 2;
    const s = lead; // the key byte of the first word's first byte is key[(i - start) & 3]
    const word =
      keyByte(s, k0, k1, k2, k3) |
      (keyByte(s + 1, k0, k1, k2, k3) << 8) |
      (keyByte(s + 2, k0, k1, k2, k3) << 16) |
      (keyByte(s + 3, k0, k1, k2, k3) << 24);
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w]! ^= word;
    i += words * 4;
  }
  for (; i < end; i++) bytes[i]! ^= keyByte(i - start, k0, k1, k2, k3);
}

function keyByte(index: number, k0: number, k1: number, k2: number, k3: number): number {
  switch (index & 3) {
    case 0:
      return k0;
    case 1:
      return k1;
    case 2:
      return k2;
    default:
      return k3;
  }
}
