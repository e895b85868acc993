import assert from "node:assert/strict";
import { test } from "node:test";
import { EngineIoCodecError } from "../../../src/edge/engine-io/errors.js";
import {
  type EngineIoHandshake,
  decodeHandshake,
  encodeHandshake,
  handshakeOf,
  openPacket,
} from "../../../src/edge/engine-io/handshake.js";
import { decodeFrame, encodeFrame } from "../../../src/edge/engine-io/packet-codec.js";
import { loadVectors } from "../vectors.js";

interface HandshakeVector {
  name: string;
  handshake: EngineIoHandshake;
  json: string;
  frame: string;
}

const vectors = loadVectors<{ vectors: HandshakeVector[]; malformed: Array<{ name: string; json: string }> }>(
  "engine-io/handshake.json",
);

for (const vector of vectors.vectors) {
  test(`the handshake of ${vector.name} encodes with the reference key order`, () => {
    assert.equal(encodeHandshake(vector.handshake), vector.json);
    assert.equal(encodeFrame(openPacket(vector.handshake)), vector.frame);
  });
  test(`the open frame of ${vector.name} decodes to its handshake`, () => {
    assert.deepEqual(handshakeOf(decodeFrame(vector.frame)), vector.handshake);
    assert.deepEqual(decodeHandshake(vector.json), vector.handshake);
  });
}

for (const vector of vectors.malformed) {
  test(`a handshake is rejected as invalid_handshake: ${vector.name}`, () => {
    assert.throws(
      () => decodeHandshake(vector.json),
      (error: unknown) => error instanceof EngineIoCodecError && error.code === "invalid_handshake",
    );
  });
}

test("the key order does not depend on the order the caller wrote the fields in", () => {
  const shuffled = { maxPayload: 1, pingTimeout: 2, pingInterval: 3, upgrades: [], sid: "s" };
  assert.equal(encodeHandshake(shuffled), '{"sid":"s","upgrades":[],"pingInterval":3,"pingTimeout":2,"maxPayload":1}');
});

test("a handshake with a field out of its domain cannot be encoded", () => {
  const good: EngineIoHandshake = { sid: "s", upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1e6 };
  for (const bad of [{ sid: "" }, { pingInterval: 0 }, { pingTimeout: Number.NaN }, { maxPayload: 1.5 }]) {
    assert.throws(() => encodeHandshake({ ...good, ...bad }), /invalid_handshake|cannot encode handshake/);
  }
});

test("extra fields sent by a server are ignored when decoding", () => {
  const json = '{"sid":"s","upgrades":["websocket"],"pingInterval":1,"pingTimeout":2,"maxPayload":3,"extra":true}';
  assert.deepEqual(decodeHandshake(json), {
    sid: "s",
    upgrades: ["websocket"],
    pingInterval: 1,
    pingTimeout: 2,
    maxPayload: 3,
  });
});

test("only an open packet with data carries a handshake", () => {
  for (const frame of ["0", "2probe", "4{}"]) {
    assert.throws(
      () => handshakeOf(decodeFrame(frame)),
      (error: unknown) => error instanceof EngineIoCodecError && error.code === "invalid_handshake",
    );
  }
});
