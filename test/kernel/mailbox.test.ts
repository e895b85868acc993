import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  type AnyRef,
  type Behaviour,
  type DeadLetter,
  type DownSignal,
  ExitReasons,
  type ExitSignal,
  MAILBOX_LENGTH_MAX_DEFAULT,
  MailboxFullError,
} from "../../src/index.js";
import { Mailbox, resolveMailboxOptions } from "../../src/kernel/mailbox.js";
import { codeOf, flush, idle, outcomeOf, recorder, setup, statusOf, track } from "./kernel-fixtures.js";

test("the default mailbox holds MAILBOX_LENGTH_MAX_DEFAULT messages and then rejects", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const ref = loop.spawn(recorder(seen), undefined);
  for (let i = 0; i < MAILBOX_LENGTH_MAX_DEFAULT; i++) ref.tell("msg", i);
  assert.equal(loop.inspect(ref)?.mailboxLength, MAILBOX_LENGTH_MAX_DEFAULT);
  assert.throws(() => ref.tell("msg", "one too many"), MailboxFullError);
  await flush(reactor);
  assert.equal(seen.length, MAILBOX_LENGTH_MAX_DEFAULT);
  ref.tell("msg", "room again");
  await flush(reactor);
  assert.equal(seen.at(-1), "room again");
});

test("a full reject mailbox makes tell throw MailboxFullError and ask reject with it", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const ref = loop.spawn(recorder(seen), undefined, { mailbox: { lengthMax: 2, overflow: "reject" } });
  ref.tell("msg", 1);
  ref.tell("msg", 2);
  assert.throws(
    () => ref.tell("msg", 3),
    (error: unknown) => error instanceof MailboxFullError && codeOf(error) === "mailbox_full",
  );
  const asked = track(ref.ask("msg", 4));
  await flush(reactor);
  assert.ok(asked.error instanceof MailboxFullError);
  assert.deepEqual(seen, [1, 2]);
  assert.equal(loop.deadLetterCount, 0);
});

test("drop-oldest discards the oldest message; a dropped ask rejects and a dropped tell is a dead letter", async () => {
  const { reactor, loop } = setup();
  const letters: DeadLetter[] = [];
  loop.onDeadLetter((letter) => letters.push(letter));
  const seen: unknown[] = [];
  const ref = loop.spawn(recorder(seen), undefined, { mailbox: { lengthMax: 2, overflow: "drop-oldest" } });
  const firstAsk = track(ref.ask("msg", "ask 1"));
  ref.tell("msg", "tell 2");
  ref.tell("msg", "tell 3");
  ref.tell("msg", "tell 4");
  assert.equal(loop.inspect(ref)?.mailboxLength, 2);
  await flush(reactor);
  assert.deepEqual(seen, ["tell 3", "tell 4"]);
  assert.ok(firstAsk.error instanceof MailboxFullError);
  assert.deepEqual(
    letters.map((l) => [l.tag, l.why]),
    [["msg", "mailbox_full"]],
  );
});

test("drop-newest discards the arriving message: a tell vanishes as a dead letter and an ask rejects", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const ref = loop.spawn(recorder(seen), undefined, { mailbox: { lengthMax: 2, overflow: "drop-newest" } });
  ref.tell("msg", 1);
  const kept = track(ref.ask("msg", 2));
  ref.tell("msg", 3);
  const dropped = track(ref.ask("msg", 4));
  await flush(reactor);
  assert.deepEqual(seen, [1, 2]);
  assert.equal(kept.status, "fulfilled");
  assert.ok(dropped.error instanceof MailboxFullError);
  assert.equal(loop.deadLetterCount, 1);
});

interface Sender {
  sendTo(args: { to: AnyRef; count: number }): number;
  sendThenThrow(to: AnyRef): void;
  askTo(to: AnyRef): void;
}

function sender(asks: Promise<unknown>[]): Behaviour<Sender, null> {
  return {
    name: "sender",
    init: () => null,
    handlers: {
      sendTo(_state, { to, count }) {
        let sent = 0;
        try {
          for (; sent < count; sent++) to.tell("msg", sent);
        } catch (error) {
          if (!(error instanceof MailboxFullError)) throw error;
        }
        return sent;
      },
      sendThenThrow(_state, to) {
        to.tell("msg", "never");
        throw new Error("abort");
      },
      askTo(_state, to) {
        asks.push(to.ask("msg", "asked"));
      },
    },
  };
}

test("inside a turn, a tell to a full reject mailbox throws in the handler", () => {
  const { loop } = setup();
  const target = loop.spawn(recorder(), undefined, { mailbox: { lengthMax: 1 } });
  target.tell("msg", "filler");
  const ref = loop.spawn(sender([]), undefined);
  // A handler may catch it...
  assert.equal(ref.call("sendTo", { to: target, count: 1 }), 0);
  assert.equal(statusOf(loop, ref), "running");
  // ...and if it does not, the actor crashes with it.
  assert.throws(
    () => ref.call("sendThenThrow", target),
    (error: unknown) => (error as Error).cause instanceof MailboxFullError,
  );
  assert.equal(statusOf(loop, ref), "dead");
  assert.equal(loop.inspect(target)?.mailboxLength, 1);
});

test("sends buffered in a turn reserve room, so one turn cannot overfill a mailbox", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const target = loop.spawn(recorder(seen), undefined, { mailbox: { lengthMax: 3 } });
  const ref = loop.spawn(sender([]), undefined);
  // The handler catches the MailboxFullError of its fourth tell; three stay reserved and are delivered.
  assert.equal(ref.call("sendTo", { to: target, count: 10 }), 3);
  assert.equal(loop.inspect(target)?.mailboxLength, 3);
  await flush(reactor);
  assert.deepEqual(seen, [0, 1, 2]);
});

test("a nested turn sees the reservations of the turn that called it", () => {
  const { loop } = setup();
  const target = loop.spawn(recorder(), undefined, { mailbox: { lengthMax: 1 } });
  const inner = loop.spawn(sender([]), undefined);
  let innerSent = -1;
  interface Outer {
    go(): void;
  }
  const outer = loop.spawn<Outer, null, void>(
    {
      init: () => null,
      handlers: {
        go() {
          target.tell("msg", "reserved by outer");
          innerSent = inner.call("sendTo", { to: target, count: 1 });
        },
      },
    },
    undefined,
  );
  outer.call("go");
  assert.equal(innerSent, 0);
  assert.equal(loop.inspect(target)?.mailboxLength, 1);
});

test("a reservation is released when the turn throws", async () => {
  const { reactor, loop } = setup();
  const seen: unknown[] = [];
  const target = loop.spawn(recorder(seen), undefined, { mailbox: { lengthMax: 1 } });
  const ref = loop.spawn(sender([]), undefined);
  ref.tell("sendThenThrow", target);
  await flush(reactor);
  assert.equal(statusOf(loop, ref), "dead");
  target.tell("msg", "fits");
  await flush(reactor);
  assert.deepEqual(seen, ["fits"]);
});

test("an ask made in a turn to a full reject mailbox rejects with MailboxFullError and the asker keeps running", async () => {
  const { reactor, loop } = setup();
  const target = loop.spawn(recorder(), undefined, { mailbox: { lengthMax: 1 } });
  target.tell("msg", "filler");
  const asks: Promise<unknown>[] = [];
  const ref = loop.spawn(sender(asks), undefined);
  ref.call("askTo", target);
  const asked = await outcomeOf(reactor, asks[0] as Promise<unknown>);
  assert.ok(asked.error instanceof MailboxFullError);
  assert.equal(statusOf(loop, ref), "running");
});

function trappingWatcher(signals: Array<ExitSignal | DownSignal>, watch: AnyRef[]) {
  return {
    name: "watcher",
    init: (_args: undefined, ctx: { monitor(ref: AnyRef): unknown; link(ref: AnyRef): void }) => {
      for (const ref of watch) {
        ctx.monitor(ref);
        ctx.link(ref);
      }
      return null;
    },
    handlers: { msg() {} },
    trapExits: true,
    onExit(_state: null, signal: ExitSignal) {
      signals.push(signal);
    },
    onDown(_state: null, signal: DownSignal) {
      signals.push(signal);
    },
  };
}

for (const overflow of ["reject", "drop-oldest", "drop-newest"] as const) {
  test(`exit and down signals are never dropped by a full ${overflow} mailbox`, async () => {
    const { reactor, loop } = setup();
    const watched = [loop.spawn(idle(), undefined), loop.spawn(idle(), undefined)];
    const signals: Array<ExitSignal | DownSignal> = [];
    const watcher = loop.spawn(trappingWatcher(signals, watched), undefined, {
      mailbox: { lengthMax: 1, overflow },
    });
    watcher.tell("msg");
    // The mailbox is full: one more message is rejected or dropped.
    if (overflow === "reject") assert.throws(() => watcher.tell("msg"), MailboxFullError);
    else watcher.tell("msg");
    loop.exit(watched[0] as AnyRef, ExitReasons.crash(new Error("first")));
    loop.exit(watched[1] as AnyRef, ExitReasons.shutdown);
    assert.equal(loop.inspect(watcher)?.mailboxLength, 1);
    assert.equal(loop.inspect(watcher)?.signalsQueued, 4);
    await flush(reactor);
    assert.deepEqual(signals.map((s) => `${s.type}:${s.reason.type}`).sort(), [
      "down:crash",
      "down:shutdown",
      "exit:crash",
      "exit:shutdown",
    ]);
    assert.equal(statusOf(loop, watcher), "running");
  });
}

for (const overflow of ["reject", "drop-oldest", "drop-newest"] as const) {
  test(`queued signals do not count against the bound of a ${overflow} mailbox`, async () => {
    const { reactor, loop } = setup();
    const watched = loop.spawn(idle(), undefined);
    const signals: Array<ExitSignal | DownSignal> = [];
    const seen: unknown[] = [];
    const watcher = loop.spawn(
      { ...trappingWatcher(signals, [watched]), handlers: { msg: (_s: null, p: unknown) => void seen.push(p) } },
      undefined,
      { mailbox: { lengthMax: 2, overflow } },
    );
    loop.exit(watched, ExitReasons.shutdown);
    // Two signals are queued and no message: two messages must still fit, without loss.
    watcher.tell("msg", "first");
    watcher.tell("msg", "second");
    assert.equal(loop.inspect(watcher)?.mailboxLength, 2);
    await flush(reactor);
    assert.deepEqual(seen, ["first", "second"]);
    assert.equal(signals.length, 2);
    assert.equal(loop.deadLetterCount, 0);
  });
}

test("resolveMailboxOptions fills in the defaults and names a bad option", () => {
  assert.deepEqual(resolveMailboxOptions(undefined), { lengthMax: MAILBOX_LENGTH_MAX_DEFAULT, overflow: "reject" });
  assert.deepEqual(resolveMailboxOptions({ overflow: "drop-oldest" }), {
    lengthMax: MAILBOX_LENGTH_MAX_DEFAULT,
    overflow: "drop-oldest",
  });
  assert.throws(() => resolveMailboxOptions({ lengthMax: -1 }), /lengthMax/);
  assert.throws(() => resolveMailboxOptions({ lengthMax: Number.POSITIVE_INFINITY }), RangeError);
});

test("the mailbox ring buffer is a FIFO queue across growth and wrap-around", () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constant("shift" as const), fc.integer()), { maxLength: 300 }), (ops) => {
      const mailbox = new Mailbox<number>(2);
      const model: number[] = [];
      for (const op of ops) {
        if (op === "shift") assert.equal(mailbox.shift(), model.shift());
        else {
          mailbox.push(op);
          model.push(op);
        }
        assert.equal(mailbox.length, model.length);
      }
      assert.deepEqual(mailbox.drain(), model);
      assert.equal(mailbox.length, 0);
      assert.equal(mailbox.shift(), undefined);
    }),
    { seed: 20_240_601, numRuns: 200 },
  );
});
