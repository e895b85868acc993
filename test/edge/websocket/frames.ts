/**
 * Test helpers for WebSocket byte vectors: client frames built by hand (masked or not, any
 * opcode, RSV bits, fragment flags, any length encoding) and a parser for the unmasked frames a
 * server writes.
 */

/** How {@link clientFrame} builds a frame. */
export interface ClientFrameOptions {
  /** FIN bit (default true). */
  readonly fin?: boolean;
  /** RSV1-3 as a 3-bit number (default 0). */
  readonly rsv?: number;
  /** Mask key; null sends the frame unmasked (a protocol violation from a client). Default 0x37fa213d. */
  readonly mask?: number | null;
  /** Forces a length encoding: 7, 16 or 64 bits (default: the shortest). */
  readonly lengthBits?: 7 | 16 | 64;
}

/** A client frame: `opcode` and `payload` (a string is UTF-8), masked unless `mask: null`. */
export function clientFrame(opcode: number, payload: string | Uint8Array, options: ClientFrameOptions = {}): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : Buffer.from(payload);
  const fin = options.fin ?? true;
  const mask = options.mask === undefined ? 0x37fa213d : options.mask;
  const bits = options.lengthBits ?? (body.length < 126 ? 7 : body.length < 0x10000 ? 16 : 64);
  const lengthBytes = bits === 7 ? 0 : bits === 16 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (mask === null ? 0 : 4));
  header[0] = (fin ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode;
  header[1] = (mask === null ? 0 : 0x80) | (bits === 7 ? body.length : bits === 16 ? 126 : 127);
  if (bits === 16) header.writeUInt16BE(body.length, 2);
  if (bits === 64) header.writeBigUInt64BE(BigInt(body.length), 2);
  if (mask !== null) {
    header.writeUInt32BE(mask >>> 0, 2 + lengthBytes);
    const key = header.subarray(2 + lengthBytes);
    for (let i = 0; i < body.length; i++) body[i]! ^= key[i & 3]!;
  }
  return Buffer.concat([header, body]);
}

/** A frame as a server wrote it. */
export interface ServerFrame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
}

/**
 * Parses the frames in `bytes` (a server's output: unmasked, whole frames).
 * @throws Error when a frame is masked or cut short.
 */
export function parseServerFrames(bytes: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let at = 0;
  while (at < bytes.length) {
    const b0 = bytes[at]!;
    const b1 = bytes[at + 1]!;
    if ((b1 & 0x80) !== 0) throw new Error("server frame is masked");
    let length = b1 & 0x7f;
    let cursor = at + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(cursor);
      cursor += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(cursor));
      cursor += 8;
    }
    if (cursor + length > bytes.length) throw new Error("server frame cut short");
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload: bytes.subarray(cursor, cursor + length) });
    at = cursor + length;
  }
  return frames;
}

/** The code and reason of a close frame's payload. */
export function closePayload(payload: Buffer): { code: number; reason: string } {
  return payload.length === 0
    ? { code: 1005, reason: "" }
    : { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString() };
}

/** Bytes from hex pairs, spaces allowed: `hex("81 85 37 fa")`. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ""), "hex");
}

/** The header of `frame` (everything before the payload of `payloadBytes` bytes). */
export function frameHeader(frame: Buffer, payloadBytes: number): Buffer {
  return frame.subarray(0, frame.length - payloadBytes);
}
