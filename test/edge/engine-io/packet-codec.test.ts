import assert from "node:assert/strict";
import { test } from "node:test";
import { EngineIoCodecError, type EngineIoCodecErrorCode } from "../../../src/edge/engine-io/errors.js";
import type { EngineIoPacket } from "../../../src/edge/engine-io/packet.js";
import {
  PAYLOAD_LIMITS_DEFAULTS,
  decodeFrame,
  decodePayload,
  encodeFrame,
  encodePayload,
  encodeRecord,
  resolvePayloadLimits,
} from "../../../src/edge/engine-io/packet-codec.js";
import { loadVectors } from "../vectors.js";

interface FrameVector {
  name: string;
  packet: EngineIoPacket;
  frame: string | Buffer;
  record?: string;
}
interface PayloadVector {
  name: string;
  packets: EngineIoPacket[];
  payload: string;
}
interface MalformedVector {
  name: string;
  frame?: string;
  payload?: string | Buffer;
  payloadBytesMax?: number;
  code?: EngineIoCodecErrorCode;
}

const packets = loadVectors<{ vectors: FrameVector[]; decodeOnly: FrameVector[] }>("engine-io/packets.json");
const payloads = loadVectors<{ vectors: PayloadVector[] }>("engine-io/payloads.json");
const malformed = loadVectors<{
  frames: MalformedVector[];
  payloads: MalformedVector[];
  atTheLimit: MalformedVector[];
}>("engine-io/malformed.json");

/** Asserts that `run` throws an EngineIoCodecError with `code`. */
function rejects(run: () => unknown, code: EngineIoCodecErrorCode): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof EngineIoCodecError, `expected an EngineIoCodecError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

for (const vector of packets.vectors) {
  test(`encoding the packet of "${vector.name}" gives its vector frame`, () => {
    assert.deepEqual(encodeFrame(vector.packet), vector.frame);
  });
  test(`decoding the frame of "${vector.name}" gives its vector packet`, () => {
    assert.deepEqual(decodeFrame(vector.frame), vector.packet);
  });
  test(`the packet of "${vector.name}" is one record of a polling payload, both ways`, () => {
    const record = vector.record ?? (vector.frame as string);
    assert.equal(encodeRecord(vector.packet), record);
    assert.deepEqual(decodePayload(record), [vector.packet]);
  });
}

for (const vector of packets.decodeOnly) {
  test(`decoding accepts ${vector.name}`, () => {
    assert.deepEqual(decodeFrame(vector.frame), vector.packet);
  });
}

for (const vector of payloads.vectors) {
  test(`encoding the packets of "${vector.name}" gives its vector payload`, () => {
    assert.equal(encodePayload(vector.packets), vector.payload);
  });
  test(`decoding the payload of "${vector.name}" gives its packets, from a string or from UTF-8 bytes`, () => {
    assert.deepEqual(decodePayload(vector.payload), vector.packets);
    assert.deepEqual(decodePayload(Buffer.from(vector.payload, "utf8")), vector.packets);
  });
}

for (const vector of malformed.frames) {
  test(`a frame is rejected as ${vector.code}: ${vector.name}`, () => {
    rejects(() => decodeFrame(vector.frame!), vector.code!);
  });
}

for (const vector of malformed.payloads) {
  test(`a payload is rejected as ${vector.code}: ${vector.name}`, () => {
    const limits = vector.payloadBytesMax === undefined ? {} : { payloadBytesMax: vector.payloadBytesMax };
    rejects(() => decodePayload(vector.payload!, limits), vector.code!);
  });
}

for (const vector of malformed.atTheLimit) {
  test(`a payload of ${vector.name} is accepted`, () => {
    const { payloadBytesMax } = vector;
    assert.equal(decodePayload(vector.payload!, { payloadBytesMax }).length, 1);
    assert.equal(decodePayload(Buffer.from(vector.payload as string), { payloadBytesMax }).length, 1);
  });
}

test("a binary frame is the caller's own bytes, not a copy, both ways", () => {
  const bytes = Uint8Array.of(9, 8, 7);
  assert.equal(encodeFrame({ type: "message", data: bytes }), bytes);
  const decoded = decodeFrame(bytes);
  assert.equal(decoded.type === "message" && decoded.data, bytes);
});

test("a record of a typed-array view encodes only the viewed bytes", () => {
  const backing = Uint8Array.of(0, 1, 2, 3, 4, 5);
  assert.equal(
    encodeRecord({ type: "message", data: backing.subarray(1, 5) }),
    "b" + Buffer.of(1, 2, 3, 4).toString("base64"),
  );
});

test("a text packet holding the record separator cannot go in a polling payload (but can in a frame)", () => {
  const packet: EngineIoPacket = { type: "message", data: "a\x1eb" };
  assert.equal(encodeFrame(packet), "4a\x1eb");
  assert.throws(
    () => encodePayload([packet]),
    (error: unknown) =>
      error instanceof EngineIoCodecError && error.code === "unencodable_packet" && error.httpStatus === 500,
  );
});

test("an empty payload cannot be encoded: at least one packet is needed", () => {
  assert.throws(() => encodePayload([]), RangeError);
});

test("the payload limit defaults to 1e6 bytes, the reference's maxHttpBufferSize", () => {
  assert.equal(PAYLOAD_LIMITS_DEFAULTS.payloadBytesMax, 1_000_000);
  const atLimit = "4" + "x".repeat(999_999);
  assert.equal(decodePayload(atLimit).length, 1);
  rejects(() => decodePayload(atLimit + "x"), "payload_too_large");
});

test("an oversized payload is refused with HTTP status 413 before it is split", () => {
  // 200,000 records of one byte each: refusing must not build the 200,000-element array first.
  const body = Array.from({ length: 200_000 }, () => "6").join("\x1e");
  assert.throws(
    () => decodePayload(body, { payloadBytesMax: 1000 }),
    (error: unknown) =>
      error instanceof EngineIoCodecError && error.code === "payload_too_large" && error.httpStatus === 413,
  );
});

test("payload limits are resolved once, naming the bad option", () => {
  assert.deepEqual(resolvePayloadLimits({}), { payloadBytesMax: 1_000_000 });
  assert.deepEqual(resolvePayloadLimits({ payloadBytesMax: 10 }), { payloadBytesMax: 10 });
  assert.throws(() => resolvePayloadLimits({ payloadBytesMax: 0 }), /payloadBytesMax/);
  assert.throws(() => resolvePayloadLimits({ payloadBytesMax: 1.5 }), RangeError);
  assert.throws(() => resolvePayloadLimits({ payloadBytesMax: "1" as unknown as number }), TypeError);
});

test("a decoding error never quotes more than a short excerpt of the peer's input", () => {
  const junk = "z" + "y".repeat(10_000);
  assert.throws(
    () => decodeFrame("b" + junk),
    (error: unknown) => error instanceof Error && error.message.length < 100,
  );
});
