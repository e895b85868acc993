import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { EngineIoCodecError } from "../../../src/edge/engine-io/errors.js";
import {
  ENGINE_IO_PACKET_TYPES,
  type EngineIoControlType,
  type EngineIoPacket,
  controlPacket,
  messagePacket,
} from "../../../src/edge/engine-io/packet.js";
import { decodeFrame, decodePayload, encodeFrame, encodePayload } from "../../../src/edge/engine-io/packet-codec.js";
import { PayloadDecoder, type PayloadDecoderEvent } from "../../../src/edge/engine-io/payload-decoder.js";
import { normalizeBytes } from "../vectors.js";

const CONTROL_TYPES = ENGINE_IO_PACKET_TYPES.filter((type): type is EngineIoControlType => type !== "message");

/** Any text: every Unicode code point, including the record separator. */
const anyText = fc.string({ unit: "binary", maxLength: 40 });
/** Text that can sit in a polling payload (the spec assumes no record separator in the data). */
const payloadText = anyText.filter((text) => !text.includes("\x1e"));

function packetArbitrary(text: fc.Arbitrary<string>): fc.Arbitrary<EngineIoPacket> {
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...CONTROL_TYPES), fc.option(text, { nil: undefined }))
      .map(([type, data]) => controlPacket(type, data === "" ? undefined : data)),
    text.map(messagePacket),
    fc.uint8Array({ maxLength: 48 }).map(messagePacket),
  );
}

/** Splits `bytes` at the given cut points (any order, any repeats). */
function chunksOf(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, bytes.byteLength]) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks;
}

/** The outcome of pushing `chunks`: the packets, or the error code. */
function pushAll(chunks: readonly Uint8Array[], payloadBytesMax: number): unknown {
  const events: PayloadDecoderEvent[] = [];
  const decoder = new PayloadDecoder((event) => events.push(event), { payloadBytesMax });
  for (const chunk of chunks) decoder.push(chunk);
  decoder.end();
  const error = events.find((event) => event.type === "error");
  if (error?.type === "error") return error.error.code;
  return normalizeBytes(events.flatMap((event) => (event.type === "packet" ? [event.packet] : [])));
}

/** The outcome of decoding `bytes` whole: the packets, or the error code. */
function decodeWhole(bytes: Uint8Array, payloadBytesMax: number): unknown {
  try {
    return normalizeBytes(decodePayload(bytes, { payloadBytesMax }));
  } catch (error) {
    if (error instanceof EngineIoCodecError) return error.code;
    throw error;
  }
}

test("property: every packet survives a WebSocket frame round trip exactly", () => {
  fc.assert(
    fc.property(packetArbitrary(anyText), (packet) => {
      assert.deepEqual(decodeFrame(encodeFrame(packet)), packet);
    }),
  );
});

test("property: any list of packets survives a polling payload round trip, as a string and as UTF-8 bytes", () => {
  fc.assert(
    fc.property(fc.array(packetArbitrary(payloadText), { minLength: 1, maxLength: 12 }), (packets) => {
      const payload = encodePayload(packets);
      assert.deepEqual(normalizeBytes(decodePayload(payload)), normalizeBytes(packets));
      assert.deepEqual(normalizeBytes(decodePayload(Buffer.from(payload, "utf8"))), normalizeBytes(packets));
    }),
  );
});

test("property: a payload split into any chunks decodes as it does whole", () => {
  fc.assert(
    fc.property(
      fc.array(packetArbitrary(payloadText), { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (packets, cuts) => {
        const bytes = Buffer.from(encodePayload(packets), "utf8");
        assert.deepEqual(pushAll(chunksOf(bytes, cuts), 1e6), normalizeBytes(packets));
      },
    ),
  );
});

test("property: on arbitrary bytes within the limit, the push decoder and the whole-body decoder agree (same packets or same error code)", () => {
  const alphabet = fc.constantFrom(0x1e, 0x30, 0x32, 0x34, 0x36, 0x37, 0x62, 0x41, 0x3d, 0xe2, 0x82, 0xac, 0xff);
  fc.assert(
    fc.property(
      fc.array(fc.oneof(alphabet, fc.integer({ min: 0, max: 255 })), { maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      fc.integer({ min: 1, max: 48 }),
      (byteList, cuts, payloadBytesMax) => {
        const bytes = Uint8Array.from(byteList);
        const pushed = pushAll(chunksOf(bytes, cuts), payloadBytesMax);
        if (bytes.byteLength <= payloadBytesMax) assert.deepEqual(pushed, decodeWhole(bytes, payloadBytesMax));
        // Over the limit, the push decoder may meet a bad record before the limit: an error either way.
        else assert.equal(typeof pushed, "string");
      },
    ),
  );
});

test("property: decoding any text frame returns a packet or throws an EngineIoCodecError, nothing else", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        anyText,
        anyText.map((text) => "b" + text),
      ),
      (frame) => {
        try {
          decodeFrame(frame);
        } catch (error) {
          assert.ok(error instanceof EngineIoCodecError, String(error));
        }
      },
    ),
  );
});
