import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  type ActorContext,
  type AnyRef,
  type Behaviour,
  type ExitReason,
  ExitReasons,
  type ExitSignal,
  type MonitorRef,
  type Settled,
  type TimerRef,
  TurnAbortedError,
} from "../../src/index.js";
import { flush, idle, named, outcomeOf, recorder, setup, track } from "./kernel-fixtures.js";

/** One thing a handler does inside its turn. */
type Op =
  | { readonly op: "setState"; readonly value: number }
  | { readonly op: "tell"; readonly value: number }
  | { readonly op: "ask"; readonly value: number }
  | { readonly op: "spawn"; readonly linked: boolean }
  | { readonly op: "timer"; readonly repeat: boolean; readonly ms: number }
  | { readonly op: "cancelLastTimer" }
  | { readonly op: "pipe"; readonly ok: boolean }
  | { readonly op: "link" }
  | { readonly op: "monitor" }
  | { readonly op: "demonitorLast" }
  | { readonly op: "exit"; readonly normal: boolean }
  | { readonly op: "stop" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("setState" as const), value: fc.integer() }),
  fc.record({ op: fc.constant("tell" as const), value: fc.integer() }),
  fc.record({ op: fc.constant("ask" as const), value: fc.integer() }),
  fc.record({ op: fc.constant("spawn" as const), linked: fc.boolean() }),
  fc.record({ op: fc.constant("timer" as const), repeat: fc.boolean(), ms: fc.integer({ min: 0, max: 50 }) }),
  fc.constant({ op: "cancelLastTimer" as const }),
  fc.record({ op: fc.constant("pipe" as const), ok: fc.boolean() }),
  fc.constant({ op: "link" as const }),
  fc.constant({ op: "monitor" as const }),
  fc.constant({ op: "demonitorLast" as const }),
  fc.record({ op: fc.constant("exit" as const), normal: fc.boolean() }),
  fc.constant({ op: "stop" as const }),
);

interface Actor {
  run(ops: readonly Op[]): string;
  runThenThrow(ops: readonly Op[]): string;
  tick(): void;
  piped(result: Settled<number>): void;
}

/** What the handler did, seen from outside (the actor's state only holds the number). */
interface Witness {
  asks: Promise<unknown>[];
  children: Array<{ ref: AnyRef; linked: boolean }>;
  piped: number;
}

function actor(rec: AnyRef, bystander: AnyRef, witnessOf: () => Witness, thrown: Error): Behaviour<Actor, number> {
  const apply = (ops: readonly Op[], ctx: ActorContext<Actor, number>) => {
    const witness = witnessOf();
    const timers: TimerRef[] = [];
    const monitors: MonitorRef[] = [];
    for (const o of ops) {
      switch (o.op) {
        case "setState":
          ctx.setState(o.value);
          break;
        case "tell":
          rec.tell("msg", o.value);
          break;
        case "ask":
          witness.asks.push(rec.ask("msg", o.value));
          break;
        case "spawn":
          witness.children.push({
            ref: o.linked ? ctx.spawnLink(idle("child")) : ctx.spawn(idle("child")),
            linked: o.linked,
          });
          break;
        case "timer":
          timers.push(o.repeat ? ctx.sendInterval(o.ms, "tick") : ctx.sendAfter(o.ms, "tick"));
          break;
        case "cancelLastTimer": {
          const timer = timers.pop();
          if (timer !== undefined) ctx.cancelTimer(timer);
          break;
        }
        case "pipe":
          ctx.pipe(o.ok ? Promise.resolve(1) : Promise.reject(new Error("piped")), "piped");
          break;
        case "link":
          ctx.link(bystander);
          break;
        case "monitor":
          monitors.push(ctx.monitor(bystander));
          break;
        case "demonitorLast": {
          const monitor = monitors.pop();
          if (monitor !== undefined) ctx.demonitor(monitor);
          break;
        }
        case "exit":
          ctx.exit(bystander, o.normal ? ExitReasons.normal : ExitReasons.shutdown);
          break;
        case "stop":
          ctx.stop();
          break;
      }
    }
    return timers.length;
  };
  return {
    name: "actor",
    init: () => 0,
    handlers: {
      run(_state, ops, ctx) {
        apply(ops, ctx);
        return "done";
      },
      runThenThrow(_state, ops, ctx) {
        apply(ops, ctx);
        throw thrown;
      },
      tick() {},
      piped() {
        witnessOf().piped++;
      },
    },
  };
}

/** A trapping bystander: it records exit signals and never dies of them. */
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

/** The ops that leave the actor running, for the committed prefix turn. */
const prefixOp = op.filter((o) => o.op !== "stop");

test("property: a thrown turn leaves the state and the outbox untouched", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(prefixOp, { maxLength: 10 }),
      fc.array(op, { maxLength: 15 }),
      fc.constantFrom("tell" as const, "ask" as const, "call" as const),
      async (prefix, ops, entry) => {
        const { reactor, loop } = setup();
        const seen: unknown[] = [];
        const rec = loop.spawn(recorder(seen));
        const signals: ExitSignal[] = [];
        const bystander = loop.spawn(bystanderBehaviour(signals));
        const prefixWitness: Witness = { asks: [], children: [], piped: 0 };
        const witness: Witness = { asks: [], children: [], piped: 0 };
        const thrown = new Error("thrown at the end of the turn");
        // The witness is switched after the prefix turn.
        let current = prefixWitness;
        const ref = loop.spawn(actor(rec, bystander, () => current, thrown));

        // A committed prefix turn, so the state and the world are not at their initial values.
        const prefixResult = await outcomeOf(reactor, ref.ask("run", prefix));
        assert.equal(prefixResult.value, "done");
        const stateBefore = loop.inspect(ref)?.state;
        const seenBefore = [...seen];
        const signalsBefore = [...signals];
        const pipedBefore = prefixWitness.piped;
        const linkedBefore = prefix.some((o) => o.op === "link");
        const lettersBefore = loop.deadLetterCount;
        current = witness;

        let entryError: unknown;
        if (entry === "call") {
          try {
            ref.call("runThenThrow", ops);
          } catch (error) {
            entryError = error;
          }
        } else if (entry === "ask") {
          const asked = track(ref.ask("runThenThrow", ops));
          await flush(reactor);
          entryError = asked.error;
        } else ref.tell("runThenThrow", ops);
        await flush(reactor);
        reactor.advanceBy(200);
        await flush(reactor);

        // The crash is visible, with the thrown error.
        assert.deepEqual(loop.inspect(ref)?.exitReason, ExitReasons.crash(thrown));
        if (entry !== "tell") assert.equal((entryError as Error).cause, thrown);
        // The state is the one the prefix committed.
        assert.equal(loop.inspect(ref)?.state, stateBefore);
        // Nothing the thrown turn sent arrived; its asks were never sent.
        assert.deepEqual(seen, seenBefore);
        for (const promise of witness.asks) {
          const outcome = await outcomeOf(reactor, promise);
          assert.ok(outcome.error instanceof TurnAbortedError, String(outcome.error));
        }
        // Its exit signals were not sent, and its links were not made: the bystander hears of the
        // crash only if the prefix linked it.
        const expected: ExitSignal[] = [...signalsBefore];
        if (linkedBefore) expected.push({ type: "exit", from: ref, reason: ExitReasons.crash(thrown) });
        assert.deepEqual(named(signals), named(expected));
        // Its children were stopped with shutdown (not crashed by the parent's exit).
        for (const child of witness.children) {
          assert.deepEqual(loop.inspect(child.ref)?.exitReason, ExitReasons.shutdown);
        }
        // The prefix's children: linked ones died with the parent's crash, the others live on.
        for (const child of prefixWitness.children) {
          const reason: ExitReason | null | undefined = loop.inspect(child.ref)?.exitReason;
          if (child.linked) assert.deepEqual(reason, ExitReasons.crash(thrown));
          else assert.equal(reason, null);
        }
        // No timer is left, no piped result arrived, nothing became a dead letter.
        assert.equal(reactor.pendingTimerCount, 0);
        assert.equal(witness.piped, 0);
        assert.equal(prefixWitness.piped, pipedBefore);
        assert.equal(loop.deadLetterCount, lettersBefore);
      },
    ),
    { seed: 2_718, numRuns: 150 },
  );
});

test("property: a turn that returns applies its effects in order", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(prefixOp, { maxLength: 15 }), async (ops) => {
      const { reactor, loop } = setup();
      const seen: unknown[] = [];
      const rec = loop.spawn(recorder(seen));
      const signals: ExitSignal[] = [];
      const bystander = loop.spawn(bystanderBehaviour(signals));
      const witness: Witness = { asks: [], children: [], piped: 0 };
      const ref = loop.spawn(actor(rec, bystander, () => witness, new Error("unused")));
      assert.equal(ref.call("run", ops), "done");
      await flush(reactor);

      const lastSet = ops.filter((o) => o.op === "setState").at(-1);
      assert.equal(loop.inspect(ref)?.state, lastSet === undefined ? 0 : lastSet.value);
      const sent = ops.filter((o) => o.op === "tell" || o.op === "ask").map((o) => (o as { value: number }).value);
      assert.deepEqual(seen, sent);
      for (const promise of witness.asks) assert.equal((await outcomeOf(reactor, promise)).status, "fulfilled");
      for (const child of witness.children) assert.equal(loop.inspect(child.ref)?.status, "running");
      // Timers: those set, less those cancelled in the same turn, less one-shots already due.
      const timers: Array<{ repeat: boolean; ms: number }> = [];
      for (const o of ops) {
        if (o.op === "timer") timers.push(o);
        if (o.op === "cancelLastTimer") timers.pop();
      }
      assert.equal(loop.inspect(ref)?.timerCount, timers.filter((t) => t.repeat || t.ms > 0).length);
      assert.equal(witness.piped, ops.filter((o) => o.op === "pipe").length);
      // Exit signals reached the trapping bystander, in order, from the actor.
      assert.deepEqual(
        named(signals),
        named(
          ops
            .filter((o) => o.op === "exit")
            .map((o) => ({
              type: "exit",
              from: ref,
              reason: (o as { normal: boolean }).normal ? ExitReasons.normal : ExitReasons.shutdown,
            })),
        ),
      );
      assert.equal(loop.inspect(bystander)?.linkCount, ops.some((o) => o.op === "link") ? 1 : 0);
      assert.equal(loop.inspect(ref)?.status, "running");
    }),
    { seed: 1_618, numRuns: 150 },
  );
});
