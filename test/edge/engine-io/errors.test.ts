import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ENGINE_IO_REQUEST_ERRORS,
  EngineIoCodecError,
  EngineIoRequestError,
  type EngineIoRequestErrorEntry,
  requestErrorBody,
  requestErrorEntry,
} from "../../../src/edge/engine-io/errors.js";
import { loadVectors } from "../vectors.js";

const vectors = loadVectors<{ vectors: Array<EngineIoRequestErrorEntry & { body: string }> }>(
  "engine-io/request-errors.json",
);

test("the request error table matches the reference server's numbers, messages and statuses, in order", () => {
  assert.deepEqual(
    ENGINE_IO_REQUEST_ERRORS,
    vectors.vectors.map(({ body: _body, ...entry }) => entry),
  );
});

for (const vector of vectors.vectors) {
  test(`a ${vector.code} rejection has the reference body ${vector.body}`, () => {
    assert.equal(requestErrorBody(vector.code), vector.body);
    assert.deepEqual(JSON.parse(vector.body), { code: vector.number, message: vector.message });
  });

  test(`an EngineIoRequestError for ${vector.code} carries number ${vector.number} and status ${vector.httpStatus}`, () => {
    const error = new EngineIoRequestError(vector.code);
    assert.equal(error.code, vector.code);
    assert.equal(error.number, vector.number);
    assert.equal(error.httpStatus, vector.httpStatus);
    assert.equal(error.message, vector.message);
    assert.equal(error.name, "EngineIoRequestError");
  });
}

test("a refusal by an allowRequest hook keeps its own message in the body, as the reference does", () => {
  assert.equal(requestErrorBody("forbidden", "not on the guest list"), '{"code":4,"message":"not on the guest list"}');
  assert.equal(new EngineIoRequestError("forbidden", "nope").message, "nope");
});

test("an unknown request error code is a RangeError", () => {
  assert.throws(() => requestErrorEntry("teapot" as never), RangeError);
});

test("codec errors carry their code, an HTTP status and their cause", () => {
  const cause = new Error("inner");
  const error = new EngineIoCodecError("invalid_utf8", "bad bytes", { cause });
  assert.equal(error.code, "invalid_utf8");
  assert.equal(error.httpStatus, 400);
  assert.equal(error.cause, cause);
  assert.equal(error.name, "EngineIoCodecError");
  assert.equal(new EngineIoCodecError("payload_too_large", "big").httpStatus, 413);
});
