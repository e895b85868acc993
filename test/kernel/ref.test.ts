import assert from "node:assert/strict";
import { test } from "node:test";
import { type AnyRef, BadMessageError, ExitReasons, isRef, Ref } from "../../src/index.js";
import { counter, idle, setup } from "./kernel-fixtures.js";

test("a ref cannot be constructed: its constructor throws a TypeError", () => {
  const { loop } = setup();
  const ref = loop.spawn(counter, 0);
  // biome-ignore lint/suspicious/noExplicitAny: forging on purpose.
  const Ctor = ref.constructor as any;
  assert.ok(Ctor === Ref);
  assert.throws(() => new Ctor(), TypeError);
  assert.throws(() => new Ctor(Symbol("chorus.ref"), {}), TypeError);
  assert.throws(() => new Ctor(Symbol.for("chorus.ref"), {}), TypeError);
  // The key symbol is not reachable from the ref either.
  assert.deepEqual(Reflect.ownKeys(ref), []);
  assert.deepEqual(Object.getOwnPropertySymbols(Object.getPrototypeOf(ref)), []);
});

test("isRef is true for spawned refs only", () => {
  const { loop } = setup();
  const ref = loop.spawn(counter, 0);
  assert.equal(isRef(ref), true);
  assert.equal(isRef({}), false);
  assert.equal(isRef(null), false);
  assert.equal(isRef("Ref<counter#1@main>"), false);
  assert.equal(isRef(Object.create(Ref.prototype)), false);
  assert.equal(isRef({ ...ref }), false);
  assert.equal(isRef(Object.assign(Object.create(Ref.prototype), ref)), false);
});

test("a plain object shaped like a ref is refused by the kernel with BadMessageError", () => {
  const { loop } = setup();
  const ref = loop.spawn(idle(), undefined);
  for (const fake of [{}, { ...ref }, { __protocol: undefined }] as AnyRef[]) {
    assert.throws(() => loop.inspect(fake), BadMessageError);
    assert.throws(() => loop.exit(fake, ExitReasons.killed), BadMessageError);
    assert.throws(() => loop.monitor(fake, () => {}), BadMessageError);
  }
});

test("Ref's methods cannot be borrowed by an object that is not a ref", () => {
  const fake = Object.create(Ref.prototype) as AnyRef;
  assert.throws(() => fake.tell("anything"), TypeError);
  assert.throws(() => Ref.prototype.call.call({}, "get"), TypeError);
  assert.throws(() => Ref.prototype.ask.call({}, "get"), TypeError);
});

test("a ref's description string or an object inheriting from Ref.prototype is refused with BadMessageError", () => {
  const { loop } = setup();
  const ref = loop.spawn(idle(), undefined);
  const description = JSON.parse(JSON.stringify({ ref })).ref as AnyRef;
  assert.throws(() => loop.inspect(description), BadMessageError);
  const fake = Object.create(Ref.prototype) as AnyRef;
  assert.throws(() => loop.inspect(fake), BadMessageError);
});

test("toString and toJSON describe the actor without anything that turns back into a ref", () => {
  const { loop } = setup();
  const ref = loop.spawn(idle("room"), undefined);
  assert.match(String(ref), /^Ref<room#\d+@main>$/);
  const json = JSON.parse(JSON.stringify({ ref }));
  assert.equal(json.ref, String(ref));
  assert.equal(isRef(json.ref), false);
  // Neither the loop id nor any token appears.
  assert.ok(!String(ref).includes(loop.id));
  const cloned = structuredClone({ ref });
  assert.equal(isRef(cloned.ref), false);
});

test("each spawn gives a distinct ref, and ctx.self is the spawned ref", () => {
  const { loop } = setup();
  let self: AnyRef | undefined;
  const a = loop.spawn(
    {
      init: (_args: undefined, ctx) => {
        self = ctx.self;
        return null;
      },
      handlers: {},
    },
    undefined,
  );
  const b = loop.spawn(idle(), undefined);
  assert.equal(self, a);
  assert.notEqual(a, b);
  assert.notEqual(String(a), String(b));
});
