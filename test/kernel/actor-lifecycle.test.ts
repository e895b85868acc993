import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AnyRef,
  type Behaviour,
  createLoop,
  type ExitEvent,
  type ExitReason,
  ExitReasons,
  SpawnError,
} from "../../src/index.js";
import { VirtualReactor } from "../../src/testing.js";
import { codeOf, counter, flush, idle, recorder, setup, statusOf, track } from "./kernel-fixtures.js";

interface Lifecycle {
  set(value: string): void;
  stopWith(value: string): void;
  crash(): void;
}

/** An actor whose terminate records (state, reason) and tells `to` goodbye. */
function mortal(calls: Array<{ state: string; reason: ExitReason }>, to?: AnyRef): Behaviour<Lifecycle, string> {
  return {
    name: "mortal",
    init: () => "initial",
    handlers: {
      set(_state, value, ctx) {
        ctx.setState(value);
      },
      stopWith(_state, value, ctx) {
        ctx.setState(value);
        ctx.stop();
      },
      crash() {
        throw new Error("crash in handler");
      },
    },
    terminate(state, reason) {
      calls.push({ state, reason });
      to?.tell("msg", `goodbye from ${state}`);
    },
  };
}

test("spawn runs init synchronously with its argument and the actor is running", () => {
  const { loop } = setup();
  let selfInInit: AnyRef | undefined;
  const ref = loop.spawn(
    {
      init: (args: { start: number }, ctx) => {
        selfInInit = ctx.self;
        return args.start * 2;
      },
      handlers: {},
    },
    { start: 21 },
  );
  assert.equal(loop.inspect(ref)?.state, 42);
  assert.equal(statusOf(loop, ref), "running");
  assert.equal(selfInInit, ref);
  assert.equal(loop.actorCount, 1);
});

test("a handler's setState is the state of the next turn, and a handler without setState keeps it", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(counter, 5);
  ref.tell("add", 2);
  ref.tell("add", 3);
  const got = ref.ask("get");
  await flush(reactor);
  assert.equal(await got, 10);
  assert.deepEqual(loop.inspect(ref)?.state, { n: 10 });
  assert.equal(loop.inspect(ref)?.messagesHandled, 3);
});

test("spawn throws a SpawnError with the thrown error as cause when init throws", () => {
  const { loop } = setup();
  const thrown = new Error("bad init");
  assert.throws(
    () =>
      loop.spawn(
        {
          name: "fragile",
          init: () => {
            throw thrown;
          },
          handlers: {},
        },
        undefined,
      ),
    (error: unknown) => {
      assert.ok(error instanceof SpawnError);
      assert.equal(codeOf(error), "spawn_failed");
      assert.equal(error.cause, thrown);
      assert.match(error.message, /fragile/);
      return true;
    },
  );
  assert.equal(loop.actorCount, 0);
});

test("a failed init leaves no sends, timers or children behind", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const rec = loop.spawn(recorder(seen), undefined);
  let child: AnyRef | undefined;
  interface Tick {
    tick(): void;
  }
  const fragile: Behaviour<Tick, null, AnyRef> = {
    init: (to, ctx) => {
      to.tell("msg", "from init");
      ctx.sendAfter(10, "tick");
      child = ctx.spawn(idle(), undefined);
      throw new Error("late failure");
    },
    handlers: { tick() {} },
  };
  assert.throws(() => loop.spawn(fragile, rec), SpawnError);
  await flush(reactor);
  reactor.advanceBy(100);
  assert.deepEqual(seen, []);
  assert.equal(reactor.pendingTimerCount, 0);
  assert.ok(child !== undefined);
  assert.equal(statusOf(loop, child), "dead");
  assert.equal(loop.actorCount, 1);
});

test("terminate runs with reason normal and the final state when the actor stops itself", async () => {
  const { reactor, loop } = setup();
  const calls: Array<{ state: string; reason: ExitReason }> = [];
  const ref = loop.spawn(mortal(calls), undefined);
  ref.tell("stopWith", "last");
  await flush(reactor);
  assert.deepEqual(calls, [{ state: "last", reason: ExitReasons.normal }]);
  assert.equal(statusOf(loop, ref), "dead");
  assert.deepEqual(loop.inspect(ref)?.exitReason, ExitReasons.normal);
});

test("terminate runs with reason shutdown on loop.shutdown and on an exit signal", () => {
  const { loop } = setup();
  const calls: Array<{ state: string; reason: ExitReason }> = [];
  const a = loop.spawn(mortal(calls), undefined);
  loop.exit(a, { type: "shutdown", detail: "maintenance" });
  assert.deepEqual(calls, [{ state: "initial", reason: { type: "shutdown", detail: "maintenance" } }]);
  loop.spawn(mortal(calls), undefined);
  loop.shutdown();
  assert.deepEqual(calls[1], { state: "initial", reason: ExitReasons.shutdown });
});

test("terminate runs after a crash with the crash reason and the last committed state", async () => {
  const { reactor, loop } = setup();
  const calls: Array<{ state: string; reason: ExitReason }> = [];
  const ref = loop.spawn(mortal(calls), undefined);
  ref.tell("set", "committed");
  ref.tell("crash");
  await flush(reactor);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]?.state, "committed");
  const reason = calls[0]?.reason;
  assert.equal(reason?.type, "crash");
  assert.match(String((reason as { error: Error }).error.message), /crash in handler/);
});

test("terminate does not run when the actor is killed", () => {
  const { loop } = setup();
  const calls: Array<{ state: string; reason: ExitReason }> = [];
  const ref = loop.spawn(mortal(calls), undefined);
  loop.exit(ref, ExitReasons.killed);
  assert.deepEqual(calls, []);
  assert.equal(statusOf(loop, ref), "dead");
  assert.deepEqual(loop.inspect(ref)?.exitReason, ExitReasons.killed);
});

test("terminate's sends are delivered", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const rec = loop.spawn(recorder(seen), undefined);
  const ref = loop.spawn(mortal([], rec), undefined);
  ref.tell("stopWith", "end");
  await flush(reactor);
  assert.deepEqual(seen, ["goodbye from end"]);
});

test("a terminate that throws turns the exit reason into a crash and its sends are discarded", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const rec = loop.spawn(recorder(seen), undefined);
  const exits: ExitEvent[] = [];
  loop.onExit((event) => exits.push(event));
  const thrown = new Error("terminate failed");
  const ref = loop.spawn(
    {
      init: () => null,
      handlers: {},
      terminate(_state, _reason, ctx) {
        rec.tell("msg", "lost");
        ctx.setState(null);
        throw thrown;
      },
    },
    undefined,
  );
  loop.exit(ref, ExitReasons.shutdown);
  await flush(reactor);
  assert.deepEqual(seen, []);
  assert.deepEqual(loop.inspect(ref)?.exitReason, ExitReasons.crash(thrown));
  assert.deepEqual(
    exits.map((e) => e.reason),
    [ExitReasons.crash(thrown)],
  );
});

test("loop.onExit reports every exit once, with the ref, description, reason and time", async () => {
  const { reactor, loop } = setup();
  const exits: ExitEvent[] = [];
  loop.onExit((event) => exits.push(event));
  const a = loop.spawn(idle("a"), undefined);
  const b = loop.spawn(idle("b"), undefined);
  reactor.advanceBy(7);
  a.tell("stop");
  b.tell("crash", "oops");
  await flush(reactor);
  loop.exit(a, ExitReasons.killed);
  assert.equal(exits.length, 2);
  assert.equal(exits[0]?.ref, a);
  assert.match(exits[0]?.description ?? "", /^a#\d+@main$/);
  assert.deepEqual(exits[0]?.reason, ExitReasons.normal);
  assert.equal(exits[0]?.atMs, 7);
  assert.equal(exits[1]?.ref, b);
  assert.equal(exits[1]?.reason.type, "crash");
});

test("a stopped actor no longer handles messages: its queued tells become dead letters", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const ref = loop.spawn(recorder(seen), undefined);
  ref.tell("msg", 1);
  loop.exit(ref, ExitReasons.shutdown);
  ref.tell("msg", 2);
  await flush(reactor);
  assert.deepEqual(seen, []);
  assert.equal(loop.deadLetterCount, 2);
});

test("spawn options override the behaviour's name and mailbox", () => {
  const { loop } = setup();
  const ref = loop.spawn(recorder([], "rec"), undefined, { name: "renamed", mailbox: { lengthMax: 1 } });
  assert.match(String(ref), /^Ref<renamed#\d+@main>$/);
  ref.tell("msg", 1);
  assert.throws(() => ref.tell("msg", 2), { code: "mailbox_full" });
});

test("spawn names the bad mailbox option", () => {
  const { loop } = setup();
  assert.throws(() => loop.spawn(counter, 0, { mailbox: { lengthMax: 0 } }), RangeError);
  assert.throws(() => loop.spawn(counter, 0, { mailbox: { lengthMax: 1.5 } }), /mailbox\.lengthMax/);
  assert.throws(
    // biome-ignore lint/suspicious/noExplicitAny: an invalid policy on purpose.
    () => loop.spawn(counter, 0, { mailbox: { overflow: "drop-everything" as any } }),
    (error: unknown) => error instanceof TypeError && /mailbox\.overflow/.test(error.message),
  );
  assert.equal(loop.actorCount, 0);
});

test("spawn refuses something that is not a behaviour", () => {
  const { loop } = setup();
  // biome-ignore lint/suspicious/noExplicitAny: not a behaviour on purpose.
  assert.throws(() => loop.spawn({ handlers: {} } as any, undefined), TypeError);
  // biome-ignore lint/suspicious/noExplicitAny: not a behaviour on purpose.
  assert.throws(() => loop.spawn(null as any, undefined), TypeError);
});

test("createLoop requires a reactor and names a bad numeric option", () => {
  const reactor = new VirtualReactor();
  // biome-ignore lint/suspicious/noExplicitAny: a missing reactor on purpose.
  assert.throws(() => createLoop({} as any), /reactor/);
  assert.throws(() => createLoop({ reactor, askTimeoutMs: 0 }), /askTimeoutMs/);
  assert.throws(() => createLoop({ reactor, drainBudget: -1 }), RangeError);
  assert.throws(() => createLoop({ reactor, actorThroughput: Number.NaN }), /actorThroughput/);
  const loop = createLoop({ reactor, name: "edge", id: "ab".repeat(16) });
  assert.equal(loop.name, "edge");
  assert.equal(loop.id, "ab".repeat(16));
  assert.match(createLoop({ reactor }).id, /^[0-9a-f]{32}$/);
});

test("an actor spawned from a handler runs on the same loop and its init runs at once", async () => {
  const { reactor, loop } = setup();
  interface Parent {
    make(): AnyRef;
  }
  const parent = loop.spawn<Parent, null, void>(
    {
      init: () => null,
      handlers: {
        make: (_state, _payload, ctx) => ctx.spawn(counter, 3),
      },
    },
    undefined,
  );
  const child = parent.call("make");
  assert.equal(child.isNear, true);
  assert.deepEqual(loop.inspect(child)?.state, { n: 3 });
  const seen = track(child.ask("get"));
  await flush(reactor);
  assert.equal(seen.value, 3);
});
