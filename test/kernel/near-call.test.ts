import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ActorCrashedError,
  ActorDeadError,
  type AnyRef,
  BadMessageError,
  type Behaviour,
  CallCycleError,
  DEFER,
  ExitReasons,
  type Ref,
} from "../../src/index.js";
import { codeOf, counter, flush, holder, outcomeOf, recorder, setup, statusOf } from "./kernel-fixtures.js";

interface Node {
  /** Near-calls the peer's `ping` and replies with its answer. */
  callPeer(): string;
  /** Near-calls itself. */
  callSelf(): string;
  /** Near-calls the peer's `pingBack`. */
  relay(): unknown;
  /** Near-calls the peer's `ping`, returning its reply or the error it throws. */
  pingBack(): unknown;
  ping(): string;
  setPeer(peer: Ref<Node>): void;
}

function node(name: string): Behaviour<Node, { peer: Ref<Node> | null }> {
  return {
    name,
    init: () => ({ peer: null }),
    handlers: {
      callPeer: (state) => (state.peer as Ref<Node>).call("callPeer"),
      callSelf: (_state, _payload, ctx) => ctx.self.call("ping"),
      relay: (state) => (state.peer as Ref<Node>).call("pingBack"),
      pingBack(state) {
        try {
          return (state.peer as Ref<Node>).call("ping");
        } catch (error) {
          return error;
        }
      },
      ping: () => `pong from ${name}`,
      setPeer(_state, peer, ctx) {
        ctx.setState({ peer });
      },
    },
  };
}

function pair() {
  const env = setup();
  const a = env.loop.spawn(node("a"), undefined);
  const b = env.loop.spawn(node("b"), undefined);
  a.call("setPeer", b);
  b.call("setPeer", a);
  return { ...env, a, b };
}

test("a near call returns the reply synchronously and commits the callee's turn at once", () => {
  const { loop } = setup();
  const ref = loop.spawn(counter, 1);
  assert.equal(ref.isNear, true);
  assert.equal(ref.call("add", 4), undefined);
  assert.deepEqual(loop.inspect(ref)?.state, { n: 5 });
  assert.equal(ref.call("get"), 5);
  assert.equal(loop.inspect(ref)?.messagesHandled, 2);
});

test("a near call overtakes messages queued in the callee's mailbox", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(counter, 1);
  ref.tell("add", 10);
  assert.equal(ref.call("get"), 1);
  await flush(reactor);
  assert.equal(ref.call("get"), 11);
});

test("a near call's sends are delivered when the callee's turn commits", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const rec = loop.spawn(recorder(seen), undefined);
  interface Relay {
    relay(text: string): void;
  }
  const relay = loop.spawn<Relay, null, void>(
    { init: () => null, handlers: { relay: (_s, text) => rec.tell("msg", text) } },
    undefined,
  );
  relay.call("relay", "via call");
  assert.equal(loop.inspect(rec)?.mailboxLength, 1);
  await flush(reactor);
  assert.deepEqual(seen, ["via call"]);
});

test("a near call to a dead actor throws ActorDeadError", () => {
  const { loop } = setup();
  const ref = loop.spawn(counter, 1);
  loop.exit(ref, ExitReasons.shutdown);
  assert.throws(
    () => ref.call("get"),
    (error: unknown) => error instanceof ActorDeadError && codeOf(error) === "noproc",
  );
});

test("a near call cycle A→B→A throws CallCycleError instead of hanging", () => {
  const { a, b, loop } = pair();
  // A calls B, B calls A (already in a turn): B gets a CallCycleError, which it returns.
  const result = a.call("relay");
  assert.ok(result instanceof CallCycleError, `got ${String(result)}`);
  assert.equal(codeOf(result), "call_cycle");
  assert.equal(statusOf(loop, a), "running");
  // Without the cycle the same path works.
  assert.equal(b.call("pingBack"), "pong from a");
});

test("an uncaught call cycle crashes the actors on the cycle and the outer caller sees ActorCrashedError", () => {
  const { a, b, loop } = pair();
  assert.throws(
    () => a.call("callPeer"),
    (error: unknown) => {
      assert.ok(error instanceof ActorCrashedError);
      // A crashed because its call to B threw ActorCrashedError, whose cause is B's CallCycleError.
      const inner = (error as Error).cause;
      assert.ok(inner instanceof ActorCrashedError);
      assert.ok((inner as Error).cause instanceof CallCycleError);
      return true;
    },
  );
  assert.equal(statusOf(loop, a), "dead");
  assert.equal(statusOf(loop, b), "dead");
});

test("a near call from an actor to itself throws CallCycleError", () => {
  const { loop } = setup();
  const ref = loop.spawn(node("solo"), undefined);
  assert.throws(
    () => ref.call("callSelf"),
    (error: unknown) => error instanceof ActorCrashedError && (error as Error).cause instanceof CallCycleError,
  );
});

test("a near call to a crashing handler throws ActorCrashedError with the cause, and the callee dies", () => {
  const { loop } = setup();
  const ref = loop.spawn(counter, 1);
  assert.throws(
    () => ref.call("boom"),
    (error: unknown) => error instanceof ActorCrashedError && ((error as Error).cause as Error).message === "boom",
  );
  assert.equal(statusOf(loop, ref), "dead");
  assert.equal(loop.inspect(ref)?.exitReason?.type, "crash");
});

test("a near call to a handler that defers past its turn throws BadMessageError, and the callee keeps running", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(holder(), undefined);
  assert.throws(
    () => ref.call("hold"),
    (error: unknown) => error instanceof BadMessageError && /use ask/.test((error as Error).message),
  );
  assert.equal(statusOf(loop, ref), "running");
  // The same handler works through ask.
  const asked = await outcomeOf(reactor, ref.ask("hold"));
  assert.equal(asked.status, "pending");
  ref.tell("release", 3);
  await flush(reactor);
  assert.equal(asked.value, 3);
});

test("a near call whose handler answers through its replier within the turn returns that answer", () => {
  const { loop } = setup();
  interface Quick {
    viaReplier(n: number): number;
    failViaReplier(): number;
  }
  const ref = loop.spawn<Quick, null, void>(
    {
      init: () => null,
      handlers: {
        viaReplier(_state, n, ctx) {
          ctx.replyLater<number>().reply(n * 2);
          return DEFER;
        },
        failViaReplier(_state, _payload, ctx) {
          ctx.replyLater<number>().fail(new RangeError("refused"));
          return DEFER;
        },
      },
    },
    undefined,
  );
  assert.equal(ref.call("viaReplier", 21), 42);
  assert.throws(() => ref.call("failViaReplier"), RangeError);
  assert.equal(statusOf(loop, ref), "running");
});

test("a near call to a handler that returns DEFER without replyLater throws BadMessageError and crashes the callee", () => {
  const { loop } = setup();
  interface Liar {
    later(): number;
  }
  const ref = loop.spawn<Liar, null, void>({ init: () => null, handlers: { later: () => DEFER } }, undefined);
  assert.throws(() => ref.call("later"), BadMessageError);
  assert.equal(statusOf(loop, ref), "dead");
  assert.equal(loop.inspect(ref)?.exitReason?.type, "crash");
});

test("mail that reaches the callee during a near call is handled afterwards, even when the call defers", async () => {
  const { reactor, loop } = setup();
  const seen: string[] = [];
  interface Poker {
    poke(who: AnyRef): void;
  }
  const poker = loop.spawn<Poker, null, void>(
    { init: () => null, handlers: { poke: (_s, who) => who.tell("ping") } },
    undefined,
  );
  interface Target {
    ping(): void;
    deferAfterPoke(): number;
    replyAfterPoke(): number;
  }
  const target = loop.spawn<Target, null, void>(
    {
      init: () => null,
      handlers: {
        ping: () => {
          seen.push("ping");
        },
        deferAfterPoke(_s, _p, ctx) {
          poker.call("poke", ctx.self);
          ctx.replyLater();
          return DEFER;
        },
        replyAfterPoke(_s, _p, ctx) {
          poker.call("poke", ctx.self);
          return 1;
        },
      },
    },
    undefined,
  );
  assert.equal(target.call("replyAfterPoke"), 1);
  assert.throws(() => target.call("deferAfterPoke"), BadMessageError);
  // Both pings were queued while the target was in a near-called turn (not scheduled by the drain).
  await flush(reactor);
  assert.deepEqual(seen, ["ping", "ping"]);
});

test("a near call with an unknown tag throws BadMessageError and the callee keeps running", () => {
  const { loop } = setup();
  const ref = loop.spawn(counter, 1) as AnyRef;
  assert.throws(() => ref.call("nonsense"), BadMessageError);
  assert.equal(statusOf(loop, ref), "running");
});

test("a near call whose handler stops the callee still returns the reply", () => {
  const { loop } = setup();
  interface Last {
    last(): string;
  }
  const ref = loop.spawn<Last, null, void>(
    {
      init: () => null,
      handlers: {
        last(_s, _p, ctx) {
          ctx.stop();
          return "bye";
        },
      },
    },
    undefined,
  );
  assert.equal(ref.call("last"), "bye");
  assert.equal(statusOf(loop, ref), "dead");
});

test("a near call made inside a turn runs the callee's turn nested, and the caller sees its result", async () => {
  const { reactor, loop } = setup();
  const inner = loop.spawn(counter, 2);
  interface Outer {
    addTwiceAndRead(): number;
  }
  const outer = loop.spawn<Outer, null, void>(
    {
      init: () => null,
      handlers: {
        addTwiceAndRead() {
          inner.call("add", 1);
          inner.call("add", 1);
          return inner.call("get");
        },
      },
    },
    undefined,
  );
  const asked = await outcomeOf(reactor, outer.ask("addTwiceAndRead"));
  assert.equal(asked.value, 4);
});
