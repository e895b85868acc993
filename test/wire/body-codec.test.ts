import assert from "node:assert/strict";
import { test } from "node:test";
import { decode as referenceDecode, encode as referenceEncode } from "@msgpack/msgpack";
import fc from "fast-check";
import { BodyCodec } from "../../src/wire/body-codec.js";
import { decodeClose, decodeNack, encodeClose, encodeNack, nackRecordOf } from "../../src/wire/control-records.js";
import { WireError } from "../../src/wire/errors.js";
import { decodeHello, encodeHello, WIRE_PROTOCOL_VERSION } from "../../src/wire/hello-record.js";
import { helloBody } from "./connection-fixtures.js";

const codec = new BodyCodec();

test("a byte-array body is standard msgpack bin, and decodes as a view without a copy", () => {
  for (const length of [0, 64, 255, 256, 65_535, 65_536]) {
    const bytes = new Uint8Array(length).fill(9);
    const encoded = codec.encode(bytes);
    assert.deepEqual(encoded, referenceEncode(bytes), `bin of ${length} bytes`);
    assert.deepEqual(new Uint8Array(codec.decode(encoded) as Uint8Array), bytes);
  }
  const encoded = codec.encode(new Uint8Array([1, 2, 3]));
  const view = codec.decode(encoded) as Uint8Array;
  assert.equal(view.buffer, encoded.buffer, "the bin 8 body is a view of the received bytes");
});

test("any JSON-like value round-trips and encodes as the reference encoder does", () => {
  // Map keys named __proto__ are dropped on decode (prototype-pollution guard of the decoder).
  const values = fc.jsonValue().filter((value) => !JSON.stringify(value).includes('"__proto__"'));
  fc.assert(
    fc.property(values, (value) => {
      const encoded = codec.encode(value);
      assert.deepEqual(encoded, referenceEncode(value));
      assert.deepEqual(codec.decode(encoded), referenceDecode(encoded));
      assert.deepEqual(codec.decode(encoded), value);
    }),
    { numRuns: 200, seed: 7 },
  );
});

test("bytes that are not exactly one msgpack value are bad_body", () => {
  assert.throws(
    () => codec.decode(new Uint8Array([0xc1])),
    (error: WireError) => error.code === "bad_body",
  );
  assert.throws(
    () => codec.decode(new Uint8Array([0x92, 0x01])),
    (error: WireError) => error.code === "bad_body",
  );
});

test("a HELLO record round-trips, ignores unknown keys and validates every field", () => {
  const hello = {
    protocolVersion: WIRE_PROTOCOL_VERSION,
    nodeId: new Uint8Array(16).fill(3),
    nodeName: "node-a",
    slots: 16,
    frameBytesMax: 1 << 20,
    listen: "127.0.0.1:4000",
  };
  assert.deepEqual(decodeHello(codec, encodeHello(codec, hello)), hello);
  assert.equal(decodeHello(codec, helloBody({ future: [1, 2] })).nodeName, "raw");
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ v: 2 }, "version_mismatch"],
    [{ v: "1" }, "bad_hello"],
    [{ id: new Uint8Array(15) }, "bad_hello"],
    [{ name: 7 }, "bad_hello"],
    [{ slots: 0 }, "bad_hello"],
    [{ slots: 1025 }, "bad_hello"],
    [{ frameBytesMax: 63 }, "bad_hello"],
    [{ listen: 5 }, "bad_hello"],
  ];
  for (const [overrides, code] of bad)
    assert.throws(
      () => decodeHello(codec, helloBody(overrides)),
      (error: WireError) => error.code === code,
      JSON.stringify(overrides),
    );
  assert.throws(
    () => decodeHello(codec, codec.encode([1, 2])),
    (error: WireError) => error.code === "bad_hello",
  );
});

test("NACK and CLOSE records round-trip; a handler's error becomes its code and message", () => {
  assert.deepEqual(decodeNack(codec, encodeNack(codec, { code: "TypeError", message: "x" })), {
    code: "TypeError",
    message: "x",
  });
  assert.deepEqual(decodeClose(codec, encodeClose(codec, { code: 4001, reason: "bad magic" })), {
    code: 4001,
    reason: "bad magic",
  });
  assert.deepEqual(nackRecordOf(Object.assign(new Error("full"), { code: "mailbox_full" })), {
    code: "mailbox_full",
    message: "full",
  });
  assert.deepEqual(nackRecordOf("plain"), { code: "Error", message: "plain" });
  assert.throws(() => decodeClose(codec, codec.encode({ code: 70_000, reason: "" })), WireError);
});
