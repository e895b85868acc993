/**
 * The baseline of the simulator's overhead per kernel message: the cluster-traffic actors
 * (3 server loops with their lobbies, room homes and replicas; 100 client loops with one client
 * each) on the real Node reactor, every pair of loops linked by a MessagePortTransport over an
 * in-process MessageChannel — the kernel's real far-ref path (PeerConnection, ref codec,
 * batching) with a real transport instead of the simulated network. The clients run a closed
 * loop (post again as soon as the last post settled) so the run is bound by CPU, not by timers.
 */
import { MessageChannel } from "node:worker_threads";
import { createLoop, type Loop, type LoopRuntime } from "../src/kernel/loop.js";
import { MessagePortTransport } from "../src/kernel/message-port-transport.js";
import { connectPeer } from "../src/kernel/peer-connection.js";
import type { AnyRef, Ref } from "../src/kernel/ref.js";
import { createNodeReactor } from "../src/reactor/node/node-reactor.js";
import { clientBehaviour, type ClientConfig } from "../src/sim/scenarios/cluster-traffic-client.js";
import { ClusterLedger } from "../src/sim/scenarios/cluster-traffic-ledger.js";
import type { Lobby } from "../src/sim/scenarios/cluster-traffic-server.js";
import { spawnServer } from "../src/sim/scenarios/cluster-traffic-server.js";
import {
  CLUSTER_ASK_TIMEOUT_MS,
  CLUSTER_CLIENTS,
  CLUSTER_SERVERS,
  type ClusterLoop,
} from "../src/sim/scenarios/cluster-traffic.js";
import { nowMs, withTimeout } from "./harness.js";

/** What one real run measured. */
export interface RealClusterRun {
  readonly wallMs: number;
  /** Messages handled by every actor (the kernel's count), as in the simulation. */
  readonly handled: number;
  readonly commits: number;
}

const reactor = createNodeReactor();

/** Links two loops with a MessageChannel and returns the far ref `b` gets for `bootstrap` on `a`. */
function link(a: Loop, b: Loop, bootstrap: AnyRef): AnyRef {
  const { port1, port2 } = new MessageChannel();
  const peerOfA = connectPeer(a as LoopRuntime, new MessagePortTransport(port1, reactor), b.id, b.name);
  const peerOfB = connectPeer(b as LoopRuntime, new MessagePortTransport(port2, reactor), a.id, a.name);
  return peerOfB.decodeRef(peerOfA.encodeRef(bootstrap));
}

function sum(loops: readonly ClusterLoop[]): number {
  let total = 0;
  for (const { loop, actors } of loops) for (const ref of actors) total += loop.inspect(ref)?.messagesHandled ?? 0;
  return total;
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs the workload once: `rooms` rooms, every client posting `postsPerClient` times; resolves
 * when every post settled and every member applied every acknowledged message.
 */
export async function runRealCluster(rooms: number, postsPerClient: number, seed: number): Promise<RealClusterRun> {
  const loops: ClusterLoop[] = [];
  const clientRooms = Array.from({ length: CLUSTER_CLIENTS }, (_, i) => (i * 7 + seed) % rooms);
  const ledger = new ClusterLedger(rooms, clientRooms);
  const lobbies: Ref<Lobby>[] = [];
  const serverLoops: Loop[] = [];
  for (let s = 0; s < CLUSTER_SERVERS; s++) {
    const loop = createLoop({ reactor, name: `s${s}`, askTimeoutMs: CLUSTER_ASK_TIMEOUT_MS });
    const replica = { forwardTimeoutMs: 500, syncIntervalMs: 0 };
    const server = spawnServer(loop, { server: s, rooms, homeOf: (room) => room % CLUSTER_SERVERS, ledger, replica });
    loops.push({ loop, actors: server.actors });
    lobbies.push(server.lobby);
    serverLoops.push(loop);
    for (let other = 0; other < s; other++) server.lobby.tell("meet", link(serverLoops[other]!, loop, lobbies[other]!));
  }
  // Let the lobbies introduce their rooms: every replica knows its home before clients start.
  const homeKnown = (loop: ClusterLoop) =>
    loop.actors.every((ref) => (loop.loop.inspect(ref)?.state as { home?: unknown }).home !== null);
  await withTimeout(
    until(() => loops.every(homeKnown)),
    10_000,
    "introducing the servers",
  );
  const config: ClientConfig = { postIntervalMs: 0, postsMax: postsPerClient, syncIntervalMs: 0, joinRetryMs: 200 };
  const clientLoops: Loop[] = [];
  for (let i = 0; i < CLUSTER_CLIENTS; i++) {
    const server = i % CLUSTER_SERVERS;
    const loop = createLoop({ reactor, name: `c${i}`, askTimeoutMs: CLUSTER_ASK_TIMEOUT_MS });
    const lobby = link(serverLoops[server]!, loop, lobbies[server]!) as Ref<Lobby>;
    clientLoops.push(loop);
    loops.push({
      loop,
      actors: [loop.spawn(clientBehaviour, { index: i, room: clientRooms[i]!, lobby, ledger, config })],
    });
  }
  const handledBefore = sum(loops);
  const start = nowMs();
  const expected = CLUSTER_CLIENTS * postsPerClient;
  await withTimeout(
    until(() => {
      const counts = ledger.counts;
      return counts.commits >= expected && counts.asksStarted === counts.asksSettled && ledger.deliveryGap() === null;
    }),
    60_000,
    "the real cluster run",
  );
  const wallMs = nowMs() - start;
  const handled = sum(loops) - handledBefore;
  if (ledger.safetyViolation !== null)
    throw new Error(`real cluster run broke an invariant: ${ledger.safetyViolation}`);
  for (const loop of [...clientLoops, ...serverLoops]) loop.shutdown();
  return { wallMs, handled, commits: ledger.counts.commits };
}
