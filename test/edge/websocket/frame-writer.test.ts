/**
 * The frames the server writes (RFC 6455 §5.2): header bytes for every length encoding, text
 * with a prefix and multibyte UTF-8, close frames (reason trimmed at a character boundary), pongs.
 */
import assert from "node:assert/strict";
import { isUtf8 } from "node:buffer";
import { test } from "node:test";
import { FrameReader, OPCODES } from "../../../src/edge/websocket/frame-reader.js";
import {
  binaryFrame,
  binaryHeader,
  closeFrame,
  headerBytes,
  pongFrame,
  textFrame,
  writeHeader,
} from "../../../src/edge/websocket/frame-writer.js";
import { closePayload, hex, parseServerFrames } from "./frames.js";

const HEADERS: ReadonlyArray<[number, string]> = [
  [0, "82 00"],
  [1, "82 01"],
  [125, "82 7d"],
  [126, "82 7e 00 7e"],
  [127, "82 7e 00 7f"],
  [65535, "82 7e ff ff"],
  [65536, "82 7f 00 00 00 00 00 01 00 00"],
  [1_000_000, "82 7f 00 00 00 00 00 0f 42 40"],
  [2 ** 32 + 5, "82 7f 00 00 00 01 00 00 00 05"],
];

for (const [length, bytes] of HEADERS) {
  test(`the header of a ${length}-byte binary frame is ${bytes}`, () => {
    const expected = hex(bytes);
    assert.equal(headerBytes(length), expected.length);
    const header = Buffer.alloc(10, 0xee);
    assert.equal(writeHeader(header, OPCODES.binary, length), expected.length);
    assert.deepEqual(header.subarray(0, expected.length), expected);
    assert.deepEqual(binaryHeader(length), expected);
  });
}

test("64-bit lengths of 2^48 bytes and more keep their high bits (2^48, 2^53 - 1)", () => {
  // Unreachable in practice (no buffer is that long), but writeHeader promises any safe length.
  const header = Buffer.alloc(10);
  writeHeader(header, OPCODES.binary, 2 ** 48);
  assert.deepEqual(header, hex("82 7f 00 01 00 00 00 00 00 00"));
  writeHeader(header, OPCODES.binary, Number.MAX_SAFE_INTEGER);
  assert.deepEqual(header, hex("82 7f 00 1f ff ff ff ff ff ff"));
});

test("a 64-bit length just under 2^48 is written in full", () => {
  const header = Buffer.alloc(10);
  writeHeader(header, OPCODES.binary, 2 ** 48 - 1);
  assert.deepEqual(header, hex("82 7f 00 00 ff ff ff ff ff ff"));
});

for (const length of [0, 125, 126, 65535, 65536]) {
  test(`a binary frame of ${length} bytes is FIN, opcode 2, unmasked, with its payload copied intact`, () => {
    const payload = Buffer.alloc(length);
    for (let i = 0; i < length; i++) payload[i] = (i * 7) & 0xff;
    const frame = binaryFrame(payload);
    assert.equal(frame.length, headerBytes(length) + length);
    const [parsed, ...rest] = parseServerFrames(frame);
    assert.equal(rest.length, 0);
    assert.equal(parsed!.fin, true);
    assert.equal(parsed!.opcode, OPCODES.binary);
    assert.deepEqual(parsed!.payload, payload);
    if (length > 0) {
      payload.fill(1);
      assert.notDeepEqual(parsed!.payload, payload, "the frame holds a copy");
    }
  });
}

for (const length of [0, 125, 126, 65535, 65536]) {
  test(`a text frame of ${length} ASCII bytes has the right header and payload`, () => {
    const text = "t".repeat(length);
    const frame = textFrame(text);
    assert.equal(frame[0], 0x81);
    assert.equal(frame.length, headerBytes(length) + length);
    const [parsed] = parseServerFrames(frame);
    assert.equal(parsed!.payload.toString(), text);
  });
}

test("a text frame with a prefix holds the prefix then the text", () => {
  const frame = textFrame("hello", "4");
  assert.deepEqual(frame, Buffer.concat([hex("81 06"), Buffer.from("4hello")]));
});

test("a text frame's length counts UTF-8 bytes, not characters, with a prefix", () => {
  const text = "é€😀"; // 2 + 3 + 4 bytes
  const frame = textFrame(text, "4");
  assert.deepEqual(frame.subarray(0, 2), hex("81 0a"));
  assert.equal(frame.subarray(2).toString(), "4é€😀");
});

test("a prefixed text frame crossing 125 and 65535 bytes because of multibyte characters picks the longer encodings", () => {
  // 62 'é' = 124 bytes; with the prefix 125: still 7-bit. 63 'é' + prefix = 127: 16-bit.
  assert.deepEqual(textFrame("é".repeat(62), "4").subarray(0, 2), hex("81 7d"));
  assert.deepEqual(textFrame("é".repeat(63), "4").subarray(0, 4), hex("81 7e 00 7f"));
  // 32767 'é' = 65534 bytes + prefix = 65535: 16-bit; 32768 'é' + prefix = 65537: 64-bit.
  const a = textFrame("é".repeat(32767), "4");
  assert.deepEqual(a.subarray(0, 4), hex("81 7e ff ff"));
  assert.equal(a.length, 4 + 65535);
  const b = textFrame("é".repeat(32768), "4");
  assert.deepEqual(b.subarray(0, 10), hex("81 7f 00 00 00 00 00 01 00 01"));
  assert.equal(b.subarray(10).toString(), "4" + "é".repeat(32768));
});

test("an empty text with an empty prefix is the 2-byte frame 81 00", () => {
  assert.deepEqual(textFrame(""), hex("81 00"));
  assert.deepEqual(textFrame("", "3"), hex("81 01 33"));
});

test("a text frame of lone surrogates is written as valid UTF-8 (U+FFFD) with a matching length", () => {
  const frame = textFrame("a\ud800b");
  const [parsed] = parseServerFrames(frame);
  assert.equal(parsed!.payload.length, frame.length - 2);
  assert.ok(isUtf8(parsed!.payload));
});

test("closeFrame(1000, 'bye') is 88 05 03 e8 'bye'", () => {
  assert.deepEqual(closeFrame(1000, "bye"), Buffer.concat([hex("88 05 03 e8"), Buffer.from("bye")]));
});

test("closeFrame without a reason holds just the code", () => {
  assert.deepEqual(closeFrame(1001), hex("88 02 03 e9"));
  assert.deepEqual(closeFrame(4999), hex("88 02 13 87"));
});

test("closeFrame(1005) has an empty payload", () => {
  assert.deepEqual(closeFrame(1005), hex("88 00"));
  assert.deepEqual(closeFrame(1005, "ignored"), hex("88 00"));
});

test("a close reason of exactly 123 bytes is kept whole", () => {
  const reason = "r".repeat(123);
  const frame = closeFrame(1000, reason);
  assert.equal(frame.length, 2 + 125);
  assert.deepEqual(closePayload(parseServerFrames(frame)[0]!.payload), { code: 1000, reason });
});

test("a close reason of 200 ASCII bytes is cut to 123 bytes", () => {
  const frame = closeFrame(1000, "r".repeat(200));
  const [parsed] = parseServerFrames(frame);
  assert.equal(parsed!.payload.length, 125);
  assert.deepEqual(closePayload(parsed!.payload), { code: 1000, reason: "r".repeat(123) });
});

test("a close reason of 200 'é' is cut at a character boundary: payload ≤ 125 bytes, valid UTF-8", () => {
  const frame = closeFrame(1001, "é".repeat(200));
  const [parsed, ...rest] = parseServerFrames(frame);
  assert.equal(rest.length, 0);
  assert.equal(parsed!.opcode, OPCODES.close);
  assert.ok(parsed!.payload.length <= 125, `payload of ${parsed!.payload.length} bytes`);
  const reasonBytes = parsed!.payload.subarray(2);
  assert.ok(isUtf8(reasonBytes), "the reason is valid UTF-8");
  assert.deepEqual(closePayload(parsed!.payload), { code: 1001, reason: "é".repeat(61) });
});

for (const [what, char] of [
  ["3-byte '€'", "€"],
  ["4-byte '😀'", "😀"],
] as const) {
  for (let lead = 0; lead < 4; lead++) {
    test(`a long close reason of ${what} after ${lead} ASCII bytes is cut at a character boundary`, () => {
      const reason = "a".repeat(lead) + char.repeat(60);
      const [parsed] = parseServerFrames(closeFrame(1000, reason));
      const reasonBytes = parsed!.payload.subarray(2);
      assert.ok(parsed!.payload.length <= 125);
      assert.ok(parsed!.payload.length >= 125 - 3, "no more than one character is dropped");
      assert.ok(isUtf8(reasonBytes));
      assert.ok(reason.startsWith(reasonBytes.toString()), "the kept reason is a prefix of the reason");
    });
  }
}

test("a long close reason whose 123rd byte ends a literal U+FFFD keeps that character", () => {
  // 120 ASCII bytes + U+FFFD (3 bytes) = 123 bytes, then more: the cut falls right after U+FFFD.
  const reason = "a".repeat(120) + "\ufffd" + "b".repeat(10);
  const [parsed] = parseServerFrames(closeFrame(1000, reason));
  assert.deepEqual(closePayload(parsed!.payload), { code: 1000, reason: "a".repeat(120) + "\ufffd" });
});

test("every close frame the writer builds is read back by the reader as the same code and reason", () => {
  for (const reason of ["", "bye", "é".repeat(200), "😀".repeat(40), "x".repeat(500)]) {
    const frame = closeFrame(1000, reason);
    // Mask it as a client would, and read it.
    const masked = Buffer.concat([Buffer.from([frame[0]!, frame[1]! | 0x80, 1, 2, 3, 4]), frame.subarray(2)]);
    for (let i = 6; i < masked.length; i++) masked[i]! ^= [1, 2, 3, 4][(i - 6) & 3]!;
    const closes: Array<[number, string]> = [];
    const reader = new FrameReader(
      {
        onText: () => assert.fail("text"),
        onBinary: () => assert.fail("binary"),
        onPing: () => assert.fail("ping"),
        onClose: (code, text) => void closes.push([code, text]),
        onFail: (code, message) => assert.fail(`${code} ${message}`),
      },
      1000,
    );
    reader.push(masked);
    assert.equal(closes.length, 1);
    assert.equal(closes[0]![0], 1000);
    assert.ok(reason.startsWith(closes[0]![1]));
  }
});

test("a pong echoes the ping's payload", () => {
  assert.deepEqual(pongFrame(Buffer.from("Hello")), Buffer.concat([hex("8a 05"), Buffer.from("Hello")]));
  assert.deepEqual(pongFrame(Buffer.alloc(0)), hex("8a 00"));
  const payload = Buffer.alloc(125, 0x5a);
  const [parsed] = parseServerFrames(pongFrame(payload));
  assert.equal(parsed!.opcode, OPCODES.pong);
  assert.deepEqual(parsed!.payload, payload);
});
