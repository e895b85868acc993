import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AnyRef,
  type Behaviour,
  createLoop,
  type DeadLetter,
  type ExitEvent,
  ExitReasons,
  LoopClosedError,
  type Settled,
} from "../../src/index.js";
import {
  codeOf,
  counter,
  flush,
  holder,
  idle,
  microtasks,
  named,
  recorder,
  setup,
  statusOf,
  track,
} from "./kernel-fixtures.js";

interface Piper {
  pipe(promise: Promise<number>): void;
  result(settled: Settled<number>): void;
  fill(): void;
}

function piper(results: Array<Settled<number>>): Behaviour<Piper, null> {
  return {
    name: "piper",
    init: () => null,
    handlers: {
      pipe(_state, promise, ctx) {
        ctx.pipe(promise, "result");
      },
      result(_state, settled) {
        results.push(settled);
      },
      fill() {},
    },
  };
}

test("ctx.pipe delivers a fulfilled promise as { ok: true, value }", async () => {
  const { reactor, loop } = setup();
  const results: Array<Settled<number>> = [];
  const ref = loop.spawn(piper(results), undefined);
  ref.call("pipe", Promise.resolve(42));
  await flush(reactor);
  assert.deepEqual(results, [{ ok: true, value: 42 }]);
});

test("ctx.pipe delivers a rejected promise as { ok: false, error }", async () => {
  const { reactor, loop } = setup();
  const results: Array<Settled<number>> = [];
  const ref = loop.spawn(piper(results), undefined);
  const error = new Error("nope");
  ref.call("pipe", Promise.reject(error));
  await flush(reactor);
  assert.deepEqual(results, [{ ok: false, error }]);
});

test("ctx.pipe delivers a late settlement as a later message", async () => {
  const { reactor, loop } = setup();
  const results: Array<Settled<number>> = [];
  const ref = loop.spawn(piper(results), undefined);
  let resolve!: (value: number) => void;
  ref.call(
    "pipe",
    new Promise<number>((r) => {
      resolve = r;
    }),
  );
  await flush(reactor);
  assert.deepEqual(results, []);
  resolve(7);
  await flush(reactor);
  assert.deepEqual(results, [{ ok: true, value: 7 }]);
});

test("a piped result for a dead actor is a dead letter", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(piper([]), undefined);
  let resolve!: (value: number) => void;
  ref.call(
    "pipe",
    new Promise<number>((r) => {
      resolve = r;
    }),
  );
  loop.exit(ref, ExitReasons.shutdown);
  resolve(1);
  await flush(reactor);
  assert.equal(loop.deadLetterCount, 1);
});

test("a piped result that finds the mailbox full is counted as a dead letter", async () => {
  const { reactor, loop } = setup();
  const letters: DeadLetter[] = [];
  loop.onDeadLetter((letter) => letters.push(letter));
  const ref = loop.spawn(piper([]), undefined, { mailbox: { lengthMax: 1 } });
  let resolve!: (value: number) => void;
  ref.call(
    "pipe",
    new Promise<number>((r) => {
      resolve = r;
    }),
  );
  ref.tell("fill");
  resolve(1);
  await microtasks();
  assert.deepEqual(
    letters.map((l) => [l.tag, l.why]),
    [["result", "mailbox_full"]],
  );
  await flush(reactor);
});

test("loop.shutdown stops every actor, newest first, with reason shutdown", () => {
  const { loop } = setup();
  const exits: ExitEvent[] = [];
  loop.onExit((event) => exits.push(event));
  const refs = [loop.spawn(idle("first"), undefined), loop.spawn(idle("second"), undefined)];
  const third = loop.spawn(idle("third"), undefined);
  loop.exit(refs[1] as AnyRef, ExitReasons.killed);
  exits.length = 0;
  loop.shutdown();
  assert.deepEqual(
    named(exits.map((e) => [e.ref, e.reason])),
    named([
      [third, ExitReasons.shutdown],
      [refs[0], ExitReasons.shutdown],
    ]),
  );
  assert.equal(loop.actorCount, 0);
});

test("after shutdown, spawn throws LoopClosedError and a second shutdown does nothing", () => {
  const { loop } = setup();
  const exits: ExitEvent[] = [];
  loop.onExit((event) => exits.push(event));
  loop.spawn(idle(), undefined);
  loop.shutdown();
  loop.shutdown();
  assert.equal(exits.length, 1);
  assert.throws(
    () => loop.spawn(idle(), undefined),
    (error: unknown) => error instanceof LoopClosedError && codeOf(error) === "loop_closed",
  );
});

test("shutdown fails the asks waiting on the loop's actors instead of leaving them to time out", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(holder(), undefined);
  const held = track(ref.ask("hold"));
  await flush(reactor);
  const queued = track(ref.ask("count"));
  loop.shutdown();
  await flush(reactor);
  assert.equal(codeOf(held.error), "exited");
  assert.equal(codeOf(queued.error), "exited");
});

test("dead letters are counted and passed to listeners until they unsubscribe", async () => {
  const { reactor, loop } = setup();
  const letters: DeadLetter[] = [];
  const unsubscribe = loop.onDeadLetter((letter) => letters.push(letter));
  const ref = loop.spawn(counter, 0);
  const description = loop.inspect(ref)?.description;
  loop.exit(ref, ExitReasons.shutdown);
  ref.tell("add", 1);
  assert.deepEqual(letters, [{ to: description, tag: "add", why: "dead" }]);
  unsubscribe();
  ref.tell("add", 2);
  await flush(reactor);
  assert.equal(letters.length, 1);
  assert.equal(loop.deadLetterCount, 2);
});

test("an onExit listener stops hearing exits once unsubscribed", () => {
  const { loop } = setup();
  const exits: ExitEvent[] = [];
  const unsubscribe = loop.onExit((event) => exits.push(event));
  loop.exit(loop.spawn(idle(), undefined), ExitReasons.shutdown);
  unsubscribe();
  loop.exit(loop.spawn(idle(), undefined), ExitReasons.shutdown);
  assert.equal(exits.length, 1);
});

test("loop.inspect reports an actor's description, status, state, mailbox, counters, links and timers", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const ref = loop.spawn(recorder(seen, "inspected"), undefined, { trapExits: true });
  interface Linked {
    tick(): void;
  }
  const linked = loop.spawn<Linked, null, AnyRef>(
    {
      init: (other, ctx) => {
        ctx.link(other);
        ctx.sendInterval(10, "tick");
        return null;
      },
      handlers: { tick() {} },
    },
    ref,
  );
  ref.tell("msg", 1);
  ref.tell("msg", 2);
  const before = loop.inspect(ref);
  assert.ok(before !== undefined);
  assert.match(before.description, /^inspected#\d+@main$/);
  assert.equal(before.status, "running");
  assert.deepEqual(before.state, []);
  assert.equal(before.mailboxLength, 2);
  assert.equal(before.messagesHandled, 0);
  assert.equal(before.trapExits, true);
  assert.equal(before.linkCount, 1);
  assert.equal(before.timerCount, 0);
  assert.equal(before.exitReason, null);
  assert.equal(loop.inspect(linked)?.timerCount, 1);
  await flush(reactor);
  const after = loop.inspect(ref);
  assert.deepEqual(after?.state, [1, 2]);
  assert.equal(after?.mailboxLength, 0);
  assert.equal(after?.messagesHandled, 2);
  loop.exit(linked, ExitReasons.shutdown);
  assert.equal(loop.inspect(ref)?.linkCount, 0);
  assert.equal(statusOf(loop, ref), "running");
});

test("loop.inspect of a ref to another loop's actor is undefined", () => {
  const { reactor, loop } = setup();
  const other = createLoop({ reactor, name: "other" });
  const ref = other.spawn(idle(), undefined);
  assert.equal(loop.inspect(ref), undefined);
  assert.equal(other.inspect(ref)?.status, "running");
});

test("actorCount counts the live actors", () => {
  const { loop } = setup();
  const a = loop.spawn(idle(), undefined);
  loop.spawn(idle(), undefined);
  assert.equal(loop.actorCount, 2);
  loop.exit(a, ExitReasons.killed);
  assert.equal(loop.actorCount, 1);
});
