import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AnyRef,
  BadMessageError,
  type Behaviour,
  createLoop,
  type ExitReason,
  ExitReasons,
  type ExitSignal,
} from "../../src/index.js";
import { codeOf, flush, idle, named, recorder, setup, statusOf, track } from "./kernel-fixtures.js";

interface Linker {
  link(ref: AnyRef): void;
  unlink(ref: AnyRef): void;
  exitOther(args: { ref: AnyRef; reason: ExitReason }): void;
  trap(on: boolean): void;
  spawnLinked(): AnyRef;
  crash(): void;
  stop(): void;
}

/** An actor that links, traps and sends exit signals on request, and records trapped exits. */
function linker(signals: ExitSignal[] = [], trapExits = false, name = "linker"): Behaviour<Linker, null> {
  return {
    name,
    init: () => null,
    trapExits,
    handlers: {
      link(_state, ref, ctx) {
        ctx.link(ref);
      },
      unlink(_state, ref, ctx) {
        ctx.unlink(ref);
      },
      exitOther(_state, { ref, reason }, ctx) {
        ctx.exit(ref, reason);
      },
      trap(_state, on, ctx) {
        ctx.trapExits(on);
      },
      spawnLinked: (_state, _payload, ctx) => ctx.spawnLink(idle("child"), undefined),
      crash() {
        throw new Error("linker crashed");
      },
      stop(_state, _payload, ctx) {
        ctx.stop();
      },
    },
    onExit(_state, signal) {
      signals.push(signal);
    },
  };
}

test("an abnormal exit propagates over a link with the same reason", async () => {
  const { reactor, loop } = setup();
  const a = loop.spawn(linker(), undefined);
  const b = loop.spawn(idle("b"), undefined);
  a.call("link", b);
  assert.equal(loop.inspect(a)?.linkCount, 1);
  assert.equal(loop.inspect(b)?.linkCount, 1);
  b.tell("crash", "b failed");
  await flush(reactor);
  assert.equal(statusOf(loop, a), "dead");
  const reason = loop.inspect(a)?.exitReason;
  assert.equal(reason?.type, "crash");
  assert.deepEqual(reason, loop.inspect(b)?.exitReason);
});

test("links are two-way: the linking actor's crash takes the linked one down", async () => {
  const { reactor, loop } = setup();
  const a = loop.spawn(linker(), undefined);
  const b = loop.spawn(idle("b"), undefined);
  a.call("link", b);
  a.tell("crash");
  await flush(reactor);
  assert.equal(statusOf(loop, b), "dead");
  assert.equal(loop.inspect(b)?.exitReason?.type, "crash");
});

test("a normal exit does not propagate over a link, and the link is gone", async () => {
  const { reactor, loop } = setup();
  const a = loop.spawn(linker(), undefined);
  const b = loop.spawn(idle("b"), undefined);
  a.call("link", b);
  b.tell("stop");
  await flush(reactor);
  assert.equal(statusOf(loop, a), "running");
  assert.equal(loop.inspect(a)?.linkCount, 0);
});

test("a shutdown exit propagates over a link", () => {
  const { loop } = setup();
  const a = loop.spawn(linker(), undefined);
  const b = loop.spawn(idle("b"), undefined);
  a.call("link", b);
  loop.exit(b, ExitReasons.shutdown);
  assert.deepEqual(loop.inspect(a)?.exitReason, ExitReasons.shutdown);
});

test("a trapping actor receives a linked actor's exit at onExit and keeps running", async () => {
  const { reactor, loop } = setup();
  const signals: ExitSignal[] = [];
  const a = loop.spawn(linker(signals, true), undefined);
  const b = loop.spawn(idle("b"), undefined);
  const c = loop.spawn(idle("c"), undefined);
  a.call("link", b);
  a.call("link", c);
  b.tell("crash", "b failed");
  c.tell("stop");
  await flush(reactor);
  assert.equal(statusOf(loop, a), "running");
  assert.equal(signals.length, 2);
  assert.equal(signals[0]?.type, "exit");
  assert.equal(signals[0]?.from, b);
  assert.equal(signals[0]?.reason.type, "crash");
  assert.deepEqual(named(signals[1]), named({ type: "exit", from: c, reason: ExitReasons.normal }));
});

test("trapping can be switched on at run time with ctx.trapExits", async () => {
  const { reactor, loop } = setup();
  const signals: ExitSignal[] = [];
  const a = loop.spawn(linker(signals), undefined);
  const b = loop.spawn(idle("b"), undefined);
  a.call("link", b);
  a.call("trap", true);
  assert.equal(loop.inspect(a)?.trapExits, true);
  b.tell("crash", "b failed");
  await flush(reactor);
  assert.equal(statusOf(loop, a), "running");
  assert.equal(signals.length, 1);
});

test("spawn's trapExits option overrides the behaviour's", () => {
  const { loop } = setup();
  const a = loop.spawn(linker([], true), undefined, { trapExits: false });
  assert.equal(loop.inspect(a)?.trapExits, false);
});

test("an explicit exit(ref, killed) cannot be trapped and skips terminate", () => {
  const { loop } = setup();
  const signals: ExitSignal[] = [];
  let terminated = false;
  const target = loop.spawn(
    {
      ...linker(signals, true),
      terminate() {
        terminated = true;
      },
    },
    undefined,
  );
  const killer = loop.spawn(linker(), undefined);
  killer.call("exitOther", { ref: target, reason: ExitReasons.killed });
  assert.equal(statusOf(loop, target), "dead");
  assert.deepEqual(loop.inspect(target)?.exitReason, ExitReasons.killed);
  assert.deepEqual(signals, []);
  assert.equal(terminated, false);
  const other = loop.spawn(linker(signals, true), undefined);
  loop.exit(other, ExitReasons.killed);
  assert.equal(statusOf(loop, other), "dead");
});

test("a killed actor's links get reason killed, which a trapping actor can trap", async () => {
  const { reactor, loop } = setup();
  const signals: ExitSignal[] = [];
  const trapper = loop.spawn(linker(signals, true), undefined);
  const victim = loop.spawn(idle("victim"), undefined);
  trapper.call("link", victim);
  loop.exit(victim, ExitReasons.killed);
  await flush(reactor);
  assert.equal(statusOf(loop, trapper), "running");
  assert.deepEqual(named(signals), named([{ type: "exit", from: victim, reason: ExitReasons.killed }]));
});

test("an explicit exit signal to a trapping actor arrives at onExit from the sender", async () => {
  const { reactor, loop } = setup();
  const signals: ExitSignal[] = [];
  const target = loop.spawn(linker(signals, true), undefined);
  const sender = loop.spawn(linker(), undefined);
  sender.call("exitOther", { ref: target, reason: ExitReasons.shutdown });
  await flush(reactor);
  assert.equal(statusOf(loop, target), "running");
  assert.deepEqual(named(signals), named([{ type: "exit", from: sender, reason: ExitReasons.shutdown }]));
});

test("an explicit exit(ref, normal) to a non-trapping actor is ignored; any other reason stops it", () => {
  const { loop } = setup();
  const target = loop.spawn(idle("target"), undefined);
  const sender = loop.spawn(linker(), undefined);
  sender.call("exitOther", { ref: target, reason: ExitReasons.normal });
  assert.equal(statusOf(loop, target), "running");
  sender.call("exitOther", { ref: target, reason: { type: "shutdown", detail: "bye" } });
  assert.deepEqual(loop.inspect(target)?.exitReason, { type: "shutdown", detail: "bye" });
});

test("linking to a dead actor stops a non-trapping actor with noproc", () => {
  const { loop } = setup();
  const dead = loop.spawn(idle("dead"), undefined);
  loop.exit(dead, ExitReasons.shutdown);
  const a = loop.spawn(linker(), undefined);
  a.call("link", dead);
  assert.deepEqual(loop.inspect(a)?.exitReason, ExitReasons.noproc);
});

test("linking to a dead actor delivers noproc to a trapping actor's onExit", async () => {
  const { reactor, loop } = setup();
  const dead = loop.spawn(idle("dead"), undefined);
  loop.exit(dead, ExitReasons.shutdown);
  const signals: ExitSignal[] = [];
  const a = loop.spawn(linker(signals, true), undefined);
  a.call("link", dead);
  await flush(reactor);
  assert.equal(statusOf(loop, a), "running");
  assert.deepEqual(named(signals), named([{ type: "exit", from: dead, reason: ExitReasons.noproc }]));
  assert.equal(loop.inspect(a)?.linkCount, 0);
});

test("spawnLink links the child and the parent both ways", async () => {
  const { reactor, loop } = setup();
  const parent = loop.spawn(linker(), undefined);
  const child = parent.call("spawnLinked");
  assert.equal(loop.inspect(parent)?.linkCount, 1);
  assert.equal(loop.inspect(child)?.linkCount, 1);
  child.tell("crash", "child failed");
  await flush(reactor);
  assert.equal(loop.inspect(parent)?.exitReason?.type, "crash");

  const parent2 = loop.spawn(linker(), undefined);
  const child2 = parent2.call("spawnLinked");
  parent2.tell("crash");
  await flush(reactor);
  assert.equal(loop.inspect(child2)?.exitReason?.type, "crash");
});

test("unlink stops the propagation", async () => {
  const { reactor, loop } = setup();
  const a = loop.spawn(linker(), undefined);
  const b = loop.spawn(idle("b"), undefined);
  a.call("link", b);
  a.call("unlink", b);
  assert.equal(loop.inspect(b)?.linkCount, 0);
  b.tell("crash", "alone");
  await flush(reactor);
  assert.equal(statusOf(loop, a), "running");
});

test("a link to an actor on another loop is refused with BadMessageError", () => {
  const { reactor, loop } = setup();
  const other = createLoop({ reactor, name: "other" });
  const far = other.spawn(idle("far"), undefined);
  const a = loop.spawn(linker(), undefined);
  assert.throws(
    () => a.call("link", far),
    (error: unknown) => (error as Error).cause instanceof BadMessageError,
  );
  assert.equal(loop.inspect(far), undefined);
});

test("a crash propagates along a chain of links", async () => {
  const { reactor, loop } = setup();
  const chain = [0, 1, 2, 3].map((i) => loop.spawn(linker([], false, `n${i}`), undefined));
  for (let i = 0; i < chain.length - 1; i++) chain[i]?.call("link", chain[i + 1] as AnyRef);
  chain[3]?.tell("crash");
  await flush(reactor);
  for (const ref of chain) assert.equal(loop.inspect(ref)?.exitReason?.type, "crash");
});

test("an actor whose linked partner crashes during its turn dies when the turn ends, and the turn is discarded", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const rec = loop.spawn(recorder(seen), undefined);
  const partner = loop.spawn(idle("partner"), undefined);
  interface Caller {
    link(ref: AnyRef): void;
    callThenCarryOn(): string;
  }
  const caller = loop.spawn<Caller, string, void>(
    {
      init: () => "initial",
      handlers: {
        link(_state, ref, ctx) {
          ctx.link(ref);
        },
        callThenCarryOn(_state, _payload, ctx) {
          try {
            partner.call("crash", "partner failed");
          } catch {
            // Carry on as if nothing happened: the link decides.
          }
          ctx.setState("changed");
          rec.tell("msg", "sent after the partner crashed");
          return "carried on";
        },
      },
    },
    undefined,
  );
  caller.call("link", partner);
  const asked = track(caller.ask("callThenCarryOn"));
  await flush(reactor);
  assert.equal(codeOf(asked.error), "exited");
  assert.deepEqual(seen, []);
  assert.equal(loop.inspect(caller)?.state, "initial");
  assert.equal(loop.inspect(caller)?.exitReason?.type, "crash");
  assert.deepEqual(loop.inspect(caller)?.exitReason, loop.inspect(partner)?.exitReason);
});

test("links grow from one to several and back, and an exit signals exactly the actors still linked", async () => {
  const { reactor, loop } = setup();
  const signals: ExitSignal[] = [];
  const hub = loop.spawn(idle("hub"), undefined);
  const [a, b, c] = ["a", "b", "c"].map((name) => loop.spawn(linker(signals, true, name), undefined));
  a!.call("link", hub);
  assert.equal(loop.inspect(hub)?.linkCount, 1);
  a!.call("link", hub); // linking twice is one link
  assert.equal(loop.inspect(hub)?.linkCount, 1);
  b!.call("link", hub);
  c!.call("link", hub);
  assert.equal(loop.inspect(hub)?.linkCount, 3);
  a!.call("unlink", hub);
  c!.call("unlink", hub);
  assert.equal(loop.inspect(hub)?.linkCount, 1, "back to one link");
  assert.equal(loop.inspect(a!)?.linkCount, 0);
  hub.tell("crash", "hub down");
  await flush(reactor);
  assert.deepEqual(
    signals.map((s) => [String(s.from), s.reason.type]),
    [[String(hub), "crash"]],
    "only b, the one still linked, gets the signal",
  );
  assert.equal(loop.inspect(b!)?.linkCount, 0);
});

test("monitors grow from one to several and back: a demonitored one never fires, the others fire once, in order", async () => {
  const { reactor, loop } = setup();
  const target = loop.spawn(idle("target"), undefined);
  const fired: string[] = [];
  const first = loop.monitor(target, () => fired.push("first"));
  loop.monitor(target, () => fired.push("second"));
  loop.monitor(target, () => fired.push("third"));
  loop.demonitor(first);
  target.tell("crash", "down");
  await flush(reactor);
  assert.deepEqual(fired, ["second", "third"]);
  const lone = loop.spawn(idle("lone"), undefined);
  const only = loop.monitor(lone, () => fired.push("lone"));
  loop.demonitor(only);
  lone.tell("crash", "down");
  await flush(reactor);
  assert.deepEqual(fired, ["second", "third"], "a single demonitored monitor never fires");
});
