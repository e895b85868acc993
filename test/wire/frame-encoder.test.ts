import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { WireError, type WireErrorCode } from "../../src/wire/errors.js";
import {
  FIXED_HEADER_BYTES,
  FRAME_TYPE_RULES,
  type WireFrame,
  WIRE_LIMITS_DEFAULT,
  resolveWireLimits,
} from "../../src/wire/frame.js";
import { FrameEncoder } from "../../src/wire/frame-encoder.js";
import { loadVectors, normalizeBytes } from "../edge/vectors.js";
import { feed, frameArbitrary, hexOf } from "./wire-fixtures.js";

interface FrameVector {
  name: string;
  frame: WireFrame;
  hex: string;
}
const vectors = loadVectors<{ frames: FrameVector[] }>("wire/frames.json").frames;

function throwsCode(run: () => unknown, code: WireErrorCode): void {
  assert.throws(run, (error: unknown) => error instanceof WireError && error.code === code);
}

for (const vector of vectors) {
  test(`encoder writes the vector bytes of ${vector.name}`, () => {
    assert.equal(hexOf(new FrameEncoder().encode(vector.frame)), vector.hex);
  });
  test(`decoder reads the vector bytes of ${vector.name}`, () => {
    const result = feed(Buffer.from(vector.hex, "hex"), 1 << 20);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(normalizeBytes(result.frames), normalizeBytes([vector.frame]));
  });
}

test("vectors cover every frame type", () => {
  const covered = new Set(vectors.map((vector) => vector.frame.type));
  assert.deepEqual([...covered].sort(), FRAME_TYPE_RULES.map((rule) => rule.type).sort());
});

test("every frame type survives an encode→decode round trip", () => {
  const encoder = new FrameEncoder();
  fc.assert(
    fc.property(frameArbitrary, (frame) => {
      const bytes = encoder.encode(frame);
      assert.equal(bytes.byteLength, encoder.measure(frame));
      const result = feed(bytes, bytes.byteLength);
      assert.deepEqual(normalizeBytes(result.frames), normalizeBytes([frame]));
    }),
    { numRuns: 500 },
  );
});

test("encoder allocates exactly one buffer of the frame's size", () => {
  const bytes = new FrameEncoder().encode({
    type: "msg",
    id: 3,
    ackRequested: false,
    header: new Uint8Array(3),
    body: new Uint8Array(10),
  });
  assert.equal(bytes.byteLength, FIXED_HEADER_BYTES + 13);
  assert.equal(bytes.buffer.byteLength, bytes.byteLength);
});

test("encoder refuses a frame longer than frameBytesMax before allocating", () => {
  const encoder = new FrameEncoder({ frameBytesMax: 64 });
  const body = new Uint8Array(64 - FIXED_HEADER_BYTES);
  assert.equal(
    encoder.encode({ type: "msg", id: 1, ackRequested: true, header: body.subarray(0, 0), body }).length,
    64,
  );
  const tooBig = { type: "msg", id: 1, ackRequested: true, header: new Uint8Array(1), body } as const;
  throwsCode(() => encoder.encode(tooBig), "frame_too_large");
  throwsCode(() => encoder.measure(tooBig), "frame_too_large");
});

test("encoder refuses a 2 MiB body under the 1 MiB default, and the error names its close code", () => {
  const frame: WireFrame = { type: "hello", id: 0, body: new Uint8Array(2 * 1024 * 1024) };
  assert.throws(
    () => new FrameEncoder().encode(frame),
    (error: unknown) => error instanceof WireError && error.code === "frame_too_large" && error.closeCode === 4006,
  );
});

test("encoder refuses ids that are not a u32", () => {
  const encoder = new FrameEncoder();
  for (const id of [-1, 2 ** 32, 1.5, Number.NaN])
    throwsCode(() => encoder.encode({ type: "ping", id }), "invalid_frame");
});

test("encoder refuses a header longer than 65,535 bytes", () => {
  const encoder = new FrameEncoder();
  const frame: WireFrame = {
    type: "msg",
    id: 0,
    ackRequested: false,
    header: new Uint8Array(65536),
    body: new Uint8Array(0),
  };
  throwsCode(() => encoder.encode(frame), "invalid_frame");
});

test("encoder refuses an unknown frame type from an untyped caller", () => {
  throwsCode(() => new FrameEncoder().encode({ type: "bogus", id: 0 } as unknown as WireFrame), "invalid_frame");
});

test("limits default to 1 MiB and reject values that are not byte counts", () => {
  assert.equal(WIRE_LIMITS_DEFAULT.frameBytesMax, 1_048_576);
  assert.equal(resolveWireLimits().frameBytesMax, 1_048_576);
  assert.equal(resolveWireLimits({ frameBytesMax: 16 }).frameBytesMax, 16);
  assert.throws(() => resolveWireLimits({ frameBytesMax: 1.5 }), TypeError);
  assert.throws(() => resolveWireLimits({ frameBytesMax: 15 }), RangeError);
  assert.throws(() => resolveWireLimits({ frameBytesMax: 2 ** 33 }), RangeError);
  assert.throws(() => new FrameEncoder({ frameBytesMax: 0 }), RangeError);
});
