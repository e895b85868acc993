import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AnyRef,
  type Behaviour,
  DEFER,
  type DownSignal,
  type ExitEvent,
  ExitReasons,
  type ExitSignal,
  type Replier,
  type Settled,
  TurnAbortedError,
} from "../../src/index.js";
import { codeOf, flush, idle, named, outcomeOf, recorder, setup, statusOf, track } from "./kernel-fixtures.js";

interface Busy {
  doEverythingThenThrow(): string;
  doEverything(): string;
  tick(): void;
  piped(result: Settled<number>): void;
}

interface Witness {
  asks: Promise<unknown>[];
  children: AnyRef[];
}

/** A trapping actor that records the exit signals it gets. */
function bystanderBehaviour(signals: ExitSignal[]): Behaviour<Record<never, never>, null> {
  return {
    name: "bystander",
    init: () => null,
    handlers: {},
    trapExits: true,
    onExit(_state, signal) {
      signals.push(signal);
    },
  };
}

/** An actor whose handler does one of everything a turn can do, then (optionally) throws. */
function busy(rec: AnyRef, bystander: AnyRef, witness: Witness, thrown: Error): Behaviour<Busy, string> {
  const everything = (ctx: Parameters<Behaviour<Busy, string>["handlers"]["tick"]>[2]) => {
    ctx.setState("changed");
    rec.tell("msg", "told");
    witness.asks.push(rec.ask("msg", "asked"));
    witness.children.push(ctx.spawn(idle("child"), undefined));
    witness.children.push(ctx.spawnLink(idle("linked-child"), undefined));
    ctx.sendAfter(10, "tick");
    ctx.sendInterval(10, "tick");
    ctx.pipe(Promise.resolve(1), "piped");
    ctx.pipe(Promise.reject(new Error("piped failure")), "piped");
    ctx.link(bystander);
    ctx.monitor(bystander);
    ctx.exit(bystander, ExitReasons.shutdown);
  };
  return {
    name: "busy",
    init: () => "initial",
    handlers: {
      doEverythingThenThrow(_state, _payload, ctx) {
        everything(ctx);
        throw thrown;
      },
      doEverything(_state, _payload, ctx) {
        everything(ctx);
        return "ok";
      },
      tick() {},
      piped() {},
    },
  };
}

test("a thrown turn leaves the state and the outbox untouched", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const rec = loop.spawn(recorder(seen), undefined);
  const signals: ExitSignal[] = [];
  const bystander = loop.spawn(bystanderBehaviour(signals), undefined);
  const witness: Witness = { asks: [], children: [] };
  const thrown = new Error("after everything");
  const exits: ExitEvent[] = [];
  loop.onExit((event) => exits.push(event));
  const timersBefore = reactor.pendingTimerCount;
  const ref = loop.spawn(busy(rec, bystander, witness, thrown), undefined);

  const asked = track(ref.ask("doEverythingThenThrow"));
  await flush(reactor);
  reactor.advanceBy(100);
  await flush(reactor);

  // The state is the one before the turn.
  assert.equal(loop.inspect(ref)?.state, "initial");
  // No message reached anyone, and no exit signal reached the (trapping) bystander: neither the
  // explicit one nor, since the link was never made, the crash.
  assert.deepEqual(seen, []);
  assert.deepEqual(signals, []);
  // The ask made in the turn was never sent.
  const inner = await outcomeOf(reactor, witness.asks[0] as Promise<unknown>);
  assert.ok(inner.error instanceof TurnAbortedError);
  assert.equal(codeOf(inner.error), "turn_aborted");
  // The children were stopped (shutdown), and the parent's crash reason is not the linked child's
  // "shutdown": the link was removed before the child was stopped.
  assert.equal(witness.children.length, 2);
  for (const child of witness.children) {
    assert.equal(statusOf(loop, child), "dead");
    assert.deepEqual(loop.inspect(child)?.exitReason, ExitReasons.shutdown);
  }
  // No timer is left, and the piped promises delivered nothing (not even as dead letters).
  assert.equal(reactor.pendingTimerCount, timersBefore);
  assert.equal(loop.deadLetterCount, 0);
  // The crash is visible: the ask, the exit reason and the loop's exit listeners.
  assert.equal(codeOf(asked.error), "crashed");
  assert.equal((asked.error as Error).cause, thrown);
  assert.deepEqual(loop.inspect(ref)?.exitReason, ExitReasons.crash(thrown));
  const ownExit = exits.find((event) => event.ref === ref);
  assert.deepEqual(ownExit?.reason, ExitReasons.crash(thrown));
  assert.equal(loop.inspect(bystander)?.linkCount, 0);
});

test("the same turn, when it returns, applies every effect", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const rec = loop.spawn(recorder(seen), undefined);
  const signals: ExitSignal[] = [];
  const bystander = loop.spawn(bystanderBehaviour(signals), undefined);
  const witness: Witness = { asks: [], children: [] };
  const ref = loop.spawn(busy(rec, bystander, witness, new Error("unused")), undefined);
  const asked = await outcomeOf(reactor, ref.ask("doEverything"));
  assert.equal(asked.value, "ok");
  assert.equal(loop.inspect(ref)?.state, "changed");
  assert.deepEqual(seen, ["told", "asked"]);
  assert.equal((await outcomeOf(reactor, witness.asks[0] as Promise<unknown>)).status, "fulfilled");
  for (const child of witness.children) assert.equal(statusOf(loop, child), "running");
  assert.equal(loop.inspect(ref)?.timerCount, 2);
  assert.equal(loop.inspect(ref)?.linkCount, 2);
  assert.deepEqual(named(signals), named([{ type: "exit", from: ref, reason: ExitReasons.shutdown }]));
  assert.equal(statusOf(loop, ref), "running");
});

test("a thrown turn does not stop the actor with the reason it asked for: the crash wins", async () => {
  const { reactor, loop } = setup();
  interface Quitter {
    quit(): void;
  }
  const thrown = new Error("changed my mind");
  const ref = loop.spawn<Quitter, null, void>(
    {
      init: () => null,
      handlers: {
        quit(_state, _payload, ctx) {
          ctx.stop(ExitReasons.normal);
          throw thrown;
        },
      },
    },
    undefined,
  );
  ref.tell("quit");
  await flush(reactor);
  assert.deepEqual(loop.inspect(ref)?.exitReason, ExitReasons.crash(thrown));
});

test("a reply through a replier in a thrown turn is not sent; the asker learns the actor exited", async () => {
  const { reactor, loop } = setup();
  interface Deferred {
    hold(): number;
    answerThenThrow(value: number): void;
  }
  const ref = loop.spawn<Deferred, Replier<number> | null, void>(
    {
      init: () => null,
      handlers: {
        hold(_state, _payload, ctx) {
          ctx.setState(ctx.replyLater<number>());
          return DEFER;
        },
        answerThenThrow(state, value) {
          state?.reply(value);
          throw new Error("after replying");
        },
      },
    },
    undefined,
  );
  const held = await outcomeOf(reactor, ref.ask("hold"));
  assert.equal(held.status, "pending");
  ref.tell("answerThenThrow", 1);
  await flush(reactor);
  assert.equal(held.status, "rejected");
  assert.equal(codeOf(held.error), "exited");
});

test("a thrown onDown hook crashes the actor and discards its sends and state change", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const rec = loop.spawn(recorder(seen), undefined);
  const target = loop.spawn(idle("target"), undefined);
  const thrown = new Error("bad hook");
  const downs: DownSignal[] = [];
  const watcher = loop.spawn(
    {
      init: (_args: undefined, ctx) => {
        ctx.monitor(target);
        return "before";
      },
      handlers: {},
      onDown(_state: string, signal: DownSignal, ctx) {
        downs.push(signal);
        ctx.setState("after");
        rec.tell("msg", "from hook");
        throw thrown;
      },
    },
    undefined,
  );
  target.tell("stop");
  await flush(reactor);
  assert.equal(downs.length, 1);
  assert.deepEqual(seen, []);
  assert.equal(loop.inspect(watcher)?.state, "before");
  assert.deepEqual(loop.inspect(watcher)?.exitReason, ExitReasons.crash(thrown));
});

test("a child spawned in a thrown turn has sent nothing", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const rec = loop.spawn(recorder(seen), undefined);
  interface Parent {
    spawnThenThrow(): void;
  }
  const child: Behaviour<Record<never, never>, null, AnyRef> = {
    init: (to) => {
      to.tell("msg", "hello from a child that should never have existed");
      return null;
    },
    handlers: {},
  };
  const parent = loop.spawn<Parent, null, void>(
    {
      init: () => null,
      handlers: {
        spawnThenThrow(_state, _payload, ctx) {
          ctx.spawn(child, rec);
          throw new Error("abort");
        },
      },
    },
    undefined,
  );
  parent.tell("spawnThenThrow");
  await flush(reactor);
  assert.deepEqual(seen, []);
});

test("a child's init sends join the spawning turn, in order with the parent's own sends", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const rec = loop.spawn(recorder(seen), undefined);
  const child: Behaviour<Record<never, never>, null, AnyRef> = {
    init: (to) => {
      to.tell("msg", "child init");
      return null;
    },
    handlers: {},
  };
  interface Parent {
    go(): void;
  }
  const parent = loop.spawn<Parent, null, void>(
    {
      init: () => null,
      handlers: {
        go(_state, _payload, ctx) {
          rec.tell("msg", "before");
          ctx.spawn(child, rec);
          rec.tell("msg", "after");
        },
      },
    },
    undefined,
  );
  parent.call("go");
  await flush(reactor);
  assert.deepEqual(seen, ["before", "child init", "after"]);
});

test("loop.spawn inside a turn that then throws leaves no half-started actor", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const rec = loop.spawn(recorder(seen), undefined);
  interface Ticker {
    tick(): void;
  }
  const ticker: Behaviour<Ticker, null> = {
    init: (_args, ctx) => {
      rec.tell("msg", "child init");
      ctx.sendInterval(10, "tick");
      return null;
    },
    handlers: { tick() {} },
  };
  let child: AnyRef | undefined;
  interface Parent {
    go(): void;
  }
  const parent = loop.spawn<Parent, null, void>(
    {
      init: () => null,
      handlers: {
        go() {
          // Not ctx.spawn: the loop itself, as a library holding the loop might do.
          child = loop.spawn(ticker);
          throw new Error("after spawning");
        },
      },
    },
    undefined,
  );
  parent.tell("go");
  await flush(reactor);
  assert.ok(child !== undefined);
  const info = loop.inspect(child);
  // Either the child went with the turn, or it is whole: its init's send and timer happened.
  if (info?.status !== "dead") {
    assert.deepEqual(seen, ["child init"]);
    assert.equal(info?.timerCount, 1);
  }
});
