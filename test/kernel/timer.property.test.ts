import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type AnyRef, type Behaviour, ExitReasons, type Loop, type Ref, type TimerRef } from "../../src/index.js";
import type { VirtualReactor } from "../../src/testing.js";
import { flush, setup } from "./kernel-fixtures.js";

interface Arm {
  readonly repeat: boolean;
  readonly ms: number;
}

interface Clock {
  arm(arm: Arm): void;
  armThenThrow(arm: Arm): void;
  cancel(index: number): void;
  spawnLinked(): AnyRef;
  tick(): void;
  stop(): void;
  crash(): void;
}

function clock(armInTerminate: boolean): Behaviour<Clock, readonly TimerRef[]> {
  return {
    name: "clock",
    init: () => [],
    handlers: {
      arm(state, arm, ctx) {
        ctx.setState([...state, arm.repeat ? ctx.sendInterval(arm.ms, "tick") : ctx.sendAfter(arm.ms, "tick")]);
      },
      armThenThrow(state, arm, ctx) {
        ctx.setState([...state, arm.repeat ? ctx.sendInterval(arm.ms, "tick") : ctx.sendAfter(arm.ms, "tick")]);
        throw new Error("armed, then failed");
      },
      cancel(state, index, ctx) {
        const timer = state[index % Math.max(1, state.length)];
        if (timer !== undefined) ctx.cancelTimer(timer);
      },
      spawnLinked: (_state, _payload, ctx) => ctx.spawnLink(clock(armInTerminate), undefined),
      tick() {},
      stop(_state, _payload, ctx) {
        ctx.stop();
      },
      crash() {
        throw new Error("clock crashed");
      },
    },
    terminate(_state, _reason, ctx) {
      if (armInTerminate) {
        ctx.sendAfter(5, "tick");
        ctx.sendInterval(5, "tick");
      }
    },
  };
}

const arm = fc.record({ repeat: fc.boolean(), ms: fc.integer({ min: 0, max: 60 }) });

type Death = "stop" | "crash" | "callCrash" | "kill" | "shutdown" | "armThenThrow";

const command = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("arm" as const), actor: fc.nat(), arm, viaCall: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), actor: fc.nat(), index: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("spawn" as const),
      linkedTo: fc.option(fc.nat(), { nil: undefined }),
      armInTerminate: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("die" as const),
      actor: fc.nat(),
      how: fc.constantFrom<Death>("stop", "crash", "callCrash", "kill", "shutdown", "armThenThrow"),
      arm,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("step" as const), steps: fc.nat(3) }) },
);

/** The reactor's live timers must be exactly the live actors' timers (no asks, so no wheel timer). */
function assertTimersBelongToLiveActors(loop: Loop, reactor: VirtualReactor, refs: readonly AnyRef[], when: string) {
  let owned = 0;
  for (const ref of refs) {
    const info = loop.inspect(ref);
    if (info?.status !== "dead") owned += info?.timerCount ?? 0;
    else assert.equal(info.timerCount, 0, `dead ${info.description} still holds timers ${when}`);
  }
  assert.equal(reactor.pendingTimerCount, owned, `reactor timers vs actors' timers ${when}`);
}

function kill(loop: Loop, ref: Ref<Clock>, how: Death, armArgs: Arm): void {
  switch (how) {
    case "stop":
      ref.tell("stop");
      break;
    case "crash":
      ref.tell("crash");
      break;
    case "callCrash":
      assert.throws(() => ref.call("crash"));
      break;
    case "kill":
      loop.exit(ref, ExitReasons.killed);
      break;
    case "shutdown":
      loop.exit(ref, ExitReasons.shutdown);
      break;
    case "armThenThrow":
      ref.tell("armThenThrow", armArgs);
      break;
  }
}

test("property: no timer survives its actor, however the actor dies", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: 4, maxLength: 40, size: "max" }), async (commands) => {
      const { reactor, loop } = setup();
      const baseline = reactor.pendingTimerCount;
      const refs: Ref<Clock>[] = [loop.spawn(clock(false), undefined)];
      const live = () => refs.filter((ref) => loop.inspect(ref)?.status !== "dead");
      const pick = (index: number) => {
        const alive = live();
        return alive.length === 0 ? undefined : alive[index % alive.length];
      };
      commands.forEach((c, i) => {
        switch (c.kind) {
          case "arm": {
            const ref = pick(c.actor);
            if (ref === undefined) break;
            if (c.viaCall) ref.call("arm", c.arm);
            else ref.tell("arm", c.arm);
            break;
          }
          case "cancel":
            pick(c.actor)?.tell("cancel", c.index);
            break;
          case "spawn": {
            const parent = c.linkedTo === undefined ? undefined : pick(c.linkedTo);
            refs.push(
              parent === undefined
                ? loop.spawn(clock(c.armInTerminate), undefined)
                : (parent.call("spawnLinked") as Ref<Clock>),
            );
            break;
          }
          case "die": {
            const ref = pick(c.actor);
            if (ref !== undefined) kill(loop, ref, c.how, c.arm);
            break;
          }
          case "advance":
            reactor.advanceBy(c.ms);
            break;
          case "step":
            reactor.runUntilIdle({ maxSteps: c.steps });
            break;
        }
        assertTimersBelongToLiveActors(loop, reactor, refs, `after command ${i} (${c.kind})`);
      });
      await flush(reactor);
      assertTimersBelongToLiveActors(loop, reactor, refs, "at the end");
      loop.shutdown();
      assert.equal(reactor.pendingTimerCount, baseline);
      assert.equal(live().length, 0);
    }),
    { seed: 31_337, numRuns: 150 },
  );
});
