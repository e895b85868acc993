import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Behaviour, Ref } from "../../src/index.js";
import { flush, setup } from "./kernel-fixtures.js";

interface Stamp {
  readonly from: string;
  readonly seq: number;
}

interface Receiver {
  msg(stamp: Stamp): void;
}

interface Sender {
  send(order: Order): void;
}

interface Order {
  readonly to: number;
  readonly count: number;
  readonly via: "tell" | "ask";
}

function receiver(log: Stamp[]): Behaviour<Receiver, null> {
  return {
    name: "receiver",
    init: () => null,
    handlers: {
      msg(_state, stamp) {
        log.push(stamp);
      },
    },
  };
}

/** Sends `count` sequence-numbered messages in one turn; its state is the next number per receiver. */
function sender(name: string, receivers: Ref<Receiver>[]): Behaviour<Sender, readonly number[]> {
  return {
    name,
    init: () => receivers.map(() => 1),
    handlers: {
      send(state, { to, count, via }, ctx) {
        const target = receivers[to] as Ref<Receiver>;
        let seq = state[to] as number;
        for (let i = 0; i < count; i++, seq++) {
          if (via === "tell") target.tell("msg", { from: name, seq });
          else void target.ask("msg", { from: name, seq });
        }
        ctx.setState(state.map((next, i) => (i === to ? seq : next)));
      },
    },
  };
}

const RECEIVERS = 3;
const OUTSIDE_SENDERS = 2;
const ACTOR_SENDERS = 3;

const order = fc.record({
  to: fc.nat(RECEIVERS - 1),
  count: fc.integer({ min: 1, max: 4 }),
  via: fc.constantFrom("tell" as const, "ask" as const),
});

const command = fc.oneof(
  fc.record({ kind: fc.constant("outside" as const), sender: fc.nat(OUTSIDE_SENDERS - 1), order }),
  fc.record({
    kind: fc.constant("actor" as const),
    sender: fc.nat(ACTOR_SENDERS - 1),
    order,
    entry: fc.constantFrom("tell" as const, "call" as const),
  }),
  fc.record({ kind: fc.constant("step" as const), steps: fc.nat(3) }),
);

test("property: each receiver sees each sender's messages in send order, none lost", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(command, { minLength: 4, maxLength: 50, size: "max" }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 16 }),
      async (commands, actorThroughput, drainBudget) => {
        const { reactor, loop } = setup({ actorThroughput, drainBudget });
        const logs = Array.from({ length: RECEIVERS }, () => [] as Stamp[]);
        const receivers = logs.map((log) => loop.spawn(receiver(log), undefined));
        const senders = Array.from({ length: ACTOR_SENDERS }, (_, i) =>
          loop.spawn(sender(`actor${i}`, receivers), undefined),
        );
        // sent[sender name][receiver] = how many messages were sent (the last sequence number).
        const sent = new Map<string, number[]>();
        const count = (name: string, to: number, n: number) => {
          const row = sent.get(name) ?? Array.from({ length: RECEIVERS }, () => 0);
          row[to] = (row[to] as number) + n;
          sent.set(name, row);
        };
        for (const c of commands) {
          if (c.kind === "step") reactor.runUntilIdle({ maxSteps: c.steps });
          else if (c.kind === "outside") {
            const name = `outside${c.sender}`;
            const first = (sent.get(name)?.[c.order.to] ?? 0) + 1;
            const target = receivers[c.order.to] as Ref<Receiver>;
            for (let seq = first; seq < first + c.order.count; seq++) {
              if (c.order.via === "tell") target.tell("msg", { from: name, seq });
              else void target.ask("msg", { from: name, seq });
            }
            count(name, c.order.to, c.order.count);
          } else {
            const ref = senders[c.sender] as Ref<Sender>;
            if (c.entry === "tell") ref.tell("send", c.order);
            else ref.call("send", c.order);
            count(`actor${c.sender}`, c.order.to, c.order.count);
          }
        }
        await flush(reactor);
        logs.forEach((log, to) => {
          for (const [name, row] of sent) {
            const seqs = log.filter((stamp) => stamp.from === name).map((stamp) => stamp.seq);
            assert.deepEqual(
              seqs,
              Array.from({ length: row[to] as number }, (_, i) => i + 1),
              `${name} → receiver ${to}`,
            );
          }
          assert.equal(
            log.length,
            [...sent.values()].reduce((sum, row) => sum + (row[to] as number), 0),
          );
        });
      },
    ),
    { seed: 1_729, numRuns: 150 },
  );
});
