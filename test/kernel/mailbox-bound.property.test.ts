import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type Behaviour, MailboxFullError, type OverflowPolicy, type Ref } from "../../src/index.js";
import { flush, type Outcome, setup, track } from "./kernel-fixtures.js";

interface Sink {
  m(id: number): void;
  q(id: number): number;
}

interface Burst {
  burst(items: readonly Item[]): void;
}

interface Item {
  readonly id: number;
  readonly via: "tell" | "ask";
}

const POLICIES: readonly OverflowPolicy[] = ["reject", "drop-oldest", "drop-newest"];

const item = fc.constantFrom("tell" as const, "ask" as const);

const command = fc.oneof(
  fc.record({ kind: fc.constant("outside" as const), via: item }),
  fc.record({
    kind: fc.constant("burst" as const),
    vias: fc.array(item, { minLength: 1, maxLength: 6 }),
    entry: fc.constantFrom("tell" as const, "call" as const),
  }),
  fc.record({ kind: fc.constant("step" as const), steps: fc.nat(3) }),
);

for (const policy of POLICIES) {
  test(`property: a ${policy} mailbox never exceeds its bound, and every message is delivered or reported lost`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: 4, maxLength: 60, size: "max" }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        async (commands, lengthMax, actorThroughput) => {
          const { reactor, loop } = setup({ actorThroughput });
          let maxSeen = 0;
          const delivered: number[] = [];
          const sample = () => {
            maxSeen = Math.max(maxSeen, loop.inspect(sink)?.mailboxLength ?? 0);
          };
          const sinkBehaviour: Behaviour<Sink, null> = {
            name: "sink",
            init: () => null,
            mailbox: { lengthMax, overflow: policy },
            handlers: {
              m(_state, id) {
                sample();
                delivered.push(id);
              },
              q(_state, id) {
                sample();
                delivered.push(id);
                return id;
              },
            },
          };
          const sink: Ref<Sink> = loop.spawn(sinkBehaviour, undefined);
          const tells = new Set<number>();
          const thrown = new Set<number>();
          const asks = new Map<number, Outcome<number>>();
          let nextId = 0;
          let droppedTells = 0;
          loop.onDeadLetter((letter) => {
            assert.equal(letter.why, "mailbox_full");
            droppedTells++;
          });
          const send = (it: Item) => {
            if (it.via === "ask") {
              asks.set(it.id, track(sink.ask("q", it.id)));
              return;
            }
            tells.add(it.id);
            try {
              sink.tell("m", it.id);
            } catch (error) {
              assert.ok(error instanceof MailboxFullError);
              thrown.add(it.id);
            }
          };
          const burster: Ref<Burst> = loop.spawn<Burst, null, void>(
            {
              name: "burster",
              init: () => null,
              handlers: {
                burst(_state, items) {
                  for (const it of items) {
                    send(it);
                    sample();
                  }
                },
              },
            },
            undefined,
          );
          for (const c of commands) {
            if (c.kind === "step") {
              for (let i = 0; i < c.steps; i++) {
                reactor.runUntilIdle({ maxSteps: 1 });
                sample();
              }
            } else if (c.kind === "outside") send({ id: nextId++, via: c.via });
            else {
              const items = c.vias.map((via) => ({ id: nextId++, via }));
              if (c.entry === "tell") burster.tell("burst", items);
              else burster.call("burst", items);
            }
            sample();
          }
          await flush(reactor);

          assert.ok(maxSeen <= lengthMax, `mailbox reached ${maxSeen} > ${lengthMax}`);
          assert.equal(new Set(delivered).size, delivered.length, "a message was delivered twice");
          const deliveredSet = new Set(delivered);
          for (const id of thrown) assert.ok(!deliveredSet.has(id), `tell ${id} threw but was delivered`);
          const deliveredTells = delivered.filter((id) => tells.has(id)).length;
          assert.equal(deliveredTells + thrown.size + droppedTells, tells.size, "a tell vanished unreported");
          if (policy === "reject") assert.equal(droppedTells, 0);
          else assert.equal(thrown.size, 0);
          for (const [id, outcome] of asks) {
            assert.equal(outcome.settlements, 1, `ask ${id} settled ${outcome.settlements} times`);
            if (outcome.status === "fulfilled") {
              assert.equal(outcome.value, id);
              assert.ok(deliveredSet.has(id));
            } else {
              assert.ok(outcome.error instanceof MailboxFullError, String(outcome.error));
              assert.ok(!deliveredSet.has(id), `ask ${id} was handled but reported lost`);
            }
          }
        },
      ),
      { seed: 4_242 + POLICIES.indexOf(policy), numRuns: 120 },
    );
  });
}
