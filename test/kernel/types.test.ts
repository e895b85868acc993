/**
 * Type-level tests of the kernel's typed protocols. `typeExpectations` is never run: it only has
 * to compile. Each `// @ts-expect-error` line must be a type error, or tsc fails with "unused
 * '@ts-expect-error' directive" and so does the build; the other lines must compile.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type AnyRef, type Behaviour, DEFER, type Loop, type Ref, type Settled } from "../../src/index.js";

interface Chat {
  post(text: string): number;
  ping(): void;
  maybe(note: string | undefined): boolean;
  history(): readonly string[];
  piped(result: Settled<number>): void;
}

interface Other {
  other(): void;
}

/** Reads its arguments, so that no declared variable is unused (an unused one would also be an error). */
function use(..._values: unknown[]): void {}

function typeExpectations(loop: Loop, chat: Ref<Chat>, other: Ref<Other>): void {
  // ---- what must compile ----
  chat.tell("post", "hello");
  chat.tell("ping");
  chat.tell("maybe");
  chat.tell("maybe", "note");
  const posted: Promise<number> = chat.ask("post", "hello");
  const pinged: Promise<void> = chat.ask("ping");
  const timed: Promise<number> = chat.ask("post", "hello", { timeoutMs: 100 });
  const voidTimed: Promise<void> = chat.ask("ping", undefined, { timeoutMs: 100 });
  const called: number = chat.call("post", "hi");
  const history: readonly string[] = chat.call("history");
  chat.call("ping");
  const anyRef: AnyRef = chat;
  use(posted, pinged, timed, voidTimed, called, history, anyRef);

  // ---- what must not ----
  // @ts-expect-error: "nope" is not a tag of Chat.
  chat.tell("nope");
  // @ts-expect-error: "post" takes a string.
  chat.tell("post", 42);
  // @ts-expect-error: "post" requires its payload.
  chat.tell("post");
  // @ts-expect-error: "ping" takes no payload.
  chat.tell("ping", 1);
  // @ts-expect-error: "nope" is not a tag of Chat.
  const unknownAsk = chat.ask("nope");
  // @ts-expect-error: "post" requires its payload in an ask too.
  const missingAsk = chat.ask("post");
  // @ts-expect-error: "post" takes a string.
  const wrongAsk = chat.ask("post", 1);
  // @ts-expect-error: the reply of "post" is a number, not a string.
  const wrongReply: Promise<string> = chat.ask("post", "hi");
  // @ts-expect-error: the reply of "post" is a number, not a string.
  const wrongCallReply: string = chat.call("post", "hi");
  // @ts-expect-error: "post" requires its payload in a near call.
  const missingCall = chat.call("post");
  // @ts-expect-error: refs of different protocols are not interchangeable.
  const wrongRef: Ref<Other> = chat;
  // @ts-expect-error: ... in either direction.
  const wrongRef2: Ref<Chat> = other;
  // @ts-expect-error: a spawned ref has the behaviour's protocol.
  const spawnedWrong: Ref<Other> = loop.spawn(chatBehaviour);
  use(unknownAsk, missingAsk, wrongAsk, wrongReply, wrongCallReply, missingCall, wrongRef, wrongRef2, spawnedWrong);
}

/** A behaviour that must compile: handlers get the payload and return the reply types. */
const chatBehaviour: Behaviour<Chat, readonly string[]> = {
  name: "chat",
  init: () => [],
  handlers: {
    post(state, text, ctx) {
      ctx.setState([...state, text]);
      ctx.sendAfter(10, "ping");
      ctx.sendAfter(10, "post", "later");
      ctx.pipe(Promise.resolve(1), "piped");
      return state.length + 1;
    },
    ping() {},
    maybe: (_state, note) => note !== undefined,
    history(state, _payload, ctx) {
      ctx.replyLater<readonly string[]>().reply(state);
      return DEFER;
    },
    piped() {},
  },
};

/** Handlers that must not compile. */
const badHandlers: Behaviour<Chat, readonly string[]> = {
  init: () => [],
  handlers: {
    // @ts-expect-error: "post" must reply with a number.
    post: () => "not a number",
    // @ts-expect-error: the payload of "ping" is void, not a string.
    ping: (_state, payload: string) => use(payload),
    maybe(state, _note, ctx) {
      // @ts-expect-error: the state is a string array.
      ctx.setState(42);
      // @ts-expect-error: self-messages are typed too.
      ctx.sendAfter(10, "nope");
      // @ts-expect-error: "post" needs a string payload.
      ctx.sendInterval(10, "post");
      // @ts-expect-error: a piped result needs a tag whose payload is a Settled of the promise's type.
      ctx.pipe(Promise.resolve(1), "post");
      return state.length > 0;
    },
    history: (state) => state,
    piped() {},
  },
};

// @ts-expect-error: every tag of the protocol needs a handler.
const missingHandler: Behaviour<Chat, null> = { init: () => null, handlers: { post: () => 1 } };

const voidInit: Behaviour<Other, null> = { init: () => null, handlers: { other() {} } };
const argInit: Behaviour<Other, number, number> = { init: (n) => n, handlers: { other() {} } };

function spawnExpectations(loop: Loop): void {
  // A behaviour whose init takes no argument may be spawned without one.
  const a: Ref<Other> = loop.spawn(voidInit);
  const b: Ref<Other> = loop.spawn(argInit, 1);
  // @ts-expect-error: init takes a number.
  const c = loop.spawn(argInit, "one");
  // @ts-expect-error: init requires its argument.
  const d = loop.spawn(argInit);
  use(a, b, c, d);
}

test("the type-level expectations compile (checked by tsc; these functions never run)", () => {
  assert.equal(typeof typeExpectations, "function");
  assert.equal(typeof spawnExpectations, "function");
  assert.equal(chatBehaviour.name, "chat");
  assert.ok(badHandlers !== undefined && missingHandler !== undefined);
});
