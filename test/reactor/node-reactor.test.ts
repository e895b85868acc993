import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { createNodeReactor } from "../../src/reactor/node/node-reactor.js";

// Timers of the default reactor are unref'd: a test waiting only on them would end the event
// loop early, so these tests keep their timers referenced.
const reactor = createNodeReactor({ unrefTimers: false });

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => reactor.setTimer(ms, resolve));
}

test("monotonic time advances and never goes back", async () => {
  const start = reactor.nowMs();
  let previous = start;
  for (let i = 0; i < 10_000; i++) {
    const now = reactor.nowMs();
    assert.ok(now >= previous, `nowMs went back from ${previous} to ${now}`);
    previous = now;
  }
  await wait(15);
  assert.ok(reactor.nowMs() - start >= 10, `only ${reactor.nowMs() - start} ms passed across a 15 ms timer`);
});

test("wall-clock time is milliseconds since the epoch", () => {
  const wall = reactor.wallClockMs();
  assert.ok(wall > Date.UTC(2024, 0, 1) && wall < Date.UTC(2100, 0, 1), `wallClockMs() = ${wall}`);
});

test("a timer fires once, after its delay", async () => {
  const start = reactor.nowMs();
  let calls = 0;
  await new Promise<void>((resolve) =>
    reactor.setTimer(20, () => {
      calls++;
      resolve();
    }),
  );
  // Node's timers run on a millisecond clock cached per event-loop turn: allow 2 ms of rounding.
  assert.ok(reactor.nowMs() - start >= 18, `fired after ${reactor.nowMs() - start} ms`);
  await wait(30);
  assert.equal(calls, 1);
});

test("timers due at the same time fire in the order they were set", async () => {
  const order: number[] = [];
  for (let i = 0; i < 5; i++) reactor.setTimer(5, () => order.push(i));
  await wait(20);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
});

test("a cancelled timer does not fire", async () => {
  let fired = false;
  const handle = reactor.setTimer(5, () => {
    fired = true;
  });
  handle.cancel();
  handle.cancel();
  await wait(20);
  assert.equal(fired, false);
});

test("a repeating timer fires until cancelled", async () => {
  let count = 0;
  const handle = reactor.setRepeatingTimer(5, () => {
    if (++count === 3) handle.cancel();
  });
  await wait(60);
  assert.equal(count, 3);
});

test("deferred tasks run FIFO, after the current task and its microtasks", async () => {
  const order: string[] = [];
  await new Promise<void>((resolve) => {
    reactor.defer(() => order.push("deferred 1"));
    reactor.defer(() => {
      order.push("deferred 2");
      resolve();
    });
    queueMicrotask(() => order.push("microtask"));
    order.push("sync");
  });
  assert.deepEqual(order, ["sync", "microtask", "deferred 1", "deferred 2"]);
});

test("random values are floats in [0, 1)", () => {
  for (let i = 0; i < 10_000; i++) {
    const x = reactor.random();
    assert.ok(x >= 0 && x < 1, `random() gave ${x}`);
  }
});

test("randomByteArray returns the asked number of bytes, from the pool and beyond it", () => {
  for (const length of [0, 1, 16, 4095, 4096, 4097, 10_000]) {
    const bytes = reactor.randomByteArray(length);
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(bytes.length, length);
  }
  // Many small draws cross the pool's refill boundary without repeating it.
  const seen = new Set<string>();
  for (let i = 0; i < 1_000; i++) seen.add(Buffer.from(reactor.randomByteArray(16)).toString("hex"));
  assert.equal(seen.size, 1_000);
});

test("randomByteArray returns a copy the caller owns", () => {
  const a = reactor.randomByteArray(8);
  const copy = Uint8Array.from(a);
  a.fill(0);
  reactor.randomByteArray(8);
  const b = reactor.randomByteArray(8);
  assert.notDeepEqual(Array.from(b), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(copy.length, 8);
});

test("uniqueId is 32 lowercase hex characters and unique", () => {
  const ids = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const id = reactor.uniqueId();
    assert.match(id, /^[0-9a-f]{32}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 10_000);
});

test("by default, pending timers do not keep the process alive", () => {
  const moduleUrl = new URL("../../src/reactor/node/node-reactor.js", import.meta.url).href;
  const script = [
    `const { createNodeReactor } = await import(${JSON.stringify(moduleUrl)});`,
    "const reactor = createNodeReactor();",
    "reactor.setTimer(60000, () => process.exit(3));",
    "reactor.setRepeatingTimer(60000, () => process.exit(4));",
  ].join("\n");
  const started = reactor.nowMs();
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 20_000,
  });
  assert.equal(result.status, 0, result.stderr);
  assert.ok(reactor.nowMs() - started < 20_000);
});
