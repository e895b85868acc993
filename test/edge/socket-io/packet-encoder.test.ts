import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { decodePayload } from "../../../src/edge/engine-io/packet-codec.js";
import { SocketIoCodecError, type SocketIoCodecErrorCode } from "../../../src/edge/socket-io/errors.js";
import type { SocketIoPacket } from "../../../src/edge/socket-io/packet.js";
import { encodePacket, encodeParts } from "../../../src/edge/socket-io/packet-encoder.js";
import { loadVectors } from "../vectors.js";
import { parseServerFrames } from "../websocket/frames.js";

interface PacketVector {
  name: string;
  packet: SocketIoPacket;
  text: string;
  attachments?: Buffer[];
}

const vectors = loadVectors<{ vectors: PacketVector[] }>("socket-io/packets.json");

/** Asserts that encoding `packet` throws a SocketIoCodecError with `code`. */
function refuses(packet: unknown, code: SocketIoCodecErrorCode): void {
  assert.throws(
    () => encodePacket(packet as SocketIoPacket),
    (error: unknown) => error instanceof SocketIoCodecError && error.code === code,
    `expected ${code} for ${inspect(packet)}`,
  );
}

for (const vector of vectors.vectors) {
  test(`encoding the packet of "${vector.name}" gives its vector text and attachments`, () => {
    const encoded = encodePacket(vector.packet);
    assert.equal(encoded.text, vector.text);
    assert.deepEqual(encoded.attachments, vector.attachments ?? []);
  });
}

test("an encoded packet carries its Engine.IO messages, WebSocket frames and polling records", () => {
  const bytes = Buffer.of(1, 2, 3, 4);
  const encoded = encodePacket({ type: "event", nsp: "/", data: ["baz", bytes] });
  assert.deepEqual(encoded.messages, [
    { type: "message", data: '51-["baz",{"_placeholder":true,"num":0}]' },
    { type: "message", data: bytes },
  ]);
  assert.deepEqual(encoded.webSocketFrames, ['451-["baz",{"_placeholder":true,"num":0}]', bytes]);
  assert.equal(encoded.webSocketFrames[1], bytes, "attachments are written as they are, not copied");
  assert.equal(encoded.pollingRecords, '451-["baz",{"_placeholder":true,"num":0}]\x1ebAQIDBA==');
  assert.deepEqual(decodePayload(encoded.pollingRecords), encoded.messages);
});

test("an encoded packet is immutable and its polling form is built once, so one encoding serves every recipient", () => {
  const encoded = encodePacket({ type: "event", nsp: "/", data: ["tick", 1] });
  assert.ok(Object.isFrozen(encoded));
  assert.ok(Object.isFrozen(encoded.attachments));
  assert.ok(Object.isFrozen(encoded.messages));
  assert.ok(Object.isFrozen(encoded.webSocketFrames));
  assert.ok(encoded.messages.every((message) => Object.isFrozen(message)));
  const first = encoded.pollingRecords;
  assert.equal(encoded.pollingRecords, first);
  assert.equal(first, '42["tick",1]');
  assert.throws(() => {
    (encoded as { text: string }).text = "x";
  }, TypeError);
});

test("encoding does not modify the caller's data", () => {
  const bytes = Uint8Array.of(7);
  const data = ["e", { nested: [bytes] }] as const;
  const snapshot = JSON.stringify(data);
  encodePacket({ type: "event", nsp: "/", data });
  assert.equal(JSON.stringify(data), snapshot);
  assert.equal(data[1].nested[0], bytes);
});

test("data without binary is not copied before it is stringified", () => {
  // A getter counts reads: the walk reads each key once, JSON.stringify once more, nothing else.
  let reads = 0;
  const payload = {
    get value() {
      reads++;
      return 1;
    },
  };
  assert.equal(encodeParts({ type: "event", nsp: "/", data: ["e", payload] }).text, '2["e",{"value":1}]');
  assert.equal(reads, 2);
});

test("ArrayBuffers, typed arrays and DataViews become attachments holding exactly their viewed bytes", () => {
  const backing = Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7).buffer;
  const encoded = encodePacket({
    type: "event",
    nsp: "/",
    data: ["views", backing, new Uint16Array(backing, 2, 1), new DataView(backing, 4, 2), new Float64Array(1)],
  });
  assert.equal(encoded.text.slice(0, 3), "54-");
  assert.deepEqual(
    encoded.attachments.map((bytes) => [...bytes]),
    [
      [0, 1, 2, 3, 4, 5, 6, 7],
      [2, 3],
      [4, 5],
      [0, 0, 0, 0, 0, 0, 0, 0],
    ],
  );
});

test("binary inside an ACK makes a BINARY_ACK; an object with toJSON is walked through its JSON form", () => {
  const withToJson = { toJSON: () => ({ blob: Uint8Array.of(1) }) };
  const encoded = encodePacket({ type: "ack", nsp: "/", id: 3, data: [withToJson, new Date(0)] });
  assert.equal(encoded.text, '61-3[{"blob":{"_placeholder":true,"num":0}},"1970-01-01T00:00:00.000Z"]');
});

test("a key named __proto__ survives the placeholder copy as an ordinary key", () => {
  const data = JSON.parse('["e",{"__proto__":{"x":1},"b":null}]') as [string, Record<string, unknown>];
  data[1].b = Uint8Array.of(1);
  assert.equal(
    encodePacket({ type: "event", nsp: "/", data }).text,
    '51-["e",{"__proto__":{"x":1},"b":{"_placeholder":true,"num":0}}]',
  );
});

test("a namespace without a leading slash, with a comma or with a control character is refused", () => {
  refuses({ type: "event", nsp: "admin", data: ["a"] }, "invalid_namespace");
  refuses({ type: "event", nsp: "/a,b", data: ["a"] }, "invalid_namespace");
  refuses({ type: "event", nsp: "/a,b", data: ["a", Uint8Array.of(1)] }, "invalid_namespace");
  refuses({ type: "connect", nsp: "/a\nb" }, "invalid_namespace");
  refuses({ type: "connect", nsp: "" }, "invalid_namespace");
});

test("ack ids must be safe integers >= 0, on EVENT and ACK only, and an ACK must have one", () => {
  for (const id of [-1, 1.5, Number.NaN, 2 ** 53, "1"])
    refuses({ type: "event", nsp: "/", data: ["a"], id }, "invalid_ack_id");
  refuses({ type: "ack", nsp: "/", data: [] }, "invalid_ack_id");
  refuses({ type: "connect", nsp: "/", id: 1 }, "invalid_ack_id");
  refuses({ type: "connect_error", nsp: "/", data: "x", id: 1 }, "invalid_ack_id");
});

test("payloads of the wrong shape are refused, as the decoder would refuse them", () => {
  refuses({ type: "event", nsp: "/", data: [] }, "invalid_payload");
  refuses({ type: "event", nsp: "/", data: ["disconnect"] }, "invalid_payload");
  refuses({ type: "event", nsp: "/", data: [Uint8Array.of(1)] }, "invalid_payload");
  refuses({ type: "event", nsp: "/", data: [Number.POSITIVE_INFINITY] }, "invalid_payload");
  refuses({ type: "event", nsp: "/", data: "hello" }, "invalid_payload");
  refuses({ type: "ack", nsp: "/", data: {}, id: 1 }, "invalid_payload");
  refuses({ type: "connect", nsp: "/", data: [] }, "invalid_payload");
  refuses({ type: "disconnect", nsp: "/", data: {} }, "invalid_payload");
  refuses({ type: "connect_error", nsp: "/" }, "invalid_payload");
});

test("binary is refused outside EVENT and ACK (JSON would silently turn it into an object)", () => {
  refuses({ type: "connect", nsp: "/", data: { key: Uint8Array.of(1) } }, "invalid_payload");
  refuses({ type: "connect_error", nsp: "/", data: { message: "x", data: Uint8Array.of(1) } }, "invalid_payload");
});

test("circular data and values JSON cannot hold are refused with invalid_payload", () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  refuses({ type: "event", nsp: "/", data: ["a", circular] }, "invalid_payload");
  refuses({ type: "event", nsp: "/", data: ["a", { n: 1n }] }, "invalid_payload");
});

test("data nested deeper than JSON.stringify can go is refused with invalid_payload, not a bare RangeError", () => {
  const depth = 200_000;
  const deep = JSON.parse("[".repeat(depth) + "]".repeat(depth)) as unknown;
  refuses({ type: "event", nsp: "/", data: ["deep", deep] }, "invalid_payload");
  refuses({ type: "event", nsp: "/", data: ["deep", deep, Uint8Array.of(1)] }, "invalid_payload");
});

test("an exception thrown by a toJSON method becomes invalid_payload, keeping it as the cause", () => {
  const failure = new Error("no JSON for you");
  const data = [
    "e",
    {
      toJSON: () => {
        throw failure;
      },
    },
  ] as const;
  assert.throws(
    () => encodePacket({ type: "event", nsp: "/", data }),
    (error: unknown) =>
      error instanceof SocketIoCodecError && error.code === "invalid_payload" && error.cause === failure,
  );
});

test("the same object twice (not a cycle) is fine, and each binary occurrence is its own attachment", () => {
  const shared = { bytes: Uint8Array.of(5) };
  const encoded = encodePacket({ type: "event", nsp: "/", data: ["a", shared, shared] });
  assert.equal(encoded.attachments.length, 2);
  assert.equal(
    encoded.text,
    '52-["a",{"bytes":{"_placeholder":true,"num":0}},{"bytes":{"_placeholder":true,"num":1}}]',
  );
});

test("binary is found past the plain-payload shortcut: deep in plain objects, in class instances, behind toJSON", () => {
  const bytes = new Uint8Array([7]);
  class Holder {
    constructor(readonly inner: unknown) {}
  }
  const payloads: unknown[] = [
    { a: { b: { c: { d: { e: bytes } } } } },
    new Holder(bytes),
    { toJSON: () => ({ bytes }) },
    [[[[[bytes]]]]],
  ];
  for (const payload of payloads) {
    const { text, attachments } = encodeParts({ type: "event", nsp: "/", data: ["x", payload] });
    assert.equal(attachments.length, 1, text);
    assert.equal(attachments[0], bytes);
    assert.match(text, /^51-\["x",/);
  }
});

test("a plain payload is encoded as JSON.stringify would, and a text-only packet shares one frame of bytes", () => {
  const data: [string, ...unknown[]] = ["chat", { text: "héllo", n: 1, tags: ["a", null], nested: { ok: true } }];
  const encoded = encodePacket({ type: "event", nsp: "/", data });
  assert.equal(encoded.text, `2${JSON.stringify(data)}`);
  assert.equal(encoded.attachments.length, 0);
  const frame = (encoded as { webSocketTextFrame?: Uint8Array }).webSocketTextFrame;
  const [parsed, ...rest] = parseServerFrames(Buffer.from(frame!));
  assert.equal(rest.length, 0, "one frame");
  assert.equal(parsed!.opcode, 1, "a text frame");
  assert.equal(parsed!.payload.toString(), `4${encoded.text}`);
  assert.equal((encoded as { webSocketTextFrame?: Uint8Array }).webSocketTextFrame, frame, "made once, then shared");
});
