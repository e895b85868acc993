import assert from "node:assert/strict";
import { test } from "node:test";
import { type SocketIoCodecErrorCode, SOCKET_IO_PARSE_ERROR_REASON } from "../../../src/edge/socket-io/errors.js";
import type { SocketIoPacket } from "../../../src/edge/socket-io/packet.js";
import {
  DECODER_LIMITS_DEFAULTS,
  type DecoderLimits,
  type SocketIoDecoderEvent,
  SocketIoPacketDecoder,
  resolveDecoderLimits,
} from "../../../src/edge/socket-io/packet-decoder.js";
import { RECORD_SEPARATOR } from "../../../src/edge/engine-io/packet.js";
import { PayloadDecoder } from "../../../src/edge/engine-io/payload-decoder.js";
import { encodePacket } from "../../../src/edge/socket-io/packet-encoder.js";
import { loadVectors } from "../vectors.js";

interface PacketVector {
  name: string;
  packet: SocketIoPacket;
  text: string;
  attachments?: Buffer[];
}
interface DecodeOnlyVector {
  name: string;
  messages: Array<string | Buffer>;
  packet: SocketIoPacket;
}
interface MalformedVector {
  name: string;
  messages: Array<string | Buffer>;
  code: SocketIoCodecErrorCode;
  packetsBefore?: number;
  limits?: Partial<DecoderLimits>;
}

const packets = loadVectors<{ vectors: PacketVector[]; decodeOnly: DecodeOnlyVector[] }>("socket-io/packets.json");
const malformed = loadVectors<{ vectors: MalformedVector[] }>("socket-io/malformed.json");

/** A decoder and everything it reported. */
function decoder(limits: Partial<DecoderLimits> = {}) {
  const events: SocketIoDecoderEvent[] = [];
  const instance = new SocketIoPacketDecoder((event) => events.push(event), limits);
  const packetsSeen = () => events.flatMap((event) => (event.type === "packet" ? [event.packet] : []));
  const errors = () => events.flatMap((event) => (event.type === "error" ? [event.error] : []));
  return { instance, events, packets: packetsSeen, errors };
}

for (const vector of packets.vectors) {
  test(`feeding the text and attachments of "${vector.name}" one message at a time decodes its packet`, () => {
    const { instance, events } = decoder();
    instance.push(vector.text);
    for (const attachment of vector.attachments ?? []) {
      assert.equal(events.length, 0, "nothing is emitted before the last attachment");
      instance.push(attachment);
    }
    assert.deepEqual(events, [{ type: "packet", packet: vector.packet }]);
    assert.equal(instance.status, "idle");
  });
}

for (const vector of packets.decodeOnly) {
  test(`decoding accepts ${vector.name}`, () => {
    const { instance, events } = decoder();
    for (const message of vector.messages) instance.push(message);
    assert.deepEqual(events, [{ type: "packet", packet: vector.packet }]);
  });
}

for (const vector of malformed.vectors) {
  test(`the decoder rejects with ${vector.code}: ${vector.name}`, () => {
    const { instance, packets: seen, errors } = decoder(vector.limits);
    for (const message of vector.messages) instance.push(message);
    assert.equal(seen().length, vector.packetsBefore ?? 0);
    assert.deepEqual(
      errors().map((error) => error.code),
      [vector.code],
    );
    assert.equal(instance.status, "failed");
  });
}

test("all the vectors fed back to back through one decoder give all their packets in order", () => {
  const { instance, packets: seen, errors } = decoder();
  for (const vector of packets.vectors) {
    instance.push(vector.text);
    for (const attachment of vector.attachments ?? []) instance.push(attachment);
  }
  assert.deepEqual(errors(), []);
  assert.deepEqual(
    seen(),
    packets.vectors.map((vector) => vector.packet),
  );
});

test("all the vectors sent as one polling POST body, fed one byte at a time, give all their packets in order", () => {
  const body = Buffer.from(
    packets.vectors.map((vector) => encodePacket(vector.packet).pollingRecords).join(RECORD_SEPARATOR),
    "utf8",
  );
  const { instance, packets: seen, errors } = decoder();
  const payloadDecoder = new PayloadDecoder((event) => {
    if (event.type === "packet" && event.packet.type === "message") instance.push(event.packet.data);
    else if (event.type === "error") assert.fail(event.error);
  });
  for (let at = 0; at < body.byteLength; at++) payloadDecoder.push(body.subarray(at, at + 1));
  payloadDecoder.end();
  assert.deepEqual(errors(), []);
  assert.deepEqual(
    seen(),
    packets.vectors.map((vector) => vector.packet),
  );
});

test("a BINARY_EVENT waits in awaiting_attachments, counting down the attachments it still expects", () => {
  const { instance } = decoder();
  instance.push('52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
  assert.equal(instance.status, "awaiting_attachments");
  assert.equal(instance.attachmentsExpected, 2);
  instance.push(Buffer.of(1));
  assert.equal(instance.attachmentsExpected, 1);
  instance.push(Buffer.of(2));
  assert.equal(instance.status, "idle");
  assert.equal(instance.attachmentsExpected, 0);
});

test("attachments are the pushed bytes themselves, put where their placeholders were", () => {
  const { instance, packets: seen } = decoder();
  const first = Uint8Array.of(1);
  const second = Uint8Array.of(2);
  instance.push('62-/admin,9[{"x":{"_placeholder":true,"num":1}},[{"_placeholder":true,"num":0}]]');
  instance.push(first);
  instance.push(second);
  const [packet] = seen();
  assert.ok(packet?.type === "ack");
  assert.equal((packet.data[0] as { x: Uint8Array }).x, second);
  assert.equal((packet.data[1] as Uint8Array[])[0], first);
});

test("after a failure the decoder ignores input and reports nothing more, until reset()", () => {
  const { instance, events } = decoder();
  instance.push("9");
  instance.push('2["ignored"]');
  instance.push(Buffer.of(1));
  assert.equal(events.length, 1);
  instance.reset();
  assert.equal(instance.status, "idle");
  instance.push('2["after reset"]');
  assert.deepEqual(events.at(-1), { type: "packet", packet: { type: "event", nsp: "/", data: ["after reset"] } });
});

test("reset() drops a half-received binary packet (the reference's destroy())", () => {
  const { instance, packets: seen } = decoder();
  instance.push('51-["hello",{"_placeholder":true,"num":0}]');
  instance.reset();
  instance.push('2["hello"]');
  assert.deepEqual(seen(), [{ type: "event", nsp: "/", data: ["hello"] }]);
});

test("an exception thrown by the sink is the sink's: it propagates and is not reported as a decoding error", () => {
  const thrown = new Error("handler failed");
  const decoderInstance = new SocketIoPacketDecoder(() => {
    throw thrown;
  });
  assert.throws(
    () => decoderInstance.push('2["a"]'),
    (error: unknown) => error === thrown,
  );
  assert.equal(decoderInstance.status, "idle");
});

test("pushing something that is neither a string nor bytes is a TypeError (a caller bug, not peer input)", () => {
  const { instance, events } = decoder();
  assert.throws(() => instance.push(42 as unknown as string), TypeError);
  assert.equal(events.length, 0);
});

test("decoding errors tell the connection to close with the reference reason 'parse error'", () => {
  assert.equal(SOCKET_IO_PARSE_ERROR_REASON, "parse error");
});

test("placeholders nested far deeper than the call stack allows are still found", () => {
  const depth = 100_000;
  const { instance, packets: seen, errors } = decoder();
  instance.push(`51-["deep",${"[".repeat(depth)}{"_placeholder":true,"num":0}${"]".repeat(depth)}]`);
  instance.push(Buffer.of(42));
  assert.deepEqual(errors(), []);
  const [packet] = seen();
  assert.ok(packet?.type === "event");
  let node: unknown = packet.data[1];
  for (let i = 0; i < depth; i++) node = (node as unknown[])[0];
  assert.deepEqual(node, Buffer.of(42));
});

test("a __proto__ key in a binary payload stays an own key and does not change any prototype", () => {
  const { instance, packets: seen } = decoder();
  instance.push('51-["e",{"__proto__":{"_placeholder":true,"num":0}}]');
  instance.push(Buffer.of(1));
  const [packet] = seen();
  assert.ok(packet?.type === "event");
  const holder = packet.data[1] as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(holder), Object.prototype);
  assert.ok(Object.hasOwn(holder, "__proto__"));
  assert.deepEqual(Object.getOwnPropertyDescriptor(holder, "__proto__")?.value, Buffer.of(1));
});

test("decoder limits default to 10 attachments per packet and 1024-character namespaces", () => {
  assert.deepEqual(DECODER_LIMITS_DEFAULTS, { attachmentsPerPacketMax: 10, namespaceLengthMax: 1024 });
  const { instance, errors } = decoder();
  instance.push(`0/${"n".repeat(1023)},`);
  instance.push(`0/${"n".repeat(1024)},`);
  assert.deepEqual(
    errors().map((error) => error.code),
    ["invalid_namespace"],
  );
});

test("exactly attachmentsPerPacketMax attachments are accepted", () => {
  const placeholders = Array.from({ length: 10 }, (_, num) => `{"_placeholder":true,"num":${num}}`).join(",");
  const { instance, packets: seen, errors } = decoder();
  instance.push(`510-["many",${placeholders}]`);
  for (let i = 0; i < 10; i++) instance.push(Uint8Array.of(i));
  assert.deepEqual(errors(), []);
  assert.equal(seen().length, 1);
});

test("decoder limits are resolved once, naming the bad option", () => {
  assert.deepEqual(resolveDecoderLimits({ attachmentsPerPacketMax: 3 }), {
    attachmentsPerPacketMax: 3,
    namespaceLengthMax: 1024,
  });
  assert.throws(() => resolveDecoderLimits({ attachmentsPerPacketMax: 0 }), /attachmentsPerPacketMax/);
  assert.throws(() => resolveDecoderLimits({ namespaceLengthMax: 2.5 }), RangeError);
  assert.throws(() => new SocketIoPacketDecoder(() => {}, { namespaceLengthMax: "9" as unknown as number }), TypeError);
});
