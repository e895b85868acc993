import assert from "node:assert/strict";
import { test } from "node:test";
import type { AnyRef, Behaviour } from "../../src/index.js";
import { flush, outcomeOf, recorder, setup } from "./kernel-fixtures.js";

test("messages from one outside sender arrive in the order they were sent", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const ref = loop.spawn(recorder(seen), undefined);
  for (let i = 0; i < 200; i++) ref.tell("msg", i);
  await flush(reactor);
  assert.deepEqual(
    seen,
    Array.from({ length: 200 }, (_, i) => i),
  );
});

test("tells and asks an actor sends in one turn arrive in the order they were made", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const rec = loop.spawn(recorder(seen), undefined);
  interface Sender {
    burst(n: number): void;
  }
  const sender = loop.spawn<Sender, null, void>(
    {
      init: () => null,
      handlers: {
        burst(_state, n) {
          for (let i = 0; i < n; i++) {
            if (i % 3 === 0) void rec.ask("msg", i);
            else rec.tell("msg", i);
          }
        },
      },
    },
    undefined,
  );
  sender.tell("burst", 30);
  sender.tell("burst", 3);
  await flush(reactor);
  assert.deepEqual(seen, [...Array.from({ length: 30 }, (_, i) => i), 0, 1, 2]);
});

test("a message sent to an actor during its own turn is handled after that turn (run to completion)", async () => {
  const { reactor, loop } = setup();
  const trace: string[] = [];
  interface Echo {
    poke(who: AnyRef): void;
  }
  const echo = loop.spawn<Echo, null, void>(
    { init: () => null, handlers: { poke: (_s, who) => who.tell("ping") } },
    undefined,
  );
  interface Worker {
    work(): void;
    ping(): void;
  }
  const worker = loop.spawn<Worker, null, void>(
    {
      init: () => null,
      handlers: {
        work(_state, _payload, ctx) {
          trace.push("work:start");
          // The echo's turn commits at once and tells us "ping" while we are still in our turn.
          echo.call("poke", ctx.self);
          trace.push("work:end");
        },
        ping() {
          trace.push("ping");
        },
      },
    },
    undefined,
  );
  worker.tell("work");
  worker.tell("work");
  await flush(reactor);
  assert.deepEqual(trace, ["work:start", "work:end", "work:start", "work:end", "ping", "ping"]);
});

test("a busy actor yields to the next actor after actorThroughput messages", async () => {
  const { reactor, loop } = setup({ actorThroughput: 2 });
  const trace: unknown[] = [];
  const a = loop.spawn(recorder(trace, "a"), undefined);
  const b = loop.spawn(recorder(trace, "b"), undefined);
  for (let i = 1; i <= 5; i++) a.tell("msg", `a${i}`);
  for (let i = 1; i <= 3; i++) b.tell("msg", `b${i}`);
  await flush(reactor);
  assert.deepEqual(trace, ["a1", "a2", "b1", "b2", "a3", "a4", "b3", "a5"]);
});

test("the loop yields to other tasks after drainBudget messages", async () => {
  const { reactor, loop } = setup({ drainBudget: 4, actorThroughput: 2 });
  const seen: unknown[] = [];
  const a = loop.spawn(recorder(seen), undefined);
  const b = loop.spawn(recorder(seen), undefined);
  for (let i = 0; i < 5; i++) {
    a.tell("msg", i);
    b.tell("msg", i);
  }
  // A task queued behind the first drain runs before the loop goes on draining.
  let handledWhenOtherTaskRan = -1;
  reactor.defer(() => {
    handledWhenOtherTaskRan = seen.length;
  });
  reactor.runUntilIdle({ maxSteps: 1 });
  assert.equal(seen.length, 4);
  reactor.runUntilIdle({ maxSteps: 1 });
  assert.equal(handledWhenOtherTaskRan, 4);
  reactor.runUntilIdle({ maxSteps: 1 });
  assert.equal(seen.length, 8);
  await flush(reactor);
  assert.equal(seen.length, 10);
});

test("one busy actor cannot make the loop exceed drainBudget in one task", () => {
  const { reactor, loop } = setup({ drainBudget: 3 });
  const seen: unknown[] = [];
  const ref = loop.spawn(recorder(seen), undefined);
  for (let i = 0; i < 10; i++) ref.tell("msg", i);
  reactor.runUntilIdle({ maxSteps: 1 });
  assert.equal(seen.length, 3);
});

test("an actor's messages to itself keep their order behind messages already queued", async () => {
  const { reactor, loop } = setup();
  interface Self {
    step(n: number): void;
    log(): readonly number[];
  }
  const behaviour: Behaviour<Self, readonly number[]> = {
    init: () => [],
    handlers: {
      step(state, n, ctx) {
        ctx.setState([...state, n]);
        if (n < 3) ctx.self.tell("step", n + 10);
      },
      log: (state) => state,
    },
  };
  const ref = loop.spawn(behaviour, undefined);
  ref.tell("step", 1);
  ref.tell("step", 2);
  const log = await outcomeOf(reactor, ref.ask("log"));
  // "log" was queued before the self-sends, so it sees only 1 and 2.
  assert.deepEqual(log.value, [1, 2]);
  const later = await outcomeOf(reactor, ref.ask("log"));
  assert.deepEqual(later.value, [1, 2, 11, 12]);
});
