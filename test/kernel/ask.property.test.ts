import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  type Behaviour,
  DEFER,
  type ExitReason,
  ExitReasons,
  KernelError,
  MailboxFullError,
  type OverflowPolicy,
  type Ref,
  type Replier,
  TIMEOUT_RESOLUTION_MS,
} from "../../src/index.js";
import { codeOf, flush, setup } from "./kernel-fixtures.js";

/** What the server does with a request. */
type Kind = "reply" | "defer" | "crash" | "never" | "stop";

interface Server {
  reply(x: number): number;
  defer(x: number): number;
  crash(x: number): number;
  never(x: number): number;
  stop(x: number): number;
  release(): void;
  failHeld(): void;
}

interface Held {
  readonly replier: Replier<number>;
  readonly x: number;
}

const server: Behaviour<Server, { held: readonly Held[]; never: readonly Replier<number>[] }> = {
  name: "server",
  init: () => ({ held: [], never: [] }),
  handlers: {
    reply: (_state, x) => x,
    defer(state, x, ctx) {
      ctx.setState({ ...state, held: [...state.held, { replier: ctx.replyLater<number>(), x }] });
      return DEFER;
    },
    crash(_state, x) {
      throw new Error(`crash ${x}`);
    },
    never(state, _x, ctx) {
      ctx.setState({ ...state, never: [...state.never, ctx.replyLater<number>()] });
      return DEFER;
    },
    stop(_state, x, ctx) {
      ctx.stop();
      return x;
    },
    release(state, _payload, ctx) {
      for (const { replier, x } of state.held) replier.reply(x);
      ctx.setState({ ...state, held: [] });
    },
    failHeld(state, _payload, ctx) {
      for (const { replier } of state.held) replier.fail(new Error("failed on purpose"));
      ctx.setState({ ...state, held: [] });
    },
  },
};

interface Request {
  readonly kind: Kind;
  readonly x: number;
  readonly timeoutMs: number | undefined;
}

interface Client {
  relay(request: Request & { thenThrow: boolean }): void;
}

/** Where each ask went and what became of it. */
interface AskRecord {
  readonly request: Request;
  readonly askedAtMs: number;
  readonly inThrownTurn: boolean;
  settlements: number;
  outcome: { ok: true; value: unknown } | { ok: false; error: unknown; atMs: number } | null;
}

const request = fc.record({
  kind: fc.constantFrom<Kind>("reply", "defer", "crash", "never", "stop"),
  x: fc.integer({ min: 0, max: 1_000 }),
  timeoutMs: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
});

const reason = fc.constantFrom<ExitReason>(
  ExitReasons.normal,
  ExitReasons.shutdown,
  ExitReasons.killed,
  ExitReasons.crash(new Error("external")),
);

const command = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("outsideAsk" as const), request }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("clientAsk" as const),
      request,
      thenThrow: fc.boolean(),
      entry: fc.constantFrom("tell" as const, "call" as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("release" as const, "failHeld" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("exit" as const), reason }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("respawn" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 150 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("step" as const), steps: fc.nat(3) }) },
);

const ASK_TIMEOUT_MS = 250;
const ALLOWED_CODES = new Set(["timeout", "mailbox_full", "noproc", "exited", "crashed", "turn_aborted"]);

test("property: every ask settles exactly once, with the reply or a kernel error that fits what happened", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(command, { minLength: 4, maxLength: 40, size: "max" }),
      fc.integer({ min: 1, max: 4 }),
      fc.constantFrom<OverflowPolicy>("reject", "drop-oldest", "drop-newest"),
      async (commands, lengthMax, overflow) => {
        const { reactor, loop } = setup({ askTimeoutMs: ASK_TIMEOUT_MS });
        const records: AskRecord[] = [];
        const observe = (req: Request, promise: Promise<unknown>, inThrownTurn: boolean) => {
          const record: AskRecord = {
            request: req,
            askedAtMs: reactor.nowMs(),
            inThrownTurn,
            settlements: 0,
            outcome: null,
          };
          records.push(record);
          promise.then(
            (value) => {
              record.settlements++;
              record.outcome = { ok: true, value };
            },
            (error: unknown) => {
              record.settlements++;
              record.outcome = { ok: false, error, atMs: reactor.nowMs() };
            },
          );
        };
        const askServer = (ref: Ref<Server>, req: Request) =>
          req.timeoutMs === undefined
            ? ref.ask(req.kind, req.x)
            : ref.ask(req.kind, req.x, { timeoutMs: req.timeoutMs });
        const spawnServer = () => loop.spawn(server, undefined, { mailbox: { lengthMax, overflow } });
        let target = spawnServer();
        const clientBehaviour: Behaviour<Client, null> = {
          name: "client",
          init: () => null,
          handlers: {
            relay(_state, req) {
              observe(req, askServer(target, req), req.thenThrow);
              if (req.thenThrow) throw new Error("client gives up");
            },
          },
        };
        let client = loop.spawn(clientBehaviour, undefined);

        for (const c of commands) {
          switch (c.kind) {
            case "outsideAsk":
              observe(c.request, askServer(target, c.request), false);
              break;
            case "clientAsk": {
              if (loop.inspect(client)?.status === "dead") client = loop.spawn(clientBehaviour, undefined);
              const payload = { ...c.request, thenThrow: c.thenThrow };
              if (c.entry === "call") {
                try {
                  client.call("relay", payload);
                } catch (error) {
                  assert.ok(c.thenThrow, `relay threw ${String(error)}`);
                }
              } else client.tell("relay", payload);
              break;
            }
            case "release":
            case "failHeld":
              try {
                target.tell(c.kind);
              } catch (error) {
                assert.ok(error instanceof MailboxFullError);
              }
              break;
            case "exit":
              loop.exit(target, c.reason);
              break;
            case "respawn":
              if (loop.inspect(target)?.status === "dead") target = spawnServer();
              break;
            case "advance":
              reactor.advanceBy(c.ms);
              break;
            case "step":
              reactor.runUntilIdle({ maxSteps: c.steps });
              break;
          }
          await Promise.resolve();
        }
        await flush(reactor);
        reactor.advanceBy(Math.max(ASK_TIMEOUT_MS, 300) + 2 * TIMEOUT_RESOLUTION_MS + 1);
        await flush(reactor);

        for (const record of records) {
          const { request: req, outcome } = record;
          const what = `${req.kind}(${req.x}) asked at ${record.askedAtMs}`;
          assert.equal(record.settlements, 1, `${what} settled ${record.settlements} times`);
          assert.ok(outcome !== null);
          if (outcome.ok) {
            assert.ok(req.kind === "reply" || req.kind === "defer" || req.kind === "stop", `${what} fulfilled`);
            assert.equal(outcome.value, req.x, what);
            assert.ok(!record.inThrownTurn, `${what} was asked in a thrown turn but fulfilled`);
            continue;
          }
          const code = codeOf(outcome.error);
          assert.ok(outcome.error instanceof KernelError || req.kind === "defer", `${what}: ${String(outcome.error)}`);
          if (!(outcome.error instanceof KernelError)) {
            // Only a deferred request can be failed with a user error (failHeld).
            assert.equal((outcome.error as Error).message, "failed on purpose");
            continue;
          }
          assert.ok(ALLOWED_CODES.has(code as string), `${what}: unexpected code ${code}`);
          // An ask made in a thrown turn was never sent (unless it was refused at once by a full mailbox).
          if (record.inThrownTurn) assert.ok(code === "turn_aborted" || code === "mailbox_full", `${what}: ${code}`);
          else assert.notEqual(code, "turn_aborted", what);
          if (code === "crashed") assert.equal(req.kind, "crash", what);
          if (code === "timeout") {
            const timeoutMs = req.timeoutMs ?? ASK_TIMEOUT_MS;
            assert.ok(outcome.atMs >= record.askedAtMs + timeoutMs, `${what} timed out early at ${outcome.atMs}`);
          }
        }
      },
    ),
    { seed: 8_675_309, numRuns: 150 },
  );
});
