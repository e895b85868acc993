import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { WireErrorCode } from "../../src/wire/errors.js";
import { FIXED_HEADER_BYTES, type WireFrame } from "../../src/wire/frame.js";
import { FrameDecoder, type FrameDecoderEvent } from "../../src/wire/frame-decoder.js";
import { FrameEncoder } from "../../src/wire/frame-encoder.js";
import { loadVectors, normalizeBytes } from "../edge/vectors.js";
import { concat, feed, feedCut, feedCutZeroCopy, frameArbitrary } from "./wire-fixtures.js";

interface MalformedVector {
  name: string;
  hex: string;
  code: WireErrorCode;
  frameBytesMax?: number;
  framesBefore?: number;
}
const malformed = loadVectors<{ streams: MalformedVector[] }>("wire/malformed.json").streams;
const encoder = new FrameEncoder();
const EMPTY = new Uint8Array(0);

/** Four frames of different types, encoded back to back. */
function sampleStream(): { frames: WireFrame[]; stream: Uint8Array } {
  const frames: WireFrame[] = [
    { type: "hello", id: 0, body: new Uint8Array([1, 2, 3]) },
    { type: "msg", id: 1, ackRequested: true, header: new Uint8Array([9]), body: new Uint8Array(40).fill(7) },
    { type: "ack", id: 1 },
    { type: "close", id: 0, body: new Uint8Array(0) },
  ];
  return { frames, stream: concat(frames.map((frame) => encoder.encode(frame))) };
}

for (const vector of malformed) {
  for (const chunkBytes of [1, 3, FIXED_HEADER_BYTES, 1 << 20]) {
    test(`decoder rejects ${vector.name} with ${vector.code} (chunks of ${chunkBytes})`, () => {
      const limits = vector.frameBytesMax === undefined ? {} : { frameBytesMax: vector.frameBytesMax };
      const result = feed(Buffer.from(vector.hex, "hex"), chunkBytes, limits);
      assert.equal(result.frames.length, vector.framesBefore ?? 0);
      assert.deepEqual(
        result.errors.map((error) => error.code),
        [vector.code],
      );
      assert.equal(result.status, "failed");
    });
  }
}

test("decoder fed one byte at a time emits the same frames as fed whole", () => {
  const { frames, stream } = sampleStream();
  const whole = feed(stream, stream.byteLength);
  const byByte = feed(stream, 1);
  assert.deepEqual(normalizeBytes(whole.frames), normalizeBytes(frames));
  assert.deepEqual(normalizeBytes(byByte.frames), normalizeBytes(frames));
  assert.equal(byByte.status, "ended");
});

test("decoder emits the same frames for any chunking of any frame sequence", () => {
  const streamAndCuts = fc.array(frameArbitrary, { minLength: 1, maxLength: 8 }).chain((frames) => {
    const stream = concat(frames.map((frame) => encoder.encode(frame)));
    const cuts = fc.uniqueArray(fc.integer({ min: 0, max: stream.byteLength }), { maxLength: 24 });
    return fc.tuple(fc.constant(frames), fc.constant(stream), cuts);
  });
  fc.assert(
    fc.property(streamAndCuts, ([frames, stream, cuts]) => {
      const result = feedCut(
        stream,
        [...cuts].sort((a, b) => a - b),
      );
      assert.deepEqual(result.errors, []);
      assert.equal(result.status, "ended");
      assert.deepEqual(normalizeBytes(result.frames), normalizeBytes(frames));
    }),
    { numRuns: 300 },
  );
});

test("decoder rejects an oversized length from the fixed header, before any body byte arrives", () => {
  const events: FrameDecoderEvent[] = [];
  const decoder = new FrameDecoder((event) => events.push(event), { frameBytesMax: 1024 });
  const header = encoder.encode({ type: "ping", id: 0 });
  header[3] = 2; // MSG
  new DataView(header.buffer).setUint32(12, 0xffff_fff0); // announces ~4 GiB of body
  decoder.push(header.subarray(0, FIXED_HEADER_BYTES - 1));
  assert.equal(events.length, 0);
  decoder.push(header.subarray(FIXED_HEADER_BYTES - 1));
  assert.equal(events.length, 1);
  const [event] = events;
  assert.equal(event?.type === "error" && event.error.code, "frame_too_large");
  assert.equal(decoder.status, "failed");
  assert.equal(decoder.bufferedBytes, 0);
  decoder.push(new Uint8Array(4096));
  assert.equal(events.length, 1, "a failed decoder ignores later input");
});

test("decoder never holds more than frameBytesMax, whatever the chunking", () => {
  const frameBytesMax = 80;
  fc.assert(
    fc.property(
      fc.array(frameArbitrary, { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 200 }),
      (frames, chunkBytes) => {
        const fitting = frames.filter((frame) => encoder.measure(frame) <= frameBytesMax);
        const stream = concat(fitting.map((frame) => encoder.encode(frame)));
        const result = feed(stream, chunkBytes, { frameBytesMax });
        assert.equal(result.frames.length, fitting.length);
        assert.ok(result.bufferedBytesPeak <= frameBytesMax);
      },
    ),
    { numRuns: 300 },
  );
});

test("a failed decoder ignores valid frames pushed after the error", () => {
  const { stream } = sampleStream();
  const result = feed(concat([new Uint8Array(FIXED_HEADER_BYTES), stream]), 5);
  assert.deepEqual(result.frames, []);
  assert.deepEqual(
    result.errors.map((error) => error.code),
    ["bad_magic"],
  );
});

test("decoder ends cleanly between frames and ignores input after end()", () => {
  const events: FrameDecoderEvent[] = [];
  const decoder = new FrameDecoder((event) => events.push(event));
  decoder.push(encoder.encode({ type: "ping", id: 5 }));
  decoder.end();
  decoder.push(encoder.encode({ type: "pong", id: 5 }));
  decoder.end();
  assert.equal(decoder.status, "ended");
  assert.equal(decoder.framesDecoded, 1);
  assert.equal(events.length, 1);
});

test("emitted frames own their bytes: reusing the input chunk does not change them", () => {
  const frames: WireFrame[] = [];
  const decoder = new FrameDecoder((event) => {
    if (event.type === "frame") frames.push(event.frame);
  });
  const chunk = encoder.encode({ type: "hello", id: 0, body: new Uint8Array([1, 2, 3]) });
  decoder.push(chunk);
  chunk.fill(0);
  assert.deepEqual(normalizeBytes(frames), normalizeBytes([{ type: "hello", id: 0, body: new Uint8Array([1, 2, 3]) }]));
});

test("random bytes after a valid frame never throw: frames, then at most one error", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 32 }), (garbage, chunkBytes) => {
      const stream = concat([encoder.encode({ type: "hello", id: 0, body: new Uint8Array(2) }), garbage]);
      const result = feed(stream, chunkBytes, { frameBytesMax: 256 });
      assert.ok(result.frames.length >= 1);
      assert.ok(result.errors.length <= 1);
      assert.equal(result.status, result.errors.length === 1 ? "failed" : "ended");
    }),
    { numRuns: 500 },
  );
});

test("the zero-copy decoder (MSGs to onMsg) rejects every malformed stream as the copying one does", () => {
  for (const vector of malformed) {
    const limits = vector.frameBytesMax === undefined ? {} : { frameBytesMax: vector.frameBytesMax };
    const stream = Buffer.from(vector.hex, "hex");
    for (const cuts of [[], [FIXED_HEADER_BYTES], [1, 5]]) {
      const result = feedCutZeroCopy(
        stream,
        cuts.filter((cut) => cut < stream.byteLength),
        limits,
      );
      assert.deepEqual(
        result.errors.map((error) => error.code),
        [vector.code],
        `${vector.name}, cut at ${cuts.join(",")}`,
      );
      assert.equal(result.frames.length, vector.framesBefore ?? 0, vector.name);
    }
  }
});

test("the zero-copy decoder emits the same frames as the copying one for any chunking", () => {
  fc.assert(
    fc.property(
      fc.array(frameArbitrary, { minLength: 1, maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      (frames, rawCuts) => {
        const stream = concat(frames.map((frame) => encoder.encode(frame)));
        const cuts = [...new Set(rawCuts.map((cut) => cut % stream.byteLength))].sort((x, y) => x - y);
        const result = feedCutZeroCopy(stream, cuts);
        assert.deepEqual(result.errors, []);
        assert.deepEqual(result.frames.map(normalizeBytes), frames.map(normalizeBytes));
      },
    ),
    { numRuns: 200 },
  );
});

test("MSGs before a bad one in the same chunk are delivered, then the error, then nothing", () => {
  const good = (id: number): WireFrame => ({
    type: "msg",
    id,
    ackRequested: id === 2,
    header: EMPTY,
    body: new Uint8Array([id]),
  });
  const bad = encoder.encode(good(4));
  bad[5] = 0x02; // a reserved flag bit
  const tooBig = encoder.encode({ type: "msg", id: 5, ackRequested: false, header: EMPTY, body: new Uint8Array(100) });
  for (const [tail, code] of [
    [bad, "bad_flags"],
    [tooBig, "frame_too_large"],
  ] as const) {
    const stream = concat([...[1, 2, 3].map((id) => encoder.encode(good(id))), tail, encoder.encode(good(6))]);
    const result = feedCutZeroCopy(stream, [], { frameBytesMax: 64 });
    assert.deepEqual(
      result.frames.map((frame) => frame.id),
      [1, 2, 3],
    );
    assert.deepEqual(
      result.errors.map((error) => error.code),
      [code],
    );
  }
});
