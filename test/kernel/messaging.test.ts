import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ActorCrashedError,
  ActorDeadError,
  ActorExitedError,
  type AnyRef,
  ASK_TIMEOUT_MS_DEFAULT,
  BadMessageError,
  type Behaviour,
  DEFER,
  type DeadLetter,
  ExitReasons,
  type Replier,
  TIMEOUT_RESOLUTION_MS,
  TimeoutError,
} from "../../src/index.js";
import { codeOf, counter, flush, holder, outcomeOf, recorder, setup, statusOf, track } from "./kernel-fixtures.js";

test("tell delivers the payload to the handler on a later task, not synchronously", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const ref = loop.spawn(recorder(seen), undefined);
  ref.tell("msg", { text: "hello" });
  assert.deepEqual(seen, []);
  await flush(reactor);
  assert.deepEqual(seen, [{ text: "hello" }]);
});

test("ask settles with the handler's return value", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(counter, 41);
  ref.tell("add", 1);
  const reply = track(ref.ask("get"));
  const ack = track(ref.ask("add", 0));
  await flush(reactor);
  assert.equal(reply.status, "fulfilled");
  assert.equal(reply.value, 42);
  assert.equal(ack.status, "fulfilled");
  assert.equal(ack.value, undefined);
});

test("ask rejects with a TimeoutError after the given timeoutMs, not before", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(holder(), undefined);
  const ask = track(ref.ask("hold", undefined, { timeoutMs: 100 }));
  reactor.advanceBy(99);
  await flush(reactor);
  assert.equal(ask.status, "pending");
  reactor.advanceBy(1 + TIMEOUT_RESOLUTION_MS);
  await flush(reactor);
  assert.equal(ask.status, "rejected");
  assert.ok(ask.error instanceof TimeoutError);
  assert.equal(codeOf(ask.error), "timeout");
  assert.match((ask.error as Error).message, /"hold"/);
});

test("ask times out after the loop's askTimeoutMs when no timeout is given", async () => {
  const { reactor, loop } = setup({ askTimeoutMs: 300 });
  const ref = loop.spawn(holder(), undefined);
  const ask = track(ref.ask("hold"));
  reactor.advanceBy(299);
  await flush(reactor);
  assert.equal(ask.status, "pending");
  reactor.advanceBy(1 + TIMEOUT_RESOLUTION_MS);
  await flush(reactor);
  assert.ok(ask.error instanceof TimeoutError);
});

test("the default askTimeoutMs is ASK_TIMEOUT_MS_DEFAULT", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(holder(), undefined);
  const ask = track(ref.ask("hold"));
  reactor.advanceBy(ASK_TIMEOUT_MS_DEFAULT - 1);
  await flush(reactor);
  assert.equal(ask.status, "pending");
  reactor.advanceBy(1 + TIMEOUT_RESOLUTION_MS);
  await flush(reactor);
  assert.ok(ask.error instanceof TimeoutError);
});

test("an ask made between two wheel ticks times out within TIMEOUT_RESOLUTION_MS after its deadline, never before", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(holder(), undefined);
  reactor.advanceBy(5);
  const ask = track(ref.ask("hold", undefined, { timeoutMs: 96 }));
  // Deadline 101: pending at 100, rejected by 111.
  reactor.advanceBy(95);
  await flush(reactor);
  assert.equal(ask.status, "pending");
  reactor.advanceBy(1 + TIMEOUT_RESOLUTION_MS);
  await flush(reactor);
  assert.ok(ask.error instanceof TimeoutError);
});

test("asks made at many offsets time out within one resolution after their deadlines", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(holder(), undefined);
  const asks: Array<{ deadlineMs: number; firedAtMs: number | null }> = [];
  for (let i = 0; i < 40; i++) {
    const entry = { deadlineMs: reactor.nowMs() + 7 + i, firedAtMs: null as number | null };
    asks.push(entry);
    ref.ask("hold", undefined, { timeoutMs: 7 + i }).catch(() => {
      entry.firedAtMs = reactor.nowMs();
    });
    // Step one millisecond at a time, so the time a rejection is seen is the time it fired.
    for (let t = 0; t < 3; t++) {
      reactor.advanceBy(1);
      await flush(reactor);
    }
  }
  for (let t = 0; t < 100; t++) {
    reactor.advanceBy(1);
    await flush(reactor);
  }
  for (const { deadlineMs, firedAtMs } of asks) {
    assert.ok(firedAtMs !== null);
    assert.ok(firedAtMs >= deadlineMs, `fired at ${firedAtMs}, before its deadline ${deadlineMs}`);
    assert.ok(firedAtMs < deadlineMs + TIMEOUT_RESOLUTION_MS, `fired at ${firedAtMs}, deadline ${deadlineMs}`);
  }
});

test("an ask with timeoutMs 0 times out at the next tick; a negative or NaN timeoutMs is refused", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(holder(), undefined);
  const keepWheelRunning = track(ref.ask("hold", undefined, { timeoutMs: 10_000 }));
  reactor.advanceBy(20);
  const zero = track(ref.ask("hold", undefined, { timeoutMs: 0 }));
  const refused = [-5, Number.NaN, Number.POSITIVE_INFINITY].map((timeoutMs) =>
    track(ref.ask("hold", undefined, { timeoutMs })),
  );
  await flush(reactor);
  for (const ask of refused) assert.ok(ask.error instanceof RangeError, String(ask.error));
  reactor.advanceBy(TIMEOUT_RESOLUTION_MS);
  await flush(reactor);
  assert.ok(zero.error instanceof TimeoutError);
  assert.equal(keepWheelRunning.status, "pending");
});

test("a late reply after a timeout is ignored: the ask settles once, with the TimeoutError", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(holder(), undefined);
  const ask = track(ref.ask("hold", undefined, { timeoutMs: 50 }));
  reactor.advanceBy(50 + TIMEOUT_RESOLUTION_MS);
  ref.tell("release", 7);
  await flush(reactor);
  assert.equal(ask.settlements, 1);
  assert.ok(ask.error instanceof TimeoutError);
});

test("an ask to a dead actor rejects with ActorDeadError (noproc)", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(counter, 0);
  loop.exit(ref, ExitReasons.shutdown);
  const ask = track(ref.ask("get"));
  await flush(reactor);
  assert.ok(ask.error instanceof ActorDeadError);
  assert.equal(codeOf(ask.error), "noproc");
});

test("an ask queued when the actor stops rejects with ActorExitedError", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(holder(), undefined);
  ref.tell("stop");
  const queued = track(ref.ask("count"));
  await flush(reactor);
  assert.ok(queued.error instanceof ActorExitedError);
  assert.equal(codeOf(queued.error), "exited");
  const other = loop.spawn(holder(), undefined);
  const queued2 = track(other.ask("count"));
  loop.exit(other, ExitReasons.shutdown);
  await flush(reactor);
  assert.equal(codeOf(queued2.error), "exited");
});

test("an ask whose handler throws rejects with ActorCrashedError whose cause is the thrown error", async () => {
  const { reactor, loop } = setup();
  const thrown = new RangeError("out of range");
  interface Fragile {
    explode(): number;
  }
  const ref = loop.spawn<Fragile, null, void>(
    {
      init: () => null,
      handlers: {
        explode() {
          throw thrown;
        },
      },
    },
    undefined,
  );
  const ask = track(ref.ask("explode"));
  await flush(reactor);
  assert.ok(ask.error instanceof ActorCrashedError);
  assert.equal(codeOf(ask.error), "crashed");
  assert.equal((ask.error as Error).cause, thrown);
  assert.equal(statusOf(loop, ref), "dead");
  assert.deepEqual(loop.inspect(ref)?.exitReason, ExitReasons.crash(thrown));
});

test("replyLater and DEFER let a later turn reply", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(holder(), undefined);
  const first = track(ref.ask("hold"));
  const second = track(ref.ask("hold"));
  await flush(reactor);
  assert.equal(first.status, "pending");
  assert.equal((await outcomeOf(reactor, ref.ask("count"))).value, 2);
  ref.tell("release", 9);
  await flush(reactor);
  assert.equal(first.value, 9);
  assert.equal(second.value, 9);
});

test("a replier's fail rejects the ask with the given error", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(holder(), undefined);
  const ask = track(ref.ask("hold"));
  ref.tell("fail", "not today");
  await flush(reactor);
  assert.equal(ask.status, "rejected");
  assert.equal((ask.error as Error).message, "not today");
  assert.equal(statusOf(loop, ref), "running");
});

test("a replier settles once: later replies and failures are ignored", async () => {
  const { reactor, loop } = setup();
  let kept: Replier<number> | undefined;
  interface Once {
    hold(): number;
  }
  const ref = loop.spawn<Once, null, void>(
    {
      init: () => null,
      handlers: {
        hold(_state, _payload, ctx) {
          kept = ctx.replyLater<number>();
          return DEFER;
        },
      },
    },
    undefined,
  );
  const ask = track(ref.ask("hold"));
  await flush(reactor);
  kept?.reply(1);
  kept?.reply(2);
  kept?.fail(new Error("too late"));
  await flush(reactor);
  assert.equal(ask.settlements, 1);
  assert.equal(ask.value, 1);
});

test("an actor that stops with a pending replier rejects the ask with ActorExitedError", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(holder(), undefined);
  const held = track(ref.ask("hold"));
  await flush(reactor);
  ref.tell("stop");
  await flush(reactor);
  assert.ok(held.error instanceof ActorExitedError);
  const killed = loop.spawn(holder(), undefined);
  const held2 = track(killed.ask("hold"));
  await flush(reactor);
  loop.exit(killed, ExitReasons.killed);
  await flush(reactor);
  assert.equal(codeOf(held2.error), "exited");
});

test("a handler that returns DEFER without calling replyLater crashes its actor", async () => {
  const { reactor, loop } = setup();
  interface Liar {
    later(): number;
  }
  const ref = loop.spawn<Liar, null, void>({ init: () => null, handlers: { later: () => DEFER } }, undefined);
  const ask = track(ref.ask("later"));
  await flush(reactor);
  assert.ok(ask.error instanceof ActorCrashedError);
  assert.ok((ask.error as Error).cause instanceof BadMessageError);
  assert.equal(statusOf(loop, ref), "dead");
});

test("a tell to a handler that defers does not crash the actor (its replier does nothing)", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(holder(), undefined);
  ref.tell("hold");
  await flush(reactor);
  assert.equal(statusOf(loop, ref), "running");
});

test("an ask with an unknown tag rejects with BadMessageError and the actor keeps running", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(counter, 1);
  // biome-ignore lint/suspicious/noExplicitAny: an unknown tag on purpose.
  const ask = track((ref as AnyRef).ask("nonsense" as any, 1));
  await flush(reactor);
  assert.ok(ask.error instanceof BadMessageError);
  assert.equal(codeOf(ask.error), "bad_message");
  assert.equal(statusOf(loop, ref), "running");
  assert.equal((await outcomeOf(reactor, ref.ask("get"))).value, 1);
});

test("a tell with an unknown tag is a no_handler dead letter and the actor keeps running", async () => {
  const { reactor, loop } = setup();
  const letters: DeadLetter[] = [];
  loop.onDeadLetter((letter) => letters.push(letter));
  const ref = loop.spawn(counter, 1);
  // biome-ignore lint/suspicious/noExplicitAny: an unknown tag on purpose.
  (ref as AnyRef).tell("nonsense" as any, 1);
  await flush(reactor);
  assert.deepEqual(letters, [{ to: loop.inspect(ref)?.description, tag: "nonsense", why: "no_handler" }]);
  assert.equal(statusOf(loop, ref), "running");
  assert.equal(loop.inspect(ref)?.messagesHandled, 0);
});

test("tags inherited from Object.prototype are unknown tags, not handlers", async () => {
  const { reactor, loop } = setup();
  const ref = loop.spawn(counter, 1) as AnyRef;
  const leak = track(ref.ask("constructor"));
  const crash = track(ref.ask("valueOf"));
  const probe = track(ref.ask("hasOwnProperty", "n"));
  await flush(reactor);
  assert.ok(leak.error instanceof BadMessageError, `"constructor" replied ${JSON.stringify(leak.value)}`);
  assert.ok(crash.error instanceof BadMessageError, `"valueOf" gave ${crash.error}`);
  assert.ok(probe.error instanceof BadMessageError);
  assert.equal(statusOf(loop, ref), "running");
});

test("a tell to a dead actor is a dead letter", async () => {
  const { reactor, loop } = setup();
  const letters: DeadLetter[] = [];
  loop.onDeadLetter((letter) => letters.push(letter));
  const ref = loop.spawn(counter, 1);
  loop.exit(ref, ExitReasons.shutdown);
  ref.tell("add", 1);
  await flush(reactor);
  assert.equal(loop.deadLetterCount, 1);
  assert.equal(letters[0]?.why, "dead");
  assert.equal(letters[0]?.tag, "add");
});

test("an actor can ask another actor from a turn and receive the reply as a later message", async () => {
  const { reactor, loop } = setup();
  const target = loop.spawn(counter, 10);
  interface Client {
    go(): void;
    got(n: number): void;
  }
  const seen: number[] = [];
  const client: Behaviour<Client, null, AnyRef> = {
    init: () => null,
    handlers: {
      go(_state, _payload, ctx) {
        (target as typeof target).ask("get").then((n) => ctx.self.tell("got", n));
      },
      got(_state, n) {
        seen.push(n);
      },
    },
  };
  const ref = loop.spawn(client, target);
  ref.tell("go");
  await flush(reactor);
  assert.deepEqual(seen, [10]);
});
