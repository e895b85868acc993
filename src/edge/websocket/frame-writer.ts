/**
 * Builds the frames a WebSocket server sends (RFC 6455 §5.2): unmasked, unfragmented, no
 * extension. A frame is one buffer, header then payload, so it can be written to any number of
 * sockets unchanged (a broadcast builds it once) and leaves in one write.
 *
 * ```
 * payload < 126       81 <len>              <payload>
 * payload < 65,536    81 7e <len:16>        <payload>
 * otherwise           81 7f <len:64>        <payload>
 * ```
 * Spec: https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
import { OPCODES } from "./frame-reader.js";

/** Bytes of the header of an unmasked frame whose payload is `length` bytes. */
export function headerBytes(length: number): number {
  return length < 126 ? 2 : length < 0x1_0000 ? 4 : 10;
}

/** Writes a final frame's header for `opcode` and a `length`-byte payload at `frame[0]`; returns its size. */
export function writeHeader(frame: Uint8Array, opcode: number, length: number): number {
  frame[0] = 0x80 | opcode;
  if (length < 126) {
    frame[1] = length;
    return 2;
  }
  if (length < 0x1_0000) {
    frame[1] = 126;
    frame[2] = length >>> 8;
    frame[3] = length & 0xff;
    return 4;
  }
  frame[1] = 127;
  const high = Math.floor(length / 0x1_0000_0000);
  const low = length >>> 0;
  frame[2] = 0;
  frame[3] = (high >>> 16) & 0xff;
  frame[4] = (high >>> 8) & 0xff;
  frame[5] = high & 0xff;
  frame[6] = low >>> 24;
  frame[7] = (low >>> 16) & 0xff;
  frame[8] = (low >>> 8) & 0xff;
  frame[9] = low & 0xff;
  return 10;
}

/**
 * A text frame whose payload is `text` as UTF-8, optionally preceded by `prefix`: one ASCII
 * character (an Engine.IO packet type digit) or nothing, without building the joined string.
 */
export function textFrame(text: string, prefix = ""): Buffer {
  const length = Buffer.byteLength(text) + prefix.length;
  const frame = Buffer.allocUnsafe(headerBytes(length) + length);
  let at = writeHeader(frame, OPCODES.text, length);
  if (prefix.length > 0) frame[at++] = prefix.charCodeAt(0);
  frame.write(text, at);
  return frame;
}

/** A binary frame holding a copy of `bytes`. */
export function binaryFrame(bytes: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(headerBytes(bytes.length) + bytes.length);
  frame.set(bytes, writeHeader(frame, OPCODES.binary, bytes.length));
  return frame;
}

/** Just the header of a binary frame for `length` bytes (the payload is written after it, uncopied). */
export function binaryHeader(length: number): Buffer {
  const header = Buffer.allocUnsafe(headerBytes(length));
  writeHeader(header, OPCODES.binary, length);
  return header;
}

/**
 * A close frame with `code` and `reason` (trimmed to the 123 bytes a control frame leaves for
 * it, at a character boundary), or with no payload for 1005 ("no status").
 */
export function closeFrame(code: number, reason = ""): Buffer {
  if (code === 1005) return Buffer.from([0x80 | OPCODES.close, 0]);
  let text = Buffer.from(reason);
  if (text.length > 123) {
    // Cut before the character that crosses byte 123 (back over its continuation bytes).
    let end = 123;
    while (end > 0 && (text[end]! & 0xc0) === 0x80) end--;
    text = text.subarray(0, end);
  }
  const frame = Buffer.allocUnsafe(4 + text.length);
  writeHeader(frame, OPCODES.close, 2 + text.length);
  frame.writeUInt16BE(code, 2);
  frame.set(text, 4);
  return frame;
}

/** A pong frame echoing a ping's `payload` (at most 125 bytes, as the reader guarantees). */
export function pongFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(2 + payload.length);
  writeHeader(frame, OPCODES.pong, payload.length);
  frame.set(payload, 2);
  return frame;
}
