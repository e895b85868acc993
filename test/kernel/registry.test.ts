import assert from "node:assert/strict";
import { test } from "node:test";
import { attenuate, createLoop, createRegistry, ExitReasons, NotAllowedError } from "../../src/index.js";
import { VirtualReactor } from "../../src/testing.js";
import { type Echo, echoBehaviour } from "./fixtures/worker-actors.js";

test("a registry binds names to refs, refuses a taken name, and forgets an actor when it stops", async () => {
  const reactor = new VirtualReactor();
  const loop = createLoop({ reactor });
  const registry = createRegistry<Echo>(loop);
  const lobby = loop.spawn(echoBehaviour, 1);
  const other = loop.spawn(echoBehaviour, 2);
  assert.equal(registry.call("register", { name: "lobby", ref: lobby }), "ok");
  assert.equal(registry.call("register", { name: "lobby", ref: other }), "taken");
  assert.equal(registry.call("lookup", "lobby")?.call("get"), 1);
  assert.deepEqual(registry.call("names"), ["lobby"]);
  loop.exit(lobby, ExitReasons.killed);
  await reactor.settle();
  assert.equal(registry.call("lookup", "lobby"), null);
  assert.equal(registry.call("register", { name: "lobby", ref: other }), "ok");
});

test("a registry is bounded and says full", () => {
  const loop = createLoop({ reactor: new VirtualReactor() });
  const registry = createRegistry<Echo>(loop, { entriesMax: 2 });
  const ref = loop.spawn(echoBehaviour, 0);
  assert.equal(registry.call("register", { name: "a", ref }), "ok");
  assert.equal(registry.call("register", { name: "b", ref }), "ok");
  assert.equal(registry.call("register", { name: "c", ref }), "full");
  registry.call("unregister", "a");
  assert.equal(registry.call("register", { name: "c", ref }), "ok");
});

test("two registries are independent capabilities, and a lookup-only facet cannot register", () => {
  const loop = createLoop({ reactor: new VirtualReactor() });
  const one = createRegistry<Echo>(loop);
  const two = createRegistry<Echo>(loop);
  const ref = loop.spawn(echoBehaviour, 0);
  one.call("register", { name: "x", ref });
  assert.equal(two.call("lookup", "x"), null);
  const readOnly = attenuate(one, ["lookup"]);
  assert.ok(readOnly.call("lookup", "x"));
  // biome-ignore lint/suspicious/noExplicitAny: simulating an untyped caller
  assert.throws(() => (readOnly as any).call("register", { name: "y", ref }), NotAllowedError);
});
