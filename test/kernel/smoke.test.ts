import assert from "node:assert/strict";
import { test } from "node:test";
import type { Behaviour } from "../../src/kernel/behaviour.js";
import { createLoop } from "../../src/kernel/loop.js";
import { VirtualReactor } from "../../src/reactor/virtual/virtual-reactor.js";

interface Counter {
  add(by: number): void;
  get(): number;
  boom(): void;
}
const counter: Behaviour<Counter, { n: number }, number> = {
  name: "counter",
  init: (start) => ({ n: start }),
  handlers: {
    add(state, by, ctx) {
      ctx.setState({ n: state.n + by });
    },
    get: (state) => state.n,
    boom() {
      throw new Error("boom");
    },
  },
};

test("smoke", async () => {
  const reactor = new VirtualReactor();
  const loop = createLoop({ reactor });
  const ref = loop.spawn(counter, 5);
  ref.tell("add", 2);
  const p = ref.ask("get");
  await reactor.settle();
  assert.equal(await p, 7);
  assert.equal(ref.call("get"), 7);
  const b = ref.ask("boom");
  await reactor.settle();
  await assert.rejects(b, /crashed/);
  assert.equal(loop.inspect(ref)?.status, "dead");
});
