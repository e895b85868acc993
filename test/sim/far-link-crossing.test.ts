/**
 * Links and unlinks between two loops on simulated nodes, made from both sides at random times
 * so that they cross in flight: whatever the interleaving, once the network is quiet the two ends
 * of the link agree (both loops linked, or neither), as Erlang's link protocol guarantees.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { AnyRef, Behaviour, Ref } from "../../src/index.js";
import { SimNetwork, SimWorld } from "../../src/testing.js";
import { drive, kernelPair } from "./sim-fixtures.js";

interface Linker {
  link(ref: AnyRef): void;
  unlink(ref: AnyRef): void;
}

const linker: Behaviour<Linker, null> = {
  name: "linker",
  init: (_args, ctx) => {
    ctx.trapExits(true);
    return null;
  },
  handlers: {
    link: (_state, ref, ctx) => void ctx.link(ref),
    unlink: (_state, ref, ctx) => void ctx.unlink(ref),
  },
  onExit: () => {},
};

/** One step: which side acts, what it does, and how long (ms) to wait before the next step. */
type Step = readonly ["a" | "b", "link" | "unlink", number];

async function run(seed: number, steps: readonly Step[]): Promise<{ a: number; b: number }> {
  const world = new SimWorld({ seed });
  const network = new SimNetwork(world, { latencyMinMs: 1, latencyMaxMs: 20 });
  const pair = kernelPair(world, network);
  await drive(world, 50);
  const onA = pair.loopA!.spawn(linker) as Ref<Linker>;
  const onB = pair.loopB!.spawn(linker) as Ref<Linker>;
  const bSeenFromA = pair.peerAB!.decodeRef(pair.peerBA!.encodeRef(onB));
  const aSeenFromB = pair.peerBA!.decodeRef(pair.peerAB!.encodeRef(onA));
  let at = world.nowMs;
  for (const [side, action, waitMs] of steps) {
    if (side === "a") onA.tell(action, bSeenFromA);
    else onB.tell(action, aSeenFromB);
    at += waitMs;
    await drive(world, at);
  }
  await drive(world, at + 500); // every frame delivered and answered
  return { a: pair.loopA!.inspect(onA)!.linkCount, b: pair.loopB!.inspect(onB)!.linkCount };
}

const steps = fc.array(
  fc.tuple(
    fc.constantFrom("a" as const, "b" as const),
    fc.constantFrom("link" as const, "unlink" as const),
    fc.integer({ min: 0, max: 25 }),
  ),
  { minLength: 1, maxLength: 12 },
);

test("far links and unlinks crossing in flight from both sides always leave the two ends in agreement", async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), steps, async (seed, plan) => {
      const ends = await run(seed, plan);
      assert.equal(ends.a, ends.b, `A has ${ends.a} link(s), B has ${ends.b}`);
    }),
    { numRuns: 1_000, seed: 42 },
  );
});
