/**
 * Shared fixtures of the simulator tests: a driver that steps a world outside the scenario runner,
 * an echo actor, and two kernel loops on two simulated nodes joined by a SimLoopTransport. Not a
 * test file: the runner loads it and finds no tests.
 */
import { type Behaviour, createLoop, type Loop, type Ref } from "../../src/index.js";
import { connectPeer, type PeerConnection } from "../../src/kernel/peer-connection.js";
import { microtaskBarrier } from "../../src/reactor/node/real-world-guard.js";
import { type SimNetwork, type SimNode, SimLoopTransport, type SimWorld, traceLoop } from "../../src/testing.js";

/**
 * Steps `world` until nothing is left to run before `untilMs`, letting promise continuations run
 * between steps (as the scenario runner does), then moves time to `untilMs`.
 */
export async function drive(world: SimWorld, untilMs: number): Promise<void> {
  for (;;) {
    if (world.step(untilMs)) {
      await null;
      continue;
    }
    await microtaskBarrier();
    if (!world.step(untilMs)) break;
    await null;
  }
  world.advanceTo(untilMs);
}

/** Steps `world` synchronously until nothing is left before `untilMs`, then moves time there. */
export function runAll(world: SimWorld, untilMs = Number.POSITIVE_INFINITY): void {
  let more = true;
  while (more) more = world.step(untilMs);
  if (Number.isFinite(untilMs)) world.advanceTo(untilMs);
}

/** An actor that answers `echo` with its payload. */
export interface Echo {
  echo(text: string): string;
}

export const echoBehaviour: Behaviour<Echo, null> = {
  name: "echo",
  init: () => null,
  handlers: { echo: (_state, text) => text },
};

/** Loop ids of the pair (fixed, so a test can name the peer before it connects). */
export const LOOP_A_ID = "a".repeat(32);
export const LOOP_B_ID = "b".repeat(32);

/** Two kernel loops on nodes `a` and `b`, each with an echo actor, connected over the network. */
export interface KernelPair {
  readonly a: SimNode;
  readonly b: SimNode;
  loopA: Loop | null;
  loopB: Loop | null;
  echoA: Ref<Echo> | null;
  echoB: Ref<Echo> | null;
  /** A's connection to B (made at A's boot). */
  peerAB: PeerConnection | null;
  /** B's connection to A (made when B accepts). */
  peerBA: PeerConnection | null;
}

type Runtime = Parameters<typeof connectPeer>[0];

/**
 * Adds nodes `a` and `b` to `world`: each boots a traced loop with an echo actor; `b` listens on
 * port "kernel" and `a` connects to it. Peers exist once the connection is accepted (one latency).
 */
export function kernelPair(world: SimWorld, network: SimNetwork, askTimeoutMs = 1_000): KernelPair {
  const pair: KernelPair = {
    a: world.addNode("a"),
    b: world.addNode("b"),
    loopA: null,
    loopB: null,
    echoA: null,
    echoB: null,
    peerAB: null,
    peerBA: null,
  };
  pair.b.setBoot(({ node, reactor }) => {
    const loop = createLoop({ reactor, name: "b", id: LOOP_B_ID, askTimeoutMs });
    traceLoop(node, loop);
    pair.loopB = loop;
    pair.echoB = loop.spawn(echoBehaviour);
    network.listen(node, "kernel", (connection) => {
      pair.peerBA = connectPeer(loop as Runtime, new SimLoopTransport(connection, reactor), LOOP_A_ID, "a");
    });
  });
  pair.a.setBoot(({ node, reactor }) => {
    const loop = createLoop({ reactor, name: "a", id: LOOP_A_ID, askTimeoutMs });
    traceLoop(node, loop);
    pair.loopA = loop;
    pair.echoA = loop.spawn(echoBehaviour);
    const connection = network.connect(node, pair.b, "kernel");
    pair.peerAB = connectPeer(loop as Runtime, new SimLoopTransport(connection, reactor), LOOP_B_ID, "b");
  });
  return pair;
}

/** B's echo actor as a far ref usable on A (an out-of-band introduction, as a registry would do). */
export function farEchoOnA(pair: KernelPair): Ref<Echo> {
  if (pair.peerAB === null || pair.peerBA === null || pair.echoB === null) throw new Error("the pair is not connected");
  return pair.peerAB.decodeRef(pair.peerBA.encodeRef(pair.echoB)) as Ref<Echo>;
}

/** A's echo actor as a far ref usable on B. */
export function farEchoOnB(pair: KernelPair): Ref<Echo> {
  if (pair.peerAB === null || pair.peerBA === null || pair.echoA === null) throw new Error("the pair is not connected");
  return pair.peerBA.decodeRef(pair.peerAB.encodeRef(pair.echoA)) as Ref<Echo>;
}

/** The `code` of a kernel error (undefined for anything else). */
export function codeOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? (error as { code?: string }).code : undefined;
}
