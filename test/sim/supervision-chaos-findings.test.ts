import assert from "node:assert/strict";
import { test } from "node:test";
import { type Behaviour, createLoop, ExitReasons, type Ref } from "../../src/index.js";
import { VirtualReactor } from "../../src/testing.js";

// Kernel bugs the supervision scenario found, as minimal reproductions kept as regression tests.
// 1. Exit re-entered from terminate (fixed in e94ad72, "an actor exits once"): the linked child's
//    exit signal came back while the parent was still `running`, so exit() ran terminate again and
//    finished first with the child's reason; links and monitors saw `shutdown` instead of `crash`
//    (a crashed transient child was not restarted) and the exit was reported twice.

interface Parent {
  boom(): void;
}

const child: Behaviour<Record<string, never>, null> = { name: "child", init: () => null, handlers: {} };

// Stops its linked child from `terminate`, as a worker stops its helper.
const parent: Behaviour<Parent, { readonly child: Ref<Record<string, never>> }> = {
  name: "parent",
  init: (_args, ctx) => ({ child: ctx.spawnLink(child) }),
  handlers: {
    boom() {
      throw new Error("boom");
    },
  },
  terminate(state, _reason, ctx) {
    terminateCalls++;
    ctx.exit(state.child, ExitReasons.shutdown);
  },
};

let terminateCalls = 0;

test("an actor whose terminate stops a linked actor exits once, with its own reason", () => {
  terminateCalls = 0;
  const reactor = new VirtualReactor({ seed: 1 });
  const loop = createLoop({ reactor });
  const ref = loop.spawn(parent);
  const seen: string[] = [];
  loop.monitor(ref, (reason) => seen.push(`down ${reason.type}`));
  loop.onExit((event) => {
    if (event.description.startsWith("parent")) seen.push(`exit ${event.reason.type}`);
  });
  ref.tell("boom");
  reactor.runUntilIdle();
  // Before the fix: terminateCalls 2, seen ["down shutdown", "exit shutdown", "exit crash"].
  assert.deepEqual({ terminateCalls, seen }, { terminateCalls: 1, seen: ["down crash", "exit crash"] });
});
