import assert from "node:assert/strict";
import { test } from "node:test";
import { StopQueue } from "../../src/supervision/stop-queue.js";

const ops = (...ids: string[]) => ids.map((id) => ({ id, replier: null }));
const ids = (queue: StopQueue) => [...queue.ops()].map((op) => op.id);

test("a stop queue gives its operations in order and takes one off from anywhere", () => {
  const queue = new StopQueue(ops("a", "b", "c", "d"));
  assert.equal(queue.shift()?.id, "a");
  assert.equal(queue.remove("c")?.id, "c");
  assert.equal(queue.remove("c"), undefined, "already taken off");
  assert.equal(queue.has("b"), true);
  assert.equal(queue.has("c"), false);
  assert.equal(queue.length, 2);
  assert.deepEqual(ids(queue), ["b", "d"]);
  assert.equal(queue.shift()?.id, "b");
  assert.equal(queue.shift()?.id, "d", "a removed operation is skipped");
  assert.equal(queue.shift(), undefined);
  assert.equal(queue.length, 0);
});

test("a turn that rolls back leaves the stop queue as it was; a committed turn keeps its changes", () => {
  const queue = new StopQueue(ops("a", "b", "c", "d"));
  queue.begin();
  queue.shift();
  queue.remove("c");
  queue.shift();
  queue.rollback();
  assert.deepEqual(ids(queue), ["a", "b", "c", "d"]);
  assert.equal(queue.length, 4);
  assert.equal(queue.has("a") && queue.has("b") && queue.has("c"), true);
  queue.begin();
  queue.remove("b");
  queue.commit();
  queue.begin();
  queue.shift();
  queue.rollback();
  assert.deepEqual(ids(queue), ["a", "c", "d"]);
  assert.equal(queue.has("b"), false);
});
