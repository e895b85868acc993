import fc from "fast-check";
import { createLoop, type Loop } from "../../kernel/loop.js";
import type { AnyRef, Ref } from "../../kernel/ref.js";
import type { Prng } from "../../reactor/virtual/prng.js";
import type { Scenario, ScenarioContext } from "../scenario.js";
import type { SimNetwork } from "../sim-network.js";
import type { BootContext, SimNode } from "../sim-node.js";
import { traceLoop } from "../trace-loop.js";
import { type ClientActor, type ClientConfig, clientBehaviour } from "./cluster-traffic-client.js";
import { acceptLoop, dialLoop } from "./cluster-traffic-handshake.js";
import { ClusterLedger } from "./cluster-traffic-ledger.js";
import type { ReplicaConfig } from "./cluster-traffic-room.js";
import { spawnServer } from "./cluster-traffic-server.js";

/**
 * Three server nodes and a hundred clients chatting in rooms, on the real kernel. Every node is a
 * simulated machine with its own kernel loop; servers are linked pairwise and each client to one
 * server, by SimLoopTransport connections, so every far ask and tell crosses the simulated
 * network. A post goes client → its server's replica → the room's home (another server two times
 * in three) → every replica → every member. A light fault plan drawn from the seed (a partition
 * or lossy link between servers, a client cut off) runs during the chaos phase; the heal phase
 * must bring every member up to date.
 */

/** Server nodes. */
export const CLUSTER_SERVERS = 3;
/** Client nodes (one loop and one client actor each). */
export const CLUSTER_CLIENTS = 100;
/** Default ask timeout of every loop, in ms. */
export const CLUSTER_ASK_TIMEOUT_MS = 1_000;
const PORT = "chorus";

/** Options drawn from the seed. */
export interface ClusterOptions {
  readonly rooms: number;
  /** Mean time between two posts of one client, in ms. */
  readonly postIntervalMs: number;
  /** Largest one-way latency between servers, in ms (smallest: 1). */
  readonly serverLatencyMaxMs: number;
  /** Largest one-way latency between a client and its server, in ms (smallest: 5). */
  readonly clientLatencyMaxMs: number;
}

/** One fault of the plan; it lasts until the heal phase, or for good when `permanent`. */
export type ClusterFault =
  | {
      readonly kind: "partition";
      readonly a: number;
      readonly b: number;
      readonly atMs: number;
      readonly permanent?: boolean;
    }
  | { readonly kind: "loss"; readonly a: number; readonly b: number; readonly lossRate: number; readonly atMs: number }
  | { readonly kind: "isolate"; readonly client: number; readonly atMs: number; readonly permanent?: boolean };

/** The plan shrinking minimizes: the faults. */
export interface ClusterPlan {
  readonly faults: readonly ClusterFault[];
}

/** A loop of the run and the actors on it (for inspection). */
export interface ClusterLoop {
  readonly loop: Loop;
  readonly actors: AnyRef[];
}

/** What the invariants read. */
export interface ClusterState {
  readonly ledger: ClusterLedger;
  readonly plan: ClusterPlan;
  readonly loops: ClusterLoop[];
  readonly clients: Ref<ClientActor>[];
}

const CHAOS_MS = 3_000;
const FAULT_EARLIEST_MS = 300;
const REPLICA: ReplicaConfig = { forwardTimeoutMs: 500, syncIntervalMs: 500 };

/** The messages handled by every actor of the run so far (the kernel's own count). */
export function handledMessages(state: ClusterState): number {
  let total = 0;
  for (const { loop, actors } of state.loops) {
    for (const ref of actors) total += loop.inspect(ref)?.messagesHandled ?? 0;
  }
  return total;
}

const serverName = (index: number) => `s${index}`;
const clientName = (index: number) => `c${index}`;

function describeFault(fault: ClusterFault): string {
  const how = "permanent" in fault && fault.permanent ? " for good" : "";
  switch (fault.kind) {
    case "partition":
      return `partition s${fault.a} | s${fault.b}${how}`;
    case "loss":
      return `loss ${fault.lossRate} between s${fault.a} and s${fault.b}`;
    case "isolate":
      return `cut c${fault.client} off its server${how}`;
  }
}

function applyFault(network: SimNetwork, fault: ClusterFault): void {
  switch (fault.kind) {
    case "partition":
      network.partition(serverName(fault.a), serverName(fault.b));
      return;
    case "loss":
      network.setLink(serverName(fault.a), serverName(fault.b), { lossRate: fault.lossRate });
      return;
    case "isolate":
      network.partition(clientName(fault.client), serverName(fault.client % CLUSTER_SERVERS));
      return;
  }
}

function drawFault(prng: Prng, atMs: number): ClusterFault {
  const a = prng.nextInt(CLUSTER_SERVERS);
  const b = (a + 1 + prng.nextInt(CLUSTER_SERVERS - 1)) % CLUSTER_SERVERS;
  switch (prng.nextInt(3)) {
    case 0:
      return { kind: "partition", a, b, atMs };
    case 1:
      return { kind: "loss", a, b, lossRate: Math.round((0.05 + prng.nextFloat() * 0.25) * 100) / 100, atMs };
    default:
      return { kind: "isolate", client: prng.nextInt(CLUSTER_CLIENTS), atMs };
  }
}

function bootServer(context: ScenarioContext<ClusterOptions>, state: ClusterState, index: number, servers: SimNode[]) {
  const { network, options } = context;
  return ({ node, reactor }: BootContext) => {
    const loop = createLoop({ reactor, name: node.name, askTimeoutMs: CLUSTER_ASK_TIMEOUT_MS });
    traceLoop(node, loop);
    const homeOf = (room: number) => room % CLUSTER_SERVERS;
    const server = spawnServer(loop, {
      server: index,
      rooms: options.rooms,
      homeOf,
      ledger: state.ledger,
      replica: REPLICA,
    });
    state.loops.push({ loop, actors: server.actors });
    network.listen(node, PORT, (connection) => acceptLoop(connection, loop, server.lobby));
    for (let other = 0; other < index; other++) {
      const connection = network.connect(node, servers[other]!, PORT);
      dialLoop(connection, loop, (lobby) => server.lobby.tell("meet", lobby));
    }
  };
}

function bootClient(
  context: ScenarioContext<ClusterOptions>,
  state: ClusterState,
  index: number,
  room: number,
  server: SimNode,
) {
  const config: ClientConfig = {
    postIntervalMs: context.options.postIntervalMs,
    postsMax: Number.POSITIVE_INFINITY,
    syncIntervalMs: 1_000,
    joinRetryMs: 200,
  };
  return ({ node, reactor }: BootContext) => {
    const loop = createLoop({ reactor, name: node.name, askTimeoutMs: CLUSTER_ASK_TIMEOUT_MS });
    traceLoop(node, loop);
    dialLoop(context.network.connect(node, server, PORT), loop, (lobby) => {
      const client = loop.spawn(clientBehaviour, { index, room, lobby, ledger: state.ledger, config });
      state.loops.push({ loop, actors: [client] });
      state.clients.push(client);
    });
  };
}

// SimNetwork.heal() resets every link to the network's defaults, latency included: set ours again.
function configureLinks(network: SimNetwork, options: ClusterOptions): void {
  for (let a = 0; a < CLUSTER_SERVERS; a++) {
    for (let b = a + 1; b < CLUSTER_SERVERS; b++) {
      network.setLink(serverName(a), serverName(b), { latencyMinMs: 1, latencyMaxMs: options.serverLatencyMaxMs });
    }
  }
  for (let i = 0; i < CLUSTER_CLIENTS; i++) {
    const server = serverName(i % CLUSTER_SERVERS);
    network.setLink(clientName(i), server, { latencyMinMs: 5, latencyMaxMs: options.clientLatencyMaxMs });
  }
}

function setup(context: ScenarioContext<ClusterOptions>, plan: ClusterPlan): ClusterState {
  const { world, network, options, prng, at } = context;
  const clientRooms = Array.from({ length: CLUSTER_CLIENTS }, () => prng.nextInt(options.rooms));
  const state: ClusterState = { ledger: new ClusterLedger(options.rooms, clientRooms), plan, loops: [], clients: [] };
  const servers: SimNode[] = [];
  for (let i = 0; i < CLUSTER_SERVERS; i++) servers.push(world.addNode(serverName(i)));
  servers.forEach((node, i) => node.setBoot(bootServer(context, state, i, servers)));
  configureLinks(network, options);
  for (let i = 0; i < CLUSTER_CLIENTS; i++) {
    const server = servers[i % CLUSTER_SERVERS]!;
    world.addNode(clientName(i)).setBoot(bootClient(context, state, i, clientRooms[i]!, server));
  }
  for (const fault of plan.faults) at(fault.atMs, describeFault(fault), () => applyFault(network, fault));
  return state;
}

// Covers every plan `plan` draws (and permanent faults), so a failing plan can be shrunk.
const serverPair = {
  a: fc.integer({ min: 0, max: CLUSTER_SERVERS - 1 }),
  b: fc.integer({ min: 0, max: CLUSTER_SERVERS - 1 }),
};
const faultAtMs = fc.integer({ min: FAULT_EARLIEST_MS, max: CHAOS_MS });
const faultArbitrary: fc.Arbitrary<ClusterFault> = fc.oneof(
  fc
    .record(
      { kind: fc.constant("partition" as const), ...serverPair, atMs: faultAtMs, permanent: fc.boolean() },
      { requiredKeys: ["kind", "a", "b", "atMs"] },
    )
    .filter((fault) => fault.a !== fault.b),
  fc
    .record({
      kind: fc.constant("loss" as const),
      ...serverPair,
      lossRate: fc.double({ min: 0.05, max: 0.3, noNaN: true }),
      atMs: faultAtMs,
    })
    .filter((fault) => fault.a !== fault.b),
  fc.record(
    {
      kind: fc.constant("isolate" as const),
      client: fc.integer({ min: 0, max: CLUSTER_CLIENTS - 1 }),
      atMs: faultAtMs,
      permanent: fc.boolean(),
    },
    { requiredKeys: ["kind", "client", "atMs"] },
  ),
);

/** The cluster-traffic scenario (see the module comment). */
export const clusterTrafficScenario: Scenario<ClusterOptions, ClusterPlan, ClusterState> = {
  name: "cluster-traffic",
  description: "3 servers and 100 clients chatting in rooms over the real kernel and simulated links",
  options: (prng: Prng) => ({
    rooms: 8 + prng.nextInt(5),
    postIntervalMs: 500 + prng.nextInt(1_001),
    serverLatencyMaxMs: 2 + prng.nextInt(4),
    clientLatencyMaxMs: 20 + prng.nextInt(41),
  }),
  plan: (prng: Prng) => {
    const count = prng.nextInt(3);
    const faults: ClusterFault[] = [];
    for (let i = 0; i < count; i++)
      faults.push(drawFault(prng, FAULT_EARLIEST_MS + prng.nextInt(CHAOS_MS - FAULT_EARLIEST_MS)));
    return { faults };
  },
  planArbitrary: () => fc.record({ faults: fc.array(faultArbitrary, { maxLength: 3 }) }),
  setup,
  heal({ network, options }, state) {
    network.heal();
    configureLinks(network, options);
    for (const fault of state.plan.faults) if ("permanent" in fault && fault.permanent) applyFault(network, fault);
    for (const client of state.clients) client.tell("quiesce");
  },
  safety: [{ name: "members apply committed messages in room order", check: (state) => state.ledger.safetyViolation }],
  liveness: [
    { name: "every acknowledged message reached every member", check: (state) => state.ledger.deliveryGap() },
    { name: "every ask settles exactly once", check: (state) => state.ledger.unsettledAsks() },
  ],
  chaosMs: CHAOS_MS,
  healMs: 5_000,
};
