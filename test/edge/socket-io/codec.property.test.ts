import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { decodeFrame } from "../../../src/edge/engine-io/packet-codec.js";
import { RECORD_SEPARATOR } from "../../../src/edge/engine-io/packet.js";
import { PayloadDecoder } from "../../../src/edge/engine-io/payload-decoder.js";
import { RESERVED_EVENT_NAMES, type SocketIoPacket } from "../../../src/edge/socket-io/packet.js";
import { encodePacket } from "../../../src/edge/socket-io/packet-encoder.js";
import { type SocketIoDecoderEvent, SocketIoPacketDecoder } from "../../../src/edge/socket-io/packet-decoder.js";
import { normalizeBytes } from "../vectors.js";

const text = fc.string({ unit: "binary", maxLength: 12 });
const namespace = fc.oneof(
  fc.constant("/"),
  text.map((name) => "/" + [...name].filter((char) => char !== "," && char > "\u001f" && char !== "\u007f").join("")),
);
const ackId = fc.oneof(fc.nat(1000), fc.constant(Number.MAX_SAFE_INTEGER), fc.nat());
// -0 is not JSON: it comes back as 0.
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => n || 0);

/** JSON values with binary leaves anywhere (the data an EVENT or ACK may carry). */
const { value: binaryJson } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.uint8Array({ maxLength: 16 }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(text, tie("value"), { maxKeys: 4 }),
  ),
}));
/** JSON values without binary (CONNECT and CONNECT_ERROR payloads). */
const plainJson = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);

const eventName = fc.oneof(
  text.filter((name) => !RESERVED_EVENT_NAMES.has(name)),
  fc.integer(),
);

const packetArbitrary: fc.Arbitrary<SocketIoPacket> = fc.oneof(
  fc.record(
    { type: fc.constant("connect" as const), nsp: namespace, data: fc.dictionary(text, plainJson, { maxKeys: 3 }) },
    {
      requiredKeys: ["type", "nsp"],
    },
  ),
  fc.record({ type: fc.constant("disconnect" as const), nsp: namespace }),
  fc.record(
    {
      type: fc.constant("event" as const),
      nsp: namespace,
      data: fc.tuple(eventName, fc.array(binaryJson, { maxLength: 4 })).map(([name, args]) => [name, ...args] as const),
      id: ackId,
    },
    { requiredKeys: ["type", "nsp", "data"] },
  ),
  fc.record({
    type: fc.constant("ack" as const),
    nsp: namespace,
    data: fc.array(binaryJson, { maxLength: 4 }),
    id: ackId,
  }),
  fc.record({
    type: fc.constant("connect_error" as const),
    nsp: namespace,
    data: fc.oneof(text, fc.record({ message: text, data: plainJson }, { requiredKeys: ["message"] })),
  }),
);

/** Feeds messages to a fresh decoder; returns its packets (bytes normalised) and error codes. */
function decodeAll(messages: Iterable<string | Uint8Array>): { packets: unknown; errors: string[] } {
  const events: SocketIoDecoderEvent[] = [];
  const decoder = new SocketIoPacketDecoder((event) => events.push(event));
  for (const message of messages) decoder.push(message);
  return {
    packets: normalizeBytes(events.flatMap((event) => (event.type === "packet" ? [event.packet] : []))),
    errors: events.flatMap((event) => (event.type === "error" ? [event.error.code] : [])),
  };
}

test("property: any packet, binary at any depth included, survives encode → decode one message at a time", () => {
  fc.assert(
    fc.property(packetArbitrary, (packet) => {
      const encoded = encodePacket(packet);
      assert.deepEqual(decodeAll([encoded.text, ...encoded.attachments]), {
        packets: normalizeBytes([packet]),
        errors: [],
      });
    }),
  );
});

test("property: a run of packets survives the whole edge path over WebSocket frames", () => {
  fc.assert(
    fc.property(fc.array(packetArbitrary, { maxLength: 6 }), (packets) => {
      const frames = packets.flatMap((packet) => encodePacket(packet).webSocketFrames);
      const messages = frames.map((frame) => {
        const decoded = decodeFrame(typeof frame === "string" ? frame : Buffer.from(frame));
        assert.equal(decoded.type, "message");
        return decoded.data as string | Uint8Array;
      });
      assert.deepEqual(decodeAll(messages), { packets: normalizeBytes(packets), errors: [] });
    }),
  );
});

test("property: a run of packets survives a polling POST body fed to the payload decoder in random chunks", () => {
  fc.assert(
    fc.property(
      fc.array(packetArbitrary, { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 9 }),
      (packets, chunkBytes) => {
        const body = Buffer.from(
          packets.map((packet) => encodePacket(packet).pollingRecords).join(RECORD_SEPARATOR),
          "utf8",
        );
        const messages: Array<string | Uint8Array> = [];
        const payloadDecoder = new PayloadDecoder((event) => {
          if (event.type === "error") assert.fail(event.error);
          if (event.type === "packet" && event.packet.type === "message") messages.push(event.packet.data);
        });
        for (let at = 0; at < body.byteLength; at += chunkBytes)
          payloadDecoder.push(body.subarray(at, at + chunkBytes));
        payloadDecoder.end();
        assert.deepEqual(decodeAll(messages), { packets: normalizeBytes(packets), errors: [] });
      },
    ),
  );
});

test("property: on any input the decoder never throws, reports at most one error, and stops after it", () => {
  const protocolish = fc.string({
    unit: fc.constantFrom(
      "0",
      "1",
      "2",
      "3",
      "5",
      "6",
      "9",
      "-",
      "/",
      ",",
      "[",
      "]",
      "{",
      "}",
      '"',
      "a",
      ":",
      "_placeholder",
      "num",
      "true",
    ),
    maxLength: 30,
  });
  const message = fc.oneof(protocolish, text, fc.uint8Array({ maxLength: 4 }));
  fc.assert(
    fc.property(fc.array(message, { maxLength: 8 }), (messages) => {
      const events: SocketIoDecoderEvent[] = [];
      const decoder = new SocketIoPacketDecoder((event) => events.push(event));
      for (const item of messages) decoder.push(item);
      const errorAt = events.findIndex((event) => event.type === "error");
      assert.ok(errorAt === -1 || errorAt === events.length - 1, "nothing follows an error");
      assert.equal(decoder.status === "failed", errorAt !== -1);
    }),
  );
});
