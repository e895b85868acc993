import assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineIoCodecErrorCode } from "../../../src/edge/engine-io/errors.js";
import type { EngineIoPacket } from "../../../src/edge/engine-io/packet.js";
import {
  PayloadDecoder,
  type PayloadDecoderEvent,
  type PayloadDecoderStatus,
} from "../../../src/edge/engine-io/payload-decoder.js";
import { loadVectors } from "../vectors.js";

interface PayloadVector {
  name: string;
  packets: EngineIoPacket[];
  payload: string;
}
interface MalformedVector {
  name: string;
  payload: string | Buffer;
  payloadBytesMax?: number;
  code: EngineIoCodecErrorCode;
}

const payloads = loadVectors<{ vectors: PayloadVector[] }>("engine-io/payloads.json");
const malformed = loadVectors<{ payloads: MalformedVector[] }>("engine-io/malformed.json");

/** Feeds `body` in chunks of `chunkBytes` (then end()) and returns what the decoder reported. */
function feed(body: Uint8Array, chunkBytes: number, payloadBytesMax?: number) {
  const events: PayloadDecoderEvent[] = [];
  const decoder = new PayloadDecoder((event) => events.push(event), payloadBytesMax ? { payloadBytesMax } : {});
  for (let at = 0; at < body.byteLength; at += chunkBytes) decoder.push(body.subarray(at, at + chunkBytes));
  decoder.end();
  return { events, status: decoder.status as PayloadDecoderStatus, decoder };
}

function packetsOf(events: readonly PayloadDecoderEvent[]): EngineIoPacket[] {
  return events.flatMap((event) => (event.type === "packet" ? [event.packet] : []));
}

for (const vector of payloads.vectors) {
  const body = Buffer.from(vector.payload, "utf8");
  for (const chunkBytes of [1, 2, 3, 7, body.byteLength]) {
    test(`the payload of "${vector.name}" fed ${chunkBytes} byte(s) at a time decodes to its packets`, () => {
      const { events, status } = feed(body, chunkBytes);
      assert.equal(status, "ended");
      assert.deepEqual(packetsOf(events), vector.packets);
      assert.deepEqual(events.at(-1), { type: "end", packetCount: vector.packets.length });
    });
  }
}

for (const vector of malformed.payloads) {
  const body = typeof vector.payload === "string" ? Buffer.from(vector.payload, "utf8") : vector.payload;
  test(`the push decoder rejects a payload as ${vector.code}, byte at a time or whole: ${vector.name}`, () => {
    for (const chunkBytes of [1, Math.max(1, body.byteLength)]) {
      const { events, status } = feed(body, chunkBytes, vector.payloadBytesMax);
      assert.equal(status, "failed");
      assert.equal(events.length, 1, "one error and no packet");
      const [event] = events;
      assert.equal(event?.type === "error" && event.error.code, vector.code);
    }
  });
}

test("a payload is all or nothing: no packet is delivered when a later record is bad", () => {
  const { events } = feed(Buffer.from("4one\x1e4two\x1e9bad"), 4);
  assert.deepEqual(
    events.map((event) => event.type),
    ["error"],
  );
});

test("packets are delivered on end(), not as their records complete", () => {
  const events: PayloadDecoderEvent[] = [];
  const decoder = new PayloadDecoder((event) => events.push(event));
  decoder.push(Buffer.from("4one\x1e4two\x1e"));
  assert.deepEqual(events, []);
  decoder.push(Buffer.from("4three"));
  decoder.end();
  assert.deepEqual(packetsOf(events), [
    { type: "message", data: "one" },
    { type: "message", data: "two" },
    { type: "message", data: "three" },
  ]);
});

test("the chunk that would cross payloadBytesMax is refused without being counted", () => {
  const events: PayloadDecoderEvent[] = [];
  const decoder = new PayloadDecoder((event) => events.push(event), { payloadBytesMax: 10 });
  decoder.push(Buffer.from("4hello"));
  assert.equal(decoder.bytesSeen, 6);
  decoder.push(Buffer.alloc(1_000_000, 0x61));
  assert.equal(decoder.status, "failed");
  assert.equal(decoder.bytesSeen, 6);
  assert.deepEqual(
    events.map((event) => event.type === "error" && event.error.code),
    ["payload_too_large"],
  );
  assert.equal(events[0]?.type === "error" && events[0].error.httpStatus, 413);
});

test("a multi-byte UTF-8 character split across chunks decodes whole", () => {
  const body = Buffer.from("4€😀\x1e4é", "utf8");
  for (let cut = 1; cut < body.byteLength; cut++) {
    const events: PayloadDecoderEvent[] = [];
    const decoder = new PayloadDecoder((event) => events.push(event));
    decoder.push(body.subarray(0, cut));
    decoder.push(body.subarray(cut));
    decoder.end();
    assert.deepEqual(packetsOf(events), [
      { type: "message", data: "€😀" },
      { type: "message", data: "é" },
    ]);
  }
});

test("a base64 record split across chunks decodes to the same bytes", () => {
  const { events } = feed(Buffer.from("bAQIDBA==\x1ebBQY="), 1);
  assert.deepEqual(packetsOf(events), [
    { type: "message", data: Buffer.of(1, 2, 3, 4) },
    { type: "message", data: Buffer.of(5, 6) },
  ]);
});

test("decoded packets do not alias the chunks or the decoder's buffer", () => {
  const chunk = Buffer.from("4ab");
  const events: PayloadDecoderEvent[] = [];
  const decoder = new PayloadDecoder((event) => events.push(event));
  decoder.push(chunk.subarray(0, 2));
  decoder.push(chunk.subarray(2));
  chunk.fill(0x30);
  decoder.end();
  assert.deepEqual(packetsOf(events), [{ type: "message", data: "ab" }]);
});

test("input after end() or after a failure is ignored, and the outcome is reported once", () => {
  const events: PayloadDecoderEvent[] = [];
  const ended = new PayloadDecoder((event) => events.push(event));
  ended.push(Buffer.from("2"));
  ended.end();
  ended.push(Buffer.from("\x1e3"));
  ended.end();
  assert.deepEqual(events, [
    { type: "packet", packet: { type: "ping" } },
    { type: "end", packetCount: 1 },
  ]);

  const failures: PayloadDecoderEvent[] = [];
  const failed = new PayloadDecoder((event) => failures.push(event));
  failed.push(Buffer.from("x\x1e"));
  failed.push(Buffer.from("4fine"));
  failed.end();
  assert.equal(failed.status, "failed");
  assert.equal(failures.length, 1);
});

test("a decoder starts reading, with no bytes seen", () => {
  const decoder = new PayloadDecoder(() => {});
  assert.equal(decoder.status, "reading");
  assert.equal(decoder.bytesSeen, 0);
});

test("a payload decoder rejects invalid limits when it is made", () => {
  assert.throws(() => new PayloadDecoder(() => {}, { payloadBytesMax: -1 }), /payloadBytesMax/);
});
