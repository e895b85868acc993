/**
 * RFC 6455 byte vectors for the client-frame reader: what a sink receives for given bytes, read
 * in one piece or split anywhere, and the exact close code of every protocol violation.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  FrameReader,
  type FrameReaderSink,
  OPCODES,
  isValidCloseCode,
  unmask,
} from "../../../src/edge/websocket/frame-reader.js";
import { type ClientFrameOptions, clientFrame, frameHeader, hex } from "./frames.js";

/** One thing the reader handed to its sink. */
type ReadEvent =
  | readonly ["text", string]
  | readonly ["binary", string]
  | readonly ["ping", string]
  | readonly ["close", number, string]
  | readonly ["fail", number];

/** A sink recording what it receives (binary and ping payloads as hex, copied at once). */
function recorder(): { sink: FrameReaderSink; events: ReadEvent[]; messages: string[] } {
  const events: ReadEvent[] = [];
  const messages: string[] = [];
  const sink: FrameReaderSink = {
    onText: (text) => void events.push(["text", text]),
    onBinary: (bytes) => void events.push(["binary", Buffer.from(bytes).toString("hex")]),
    onPing: (payload) => void events.push(["ping", Buffer.from(payload).toString("hex")]),
    onClose: (code, reason) => void events.push(["close", code, reason]),
    onFail: (code, message) => {
      events.push(["fail", code]);
      messages.push(message);
    },
  };
  return { sink, events, messages };
}

const MAX = 1 << 20;

/** Reads `chunks` (each copied first: the reader unmasks in place) and returns the events. */
function read(chunks: Buffer | readonly Buffer[], payloadBytesMax = MAX): ReadEvent[] {
  const { sink, events } = recorder();
  const reader = new FrameReader(sink, payloadBytesMax);
  for (const chunk of Array.isArray(chunks) ? chunks : [chunks]) reader.push(Buffer.from(chunk as Buffer));
  return events;
}

/** Reads `bytes` one byte per read. */
function readByteByByte(bytes: Buffer, payloadBytesMax = MAX): ReadEvent[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
  return read(chunks, payloadBytesMax);
}

/** Asserts `bytes` fail with `code` (whole, and byte by byte), and nothing else is delivered. */
function assertFails(bytes: Buffer, code: number, payloadBytesMax = MAX): void {
  assert.deepEqual(read(bytes, payloadBytesMax), [["fail", code]]);
  assert.deepEqual(readByteByByte(bytes, payloadBytesMax), [["fail", code]], "byte by byte");
}

const text = (payload: string | Uint8Array, options: ClientFrameOptions = {}) =>
  clientFrame(OPCODES.text, payload, options);
const binary = (payload: string | Uint8Array, options: ClientFrameOptions = {}) =>
  clientFrame(OPCODES.binary, payload, options);
const continuation = (payload: string | Uint8Array, options: ClientFrameOptions = {}) =>
  clientFrame(OPCODES.continuation, payload, options);
const ping = (payload: string | Uint8Array, options: ClientFrameOptions = {}) =>
  clientFrame(OPCODES.ping, payload, options);
const pong = (payload: string | Uint8Array, options: ClientFrameOptions = {}) =>
  clientFrame(OPCODES.pong, payload, options);
function close(code: number | null, reason: string | Buffer = ""): Buffer {
  if (code === null) return clientFrame(OPCODES.close, Buffer.alloc(0));
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return clientFrame(OPCODES.close, Buffer.concat([payload, Buffer.from(reason)]));
}

/** `n` bytes of a recognisable pattern. */
function pattern(n: number, seed = 0): Buffer {
  const bytes = Buffer.alloc(n);
  for (let i = 0; i < n; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return bytes;
}

// RFC 6455 §5.7 examples.

test("RFC 6455 §5.7: the masked 'Hello' text frame 81 85 37 fa 21 3d 7f 9f 4d 51 58 reads as 'Hello'", () => {
  assert.deepEqual(read(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58")), [["text", "Hello"]]);
});

test("the clientFrame helper builds exactly the RFC's masked 'Hello' bytes", () => {
  assert.deepEqual(text("Hello"), hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
});

test("RFC 6455 §5.7: the unmasked 'Hello' example (a server frame) is refused from a client with 1002", () => {
  assertFails(hex("81 05 48 65 6c 6c 6f"), 1002);
});

test("RFC 6455 §5.7: a fragmented 'Hel' + 'lo' (masked equivalents of 01 03 48 65 6c / 80 02 6c 6f) reads as 'Hello'", () => {
  const first = text("Hel", { fin: false });
  const last = continuation("lo");
  assert.equal(first[0], 0x01);
  assert.equal(last[0], 0x80);
  assert.deepEqual(read(Buffer.concat([first, last])), [["text", "Hello"]]);
  assert.deepEqual(read([first, last]), [["text", "Hello"]]);
});

test("RFC 6455 §5.7: a masked ping 'Hello' (89 85 …) is delivered with its payload unmasked", () => {
  const frame = ping("Hello");
  assert.deepEqual(frame, hex("89 85 37 fa 21 3d 7f 9f 4d 51 58"));
  assert.deepEqual(read(frame), [["ping", Buffer.from("Hello").toString("hex")]]);
});

test("a pong from the client is read and ignored, and reading goes on", () => {
  assert.deepEqual(read(Buffer.concat([pong("Hello"), text("after")])), [["text", "after"]]);
});

// Length encodings.

for (const n of [0, 1, 125, 126, 127, 65535, 65536, 100_000]) {
  test(`a binary frame of ${n} bytes (shortest length encoding) reads back intact`, () => {
    const payload = pattern(n, n);
    const frame = binary(payload);
    const expectedHeader = n < 126 ? 2 + 4 : n < 65536 ? 4 + 4 : 10 + 4;
    assert.equal(frame.length, expectedHeader + n);
    assert.deepEqual(read(frame), [["binary", payload.toString("hex")]]);
  });
}

test("a text frame of 65536 bytes (64-bit length) reads back intact", () => {
  const payload = "é".repeat(32768);
  assert.deepEqual(read(text(payload)), [["text", payload]]);
});

test("non-minimal length encodings (16-bit and 64-bit lengths of 5 bytes) are accepted", () => {
  assert.deepEqual(read(text("Hello", { lengthBits: 16 })), [["text", "Hello"]]);
  assert.deepEqual(read(text("Hello", { lengthBits: 64 })), [["text", "Hello"]]);
  assert.deepEqual(read(binary(pattern(0), { lengthBits: 64 })), [["binary", ""]]);
  assert.deepEqual(read(binary(pattern(125), { lengthBits: 16 })), [["binary", pattern(125).toString("hex")]]);
});

test("a ping of 5 bytes with a 16-bit length encoding is accepted (the length, not the encoding, is limited)", () => {
  assert.deepEqual(read(ping("Hello", { lengthBits: 16 })), [["ping", Buffer.from("Hello").toString("hex")]]);
});

test("a frame masked with the key 00 00 00 00 reads as its payload", () => {
  assert.deepEqual(read(text("Hello", { mask: 0 })), [["text", "Hello"]]);
});

// Splits.

/** A stream of several frames of every kind and length encoding, and what it reads as. */
function mixedStream(): { bytes: Buffer; expected: ReadEvent[] } {
  const big = pattern(300, 3);
  const long = "x".repeat(40) + "ü€😀" + "y".repeat(40);
  const bytes = Buffer.concat([
    text("Hello"),
    binary(big),
    text("Hel", { fin: false }),
    ping("p"),
    continuation("lo", { fin: false }),
    continuation(long),
    text("", {}),
    binary(pattern(70000, 5)),
    close(1000, "bye"),
  ]);
  const expected: ReadEvent[] = [
    ["text", "Hello"],
    ["binary", big.toString("hex")],
    ["ping", Buffer.from("p").toString("hex")],
    ["text", "Hello" + long],
    ["text", ""],
    ["binary", pattern(70000, 5).toString("hex")],
    ["close", 1000, "bye"],
  ];
  return { bytes, expected };
}

test("a stream of mixed frames reads the same in one read and byte by byte", () => {
  const { bytes, expected } = mixedStream();
  assert.deepEqual(read(bytes), expected);
  assert.deepEqual(readByteByByte(bytes), expected);
});

test("a two-frame stream reads the same split in two at every byte", () => {
  const first = text("Hello, " + "w".repeat(200) + " 😀"); // 16-bit length, word-wise unmask
  const second = binary(pattern(40, 9));
  const bytes = Buffer.concat([first, second]);
  const expected: ReadEvent[] = [
    ["text", "Hello, " + "w".repeat(200) + " 😀"],
    ["binary", pattern(40, 9).toString("hex")],
  ];
  for (let at = 0; at <= bytes.length; at++) {
    assert.deepEqual(read([bytes.subarray(0, at), bytes.subarray(at)]), expected, `split at ${at}`);
  }
});

test("a two-frame stream with a 64-bit length reads the same split in two at every header byte", () => {
  const first = binary(pattern(65536, 1));
  const second = text("tail");
  const bytes = Buffer.concat([first, second]);
  const expected: ReadEvent[] = [
    ["binary", pattern(65536, 1).toString("hex")],
    ["text", "tail"],
  ];
  const points = [...Array(20).keys(), first.length - 1, first.length, first.length + 1, first.length + 7];
  for (const at of points) {
    assert.deepEqual(read([bytes.subarray(0, at), bytes.subarray(at)]), expected, `split at ${at}`);
  }
});

test("any chunking of a mixed stream reads the same as one read (property)", () => {
  const { bytes, expected } = mixedStream();
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
      const sorted = [0, ...cuts.sort((a, b) => a - b), bytes.length];
      const chunks = sorted.slice(1).map((end, i) => bytes.subarray(sorted[i]!, end));
      assert.deepEqual(read(chunks), expected);
    }),
    { numRuns: 150, seed: 6455 },
  );
});

test("several whole frames in one read are all delivered, in order", () => {
  const bytes = Buffer.concat([text("a"), text("b"), binary("c"), ping("d"), text("e")]);
  assert.deepEqual(read(bytes), [
    ["text", "a"],
    ["text", "b"],
    ["binary", "63"],
    ["ping", "64"],
    ["text", "e"],
  ]);
});

test("a payload trickling in over more than 16 reads of several bytes each reads back intact", () => {
  const payload = pattern(1000, 4);
  const frame = binary(payload);
  const chunks: Buffer[] = [];
  for (let at = 0; at < frame.length; at += 7) chunks.push(frame.subarray(at, at + 7));
  assert.deepEqual(read(chunks), [["binary", payload.toString("hex")]]);
});

// Fragmentation.

test("a text message in 3 fragments is delivered once, whole, after the last fragment", () => {
  const { sink, events } = recorder();
  const reader = new FrameReader(sink, MAX);
  reader.push(text("one ", { fin: false }));
  reader.push(continuation("two ", { fin: false }));
  assert.deepEqual(events, [], "nothing before the final fragment");
  reader.push(continuation("three"));
  assert.deepEqual(events, [["text", "one two three"]]);
});

test("a ping between fragments is delivered first, the message after its last fragment", () => {
  const bytes = Buffer.concat([
    text("frag", { fin: false }),
    ping("ping!"),
    continuation("men", { fin: false }),
    pong("ignored"),
    continuation("ted"),
  ]);
  const expected: ReadEvent[] = [
    ["ping", Buffer.from("ping!").toString("hex")],
    ["text", "fragmented"],
  ];
  assert.deepEqual(read(bytes), expected);
  assert.deepEqual(readByteByByte(bytes), expected);
});

test("a close frame between fragments closes, and the unfinished message is never delivered", () => {
  const bytes = Buffer.concat([text("half", { fin: false }), close(1000), continuation("rest")]);
  assert.deepEqual(read(bytes), [["close", 1000, ""]]);
});

test("binary fragments are joined into one binary message", () => {
  const a = pattern(10, 1);
  const b = pattern(200, 2);
  const c = pattern(0);
  const d = pattern(3, 4);
  const bytes = Buffer.concat([
    binary(a, { fin: false }),
    continuation(b, { fin: false }),
    continuation(c, { fin: false }),
    continuation(d),
  ]);
  const expected: ReadEvent[] = [["binary", Buffer.concat([a, b, c, d]).toString("hex")]];
  assert.deepEqual(read(bytes), expected);
  assert.deepEqual(readByteByByte(bytes), expected);
});

test("a UTF-8 character split across fragments decodes correctly", () => {
  const euro = Buffer.from("€"); // e2 82 ac
  const emoji = Buffer.from("😀"); // f0 9f 98 80
  const bytes = Buffer.concat([
    text(Buffer.concat([Buffer.from("a"), euro.subarray(0, 1)]), { fin: false }),
    continuation(Buffer.concat([euro.subarray(1), emoji.subarray(0, 3)]), { fin: false }),
    continuation(Buffer.concat([emoji.subarray(3), Buffer.from("z")])),
  ]);
  assert.deepEqual(read(bytes), [["text", "a€😀z"]]);
});

test("fragments that are each invalid UTF-8 alone but valid together are accepted", () => {
  const bytes = Buffer.concat([text(hex("ce"), { fin: false }), continuation(hex("ba"))]);
  assert.deepEqual(read(bytes), [["text", "κ"]]);
});

test("an empty text frame with FIN clear followed by an empty final continuation is one empty message", () => {
  assert.deepEqual(read(Buffer.concat([text("", { fin: false }), continuation("")])), [["text", ""]]);
});

test("after a fragmented message finishes, a new message can start", () => {
  const bytes = Buffer.concat([
    text("a", { fin: false }),
    continuation("b"),
    binary("c", { fin: false }),
    continuation("d"),
  ]);
  assert.deepEqual(read(bytes), [
    ["text", "ab"],
    ["binary", "6364"],
  ]);
});

// Violations.

test("a client frame without a mask is refused with 1002", () => {
  assertFails(text("Hello", { mask: null }), 1002);
  assertFails(binary(pattern(300), { mask: null }), 1002);
});

test("an unmasked control frame (ping) is refused with 1002", () => {
  assertFails(ping("x", { mask: null }), 1002);
});

for (const rsv of [1, 2, 4, 3, 7]) {
  test(`a frame with RSV bits ${rsv.toString(2).padStart(3, "0")} set is refused with 1002`, () => {
    assertFails(text("Hello", { rsv: rsv }), 1002);
  });
}

test("a control frame with RSV1 set is refused with 1002", () => {
  assertFails(ping("x", { rsv: 4 }), 1002);
});

for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
  test(`a frame with the reserved opcode 0x${opcode.toString(16)} is refused with 1002`, () => {
    assertFails(clientFrame(opcode, "x"), 1002);
    assertFails(clientFrame(opcode, ""), 1002);
  });
}

for (const [name, opcode] of [
  ["ping", OPCODES.ping],
  ["pong", OPCODES.pong],
  ["close", OPCODES.close],
] as const) {
  test(`a fragmented ${name} frame (FIN clear) is refused with 1002`, () => {
    assertFails(clientFrame(opcode, name === "close" ? hex("03e8") : "x", { fin: false }), 1002);
  });
}

test("a ping of 125 bytes is accepted, a ping of 126 bytes is refused with 1002", () => {
  assert.deepEqual(read(ping(pattern(125))), [["ping", pattern(125).toString("hex")]]);
  assertFails(ping(pattern(126)), 1002);
});

test("a control frame whose 16-bit length says 126 fails from its header alone, before its payload", () => {
  assert.deepEqual(read(frameHeader(ping(pattern(126)), 126)), [["fail", 1002]]);
});

test("a close frame of 126 bytes and a pong of 200 bytes are refused with 1002", () => {
  assertFails(close(1000, "r".repeat(124)), 1002);
  assertFails(pong(pattern(200)), 1002);
});

test("a continuation frame without a message to continue is refused with 1002", () => {
  assertFails(continuation("x"), 1002);
  assertFails(continuation("x", { fin: false }), 1002);
  assert.deepEqual(read(Buffer.concat([text("whole"), continuation("more")])), [
    ["text", "whole"],
    ["fail", 1002],
  ]);
});

test("a continuation without a start is refused even after a finished fragmented message", () => {
  const bytes = Buffer.concat([text("a", { fin: false }), continuation("b"), continuation("c")]);
  assert.deepEqual(read(bytes), [
    ["text", "ab"],
    ["fail", 1002],
  ]);
});

test("a new text frame during a fragmented message is refused with 1002", () => {
  assertFails(Buffer.concat([text("a", { fin: false }), text("b")]), 1002);
  assertFails(Buffer.concat([text("a", { fin: false }), binary("b", { fin: false })]), 1002);
  assertFails(Buffer.concat([binary("a", { fin: false }), continuation("b", { fin: false }), text("c")]), 1002);
});

test("a 64-bit length with its top bit set is refused with 1002", () => {
  const frame = hex("82 ff 80 00 00 00 00 00 00 05 37 fa 21 3d 00 00 00 00 00");
  assertFails(frame, 1002);
  assertFails(hex("82 ff ff ff ff ff ff ff ff ff 37 fa 21 3d"), 1002);
});

test("a 64-bit length over 2^53 - 1 is refused with 1002 even with a huge payload limit", () => {
  assert.deepEqual(read(hex("82 ff 00 20 00 00 00 00 00 00 37 fa 21 3d"), Number.MAX_SAFE_INTEGER), [["fail", 1002]]);
});

test("a 64-bit length of 2^32 bytes (top bit clear) is refused as too large with 1009, not 1002", () => {
  assert.deepEqual(read(hex("82 ff 00 00 00 01 00 00 00 00 37 fa 21 3d")), [["fail", 1009]]);
});

test("a close frame with a 1-byte payload is refused with 1002", () => {
  assertFails(clientFrame(OPCODES.close, hex("03")), 1002);
});

for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
  test(`a close frame with the code ${code} is refused with 1002`, () => {
    assert.equal(isValidCloseCode(code), false);
    assertFails(close(code), 1002);
  });
}

for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]) {
  test(`a close frame with the code ${code} is accepted and reported with its reason`, () => {
    assert.equal(isValidCloseCode(code), true);
    assert.deepEqual(read(close(code, "reason é")), [["close", code, "reason é"]]);
    assert.deepEqual(readByteByByte(close(code)), [["close", code, ""]]);
  });
}

test("a close frame without a payload is reported as 1005 with an empty reason", () => {
  assert.deepEqual(read(close(null)), [["close", 1005, ""]]);
});

const INVALID_UTF8: ReadonlyArray<[string, string]> = [
  [
    "the Autobahn 6.3.1 vector (κόσμε with a surrogate, then 'edited')",
    "ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64",
  ],
  ["a lone continuation byte 0x80", "80"],
  ["a continuation byte after ASCII", "61 80 62"],
  ["the overlong '/' c0 af", "c0 af"],
  ["the overlong e0 80 af", "e0 80 af"],
  ["the surrogate ed a0 80", "ed a0 80"],
  ["a code point above U+10FFFF (f4 90 80 80)", "f4 90 80 80"],
  ["the byte ff", "ff"],
  ["a sequence truncated at the end (e2 82)", "61 e2 82"],
  ["a 4-byte sequence truncated at the end (f0 9f 98)", "f0 9f 98"],
];

for (const [what, bytes] of INVALID_UTF8) {
  test(`a text frame holding ${what} is refused with 1007`, () => {
    assertFails(text(hex(bytes)), 1007);
  });
}

test("a fragmented text message whose last fragment ends mid-character is refused with 1007", () => {
  assertFails(Buffer.concat([text("ab", { fin: false }), continuation(hex("e2 82"))]), 1007);
});

test("invalid UTF-8 in a long text frame (word-wise unmask path) is refused with 1007", () => {
  assertFails(text(Buffer.concat([Buffer.from("a".repeat(100)), hex("ed a0 80"), Buffer.from("b".repeat(100))])), 1007);
});

test("invalid UTF-8 in a binary frame is delivered as it is", () => {
  assert.deepEqual(read(binary(hex("c0 af ff"))), [["binary", "c0afff"]]);
});

test("valid text containing a literal U+FFFD (ef bf bd) is accepted", () => {
  assert.deepEqual(read(text(hex("61 ef bf bd 62"))), [["text", "a\ufffdb"]]);
  assert.deepEqual(read(text("\ufffd".repeat(50))), [["text", "\ufffd".repeat(50)]]);
});

test("text holding 4-byte characters up to U+10FFFF is accepted", () => {
  assert.deepEqual(read(text(hex("f4 8f bf bf"))), [["text", "\u{10ffff}"]]);
  assert.deepEqual(read(text("κόσμε 😀")), [["text", "κόσμε 😀"]]);
});

test("a close frame whose reason is not valid UTF-8 is refused with 1007", () => {
  assertFails(close(1000, hex("ce ba ed a0 80")), 1007);
  assertFails(close(1000, hex("c0 af")), 1007);
});

test("a close reason holding a literal U+FFFD is accepted", () => {
  assert.deepEqual(read(close(1000, hex("ef bf bd"))), [["close", 1000, "\ufffd"]]);
});

test("a message of exactly payloadBytesMax bytes is accepted; one byte more is refused with 1009", () => {
  assert.deepEqual(read(binary(pattern(1000)), 1000), [["binary", pattern(1000).toString("hex")]]);
  assertFails(binary(pattern(1001)), 1009, 1000);
  assert.deepEqual(read(text("x".repeat(1001)), 1000), [["fail", 1009]]);
});

test("a message over payloadBytesMax fails with 1009 from its header alone, before its payload arrives", () => {
  const { sink, events } = recorder();
  const reader = new FrameReader(sink, 1000);
  reader.push(frameHeader(binary(pattern(5000)), 5000));
  assert.deepEqual(events, [["fail", 1009]]);
  assert.equal(reader.done, true);
});

test("a 64-bit length of 2 GB fails with 1009 from its 14 header bytes", () => {
  const header = hex("82 ff 00 00 00 00 80 00 00 00 37 fa 21 3d");
  assert.deepEqual(read(header, 1_000_000), [["fail", 1009]]);
  assert.deepEqual(readByteByByte(header, 1_000_000), [["fail", 1009]]);
});

test("fragments whose sum exceeds payloadBytesMax fail with 1009 at the header of the fragment that crosses it", () => {
  const { sink, events } = recorder();
  const reader = new FrameReader(sink, 1000);
  reader.push(binary(pattern(600), { fin: false }));
  reader.push(continuation(pattern(400), { fin: false }));
  assert.deepEqual(events, [], "exactly 1000 bytes so far: fine");
  reader.push(frameHeader(continuation(pattern(1)), 1));
  assert.deepEqual(events, [["fail", 1009]]);
});

test("text fragments of exactly payloadBytesMax bytes in total are accepted", () => {
  const bytes = Buffer.concat([text("x".repeat(600), { fin: false }), continuation("y".repeat(400))]);
  assert.deepEqual(read(bytes, 1000), [["text", "x".repeat(600) + "y".repeat(400)]]);
});

test("control frames between fragments do not count toward payloadBytesMax", () => {
  const bytes = Buffer.concat([text("x".repeat(60), { fin: false }), ping(pattern(100)), continuation("y".repeat(40))]);
  assert.deepEqual(read(bytes, 100), [
    ["ping", pattern(100).toString("hex")],
    ["text", "x".repeat(60) + "y".repeat(40)],
  ]);
});

test("a fragmented message over payloadBytesMax fails once and later fragments are ignored", () => {
  const bytes = Buffer.concat([text("x".repeat(80), { fin: false }), continuation("y".repeat(80)), text("after")]);
  assert.deepEqual(read(bytes, 100), [["fail", 1009]]);
});

// After the end.

test("bytes after a close frame are ignored, in the same read and in later reads", () => {
  const { sink, events } = recorder();
  const reader = new FrameReader(sink, MAX);
  reader.push(Buffer.concat([close(1000, "bye"), text("late"), ping("x")]));
  assert.equal(reader.done, true);
  reader.push(text("later"));
  reader.push(hex("ff ff ff"));
  assert.deepEqual(events, [["close", 1000, "bye"]]);
});

test("bytes after a failure are ignored: the sink gets exactly one failure", () => {
  const { sink, events } = recorder();
  const reader = new FrameReader(sink, MAX);
  reader.push(Buffer.concat([text("ok"), text("bad", { mask: null }), text("late")]));
  assert.equal(reader.done, true);
  reader.push(text("later"));
  reader.push(continuation("x"));
  reader.push(close(1000));
  assert.deepEqual(events, [
    ["text", "ok"],
    ["fail", 1002],
  ]);
});

test("a failure while a frame's payload is still arriving ignores the rest of that payload", () => {
  const { sink, events } = recorder();
  const reader = new FrameReader(sink, MAX);
  const frame = Buffer.concat([text(hex("ff")), text("next")]);
  reader.push(frame.subarray(0, 3));
  reader.push(frame.subarray(3));
  reader.push(text("later"));
  assert.deepEqual(events, [["fail", 1007]]);
});

test("after a 1009 failure from a header, the payload bytes that follow are ignored", () => {
  const { sink, events } = recorder();
  const reader = new FrameReader(sink, 100);
  const frame = binary(pattern(500));
  reader.push(frame.subarray(0, 8));
  reader.push(frame.subarray(8));
  reader.push(text("later"));
  assert.deepEqual(events, [["fail", 1009]]);
});

test("failure messages say what was wrong", () => {
  const { sink, messages } = recorder();
  new FrameReader(sink, MAX).push(text("x", { mask: null }));
  assert.match(messages[0]!, /mask/);
});

// unmask.

function naiveUnmask(bytes: Uint8Array, start: number, end: number, mask: number): void {
  const key = [mask >>> 24, (mask >>> 16) & 0xff, (mask >>> 8) & 0xff, mask & 0xff];
  for (let i = start; i < end; i++) bytes[i]! ^= key[(i - start) & 3]!;
}

test("unmask equals a naive byte loop for lengths 0..300 at any offset into a larger buffer (property)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 0, max: 15 }),
      fc.integer({ min: 0, max: 15 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xffff }),
      (length, viewOffset, start, mask, seed) => {
        const backing = new ArrayBuffer(viewOffset + start + length + 16);
        const all = new Uint8Array(backing);
        for (let i = 0; i < all.length; i++) all[i] = (i * 131 + seed) & 0xff;
        const expected = new Uint8Array(backing.slice(0));
        const view = new Uint8Array(backing, viewOffset, start + length + 8);
        const expectedView = new Uint8Array(expected.buffer, viewOffset, start + length + 8);
        unmask(view, start, start + length, mask);
        naiveUnmask(expectedView, start, start + length, mask);
        assert.deepEqual(all, expected, `length ${length}, view offset ${viewOffset}, start ${start}`);
      },
    ),
    { numRuns: 3000, seed: 42 },
  );
});

test("unmask leaves the bytes before start and from end on untouched", () => {
  const bytes = new Uint8Array(200).fill(0xaa);
  unmask(bytes, 3, 150, 0x12345678);
  for (let i = 0; i < 3; i++) assert.equal(bytes[i], 0xaa);
  for (let i = 150; i < 200; i++) assert.equal(bytes[i], 0xaa);
  assert.equal(bytes[3], 0xaa ^ 0x12);
  assert.equal(bytes[4], 0xaa ^ 0x34);
  assert.equal(bytes[5], 0xaa ^ 0x56);
  assert.equal(bytes[6], 0xaa ^ 0x78);
  assert.equal(bytes[149], 0xaa ^ [0x12, 0x34, 0x56, 0x78][(149 - 3) & 3]!);
});

test("unmask twice with the same key restores the bytes, for every length 0..300", () => {
  for (let length = 0; length <= 300; length++) {
    const original = pattern(length + 5, length);
    const bytes = Buffer.from(original);
    unmask(bytes, 5, 5 + length, 0xdeadbeef);
    if (length > 0) assert.notDeepEqual(bytes, original);
    unmask(bytes, 5, 5 + length, 0xdeadbeef);
    assert.deepEqual(bytes, original);
  }
});

test("frames read at an odd offset of a pooled buffer (word-wise unmask) read back intact", () => {
  const payload = pattern(1000, 11);
  const frame = binary(payload);
  for (let offset = 0; offset < 8; offset++) {
    const backing = Buffer.alloc(frame.length + 16);
    frame.copy(backing, offset);
    const { sink, events } = recorder();
    new FrameReader(sink, MAX).push(backing.subarray(offset, offset + frame.length));
    assert.deepEqual(events, [["binary", payload.toString("hex")]], `offset ${offset}`);
  }
});

test("a message in many tiny fragments keeps no read buffer alive: memory follows the bytes received, not the reads", async () => {
  const { setFlagsFromString } = await import("node:v8");
  const { runInNewContext } = await import("node:vm");
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const messages: Buffer[] = [];
  const reader = new FrameReader(
    {
      onText: () => {},
      onBinary: (bytes) => void messages.push(Buffer.from(bytes)),
      onPing: () => {},
      onClose: () => {},
      onFail: (code, message) => assert.fail(`failed with ${code}: ${message}`),
    },
    1 << 20,
  );
  // Each read is a 32 KiB buffer: a 1-byte (or empty) continuation, then pongs filling the rest.
  const pong = clientFrame(OPCODES.pong, Buffer.alloc(125));
  const read = (fragment: Buffer): Buffer => {
    const chunk = Buffer.alloc(32 * 1024);
    let at = fragment.copy(chunk, 0);
    while (at + pong.length <= chunk.length) at += pong.copy(chunk, at);
    return chunk.subarray(0, at);
  };
  // ArrayBuffers are swept concurrently after a GC: settle before reading the figure.
  const settled = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return process.memoryUsage().arrayBuffers;
  };
  const before = await settled();
  reader.push(read(clientFrame(OPCODES.binary, Buffer.of(0), { fin: false })));
  for (let i = 1; i < 2_000; i++) {
    reader.push(
      read(clientFrame(OPCODES.continuation, i % 2 === 0 ? Buffer.of(i & 0xff) : Buffer.alloc(0), { fin: false })),
    );
  }
  const grown = (await settled()) - before;
  assert.ok(grown < 8 * 1024 * 1024, `2,000 reads of 32 KiB held ${grown} bytes (each fragment kept its read alive)`);
  reader.push(clientFrame(OPCODES.continuation, Buffer.alloc(0)));
  assert.equal(messages.length, 1);
  assert.equal(messages[0]!.length, 1_000, "one byte from the first and from every even fragment");
});
