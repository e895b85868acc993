import assert from "node:assert/strict";
import { test } from "node:test";
import { formatTraceEvent, summarize, Trace } from "../../src/sim/trace.js";

test("a report shows that a ref crossed the network, never its capability token", () => {
  const data = [
    { t: "tell", to: "abcdef0123456789", tag: "greet", p: { reply: { __chorusRef__: "s3cr3t-token", loop: "l1" } } },
  ];
  const line = formatTraceEvent({ type: "deliver", atMs: 1.5, from: "a", to: "b", conn: 1, data });
  assert.ok(line.includes("__chorusRef__") && line.includes("(token)"), line);
  assert.doesNotMatch(line, /s3cr3t-token/);
});

test("payload summaries stop at 160 characters and survive values JSON cannot hold", () => {
  assert.equal(summarize("x".repeat(500)).length, 160);
  assert.ok(summarize("x".repeat(500)).endsWith("..."));
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(summarize(cyclic), "[object Object]");
  assert.equal(summarize(10n), "10");
});

test("the trace hash depends on payload contents up to its leaf budget, and on nothing else", () => {
  const hashOf = (payload: unknown) => {
    const trace = new Trace();
    trace.record({ type: "send", atMs: 1, from: "a", to: "b", conn: 1, data: payload });
    return trace.hash;
  };
  assert.equal(hashOf({ a: [1, 2, "x"] }), hashOf({ a: [1, 2, "x"] }));
  assert.notEqual(hashOf({ a: [1, 2, "x"] }), hashOf({ a: [1, 2, "y"] }));
  assert.notEqual(hashOf({ a: 1 }), hashOf({ b: 1 }), "keys of payloads count");
  assert.notEqual(hashOf(1), hashOf(1.5));
  assert.notEqual(hashOf(new Uint8Array([1, 2])), hashOf(new Uint8Array([1, 3])));
  const long = (last: number) => Array.from({ length: 1000 }, (_, i) => (i === 999 ? last : i));
  assert.equal(hashOf(long(1)), hashOf(long(2)), "leaves past the budget are not hashed");
});
