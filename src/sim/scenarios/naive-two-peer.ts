import fc from "fast-check";
import type { Prng } from "../../reactor/virtual/prng.js";
import type { Scenario } from "../scenario.js";
import type { SimConnection } from "../sim-network.js";
import type { SimNode } from "../sim-node.js";

/**
 * The lock-up libchirp's author ran into, rebuilt on purpose: each peer has a bounded number of
 * receive slots; a request's handler keeps its slot while it sends a sub-request to the other
 * peer and waits for that sub-request's acknowledgement; and acknowledgements need a slot too.
 * When both peers fill their slots with handlers that wait for each other, nothing can move.
 * Chorus's own transport avoids it (acks and pings never take a slot); see the wire issue.
 */

/** Options drawn from the seed. */
export interface NaiveOptions {
  /** Receive slots per peer. */
  readonly slots: number;
  /** One-way latency bounds, in ms. */
  readonly latencyMinMs: number;
  readonly latencyMaxMs: number;
}

/** One request started by the workload: who sends it, when, and how many hops it makes. */
export interface NaiveSend {
  readonly from: "a" | "b";
  readonly atMs: number;
  readonly hops: number;
}

/** The plan shrinking minimizes: the workload. */
export type NaivePlan = readonly NaiveSend[];

type Wire =
  { readonly kind: "req"; readonly id: string; readonly hops: number } | { readonly kind: "ack"; readonly id: string };

interface Peer {
  readonly name: "a" | "b";
  connection: SimConnection | null;
  slotsFree: number;
  /** Messages that arrived while every slot was taken (reading is paused). */
  readonly backlog: Wire[];
  /** Handlers holding a slot while they wait for the ack of their sub-request, by sub-request id. */
  readonly waiting: Map<string, string>;
  nextId: number;
}

/** What the invariants read. */
export interface NaiveState {
  readonly started: Set<string>;
  readonly acked: Set<string>;
  readonly peers: readonly Peer[];
  readonly slots: number;
}

function receive(peer: Peer, message: Wire, state: NaiveState): void {
  if (peer.slotsFree === 0) {
    peer.backlog.push(message);
    return;
  }
  peer.slotsFree--;
  handle(peer, message, state);
}

function handle(peer: Peer, message: Wire, state: NaiveState): void {
  if (message.kind === "ack") {
    state.acked.add(message.id);
    const waitingFor = peer.waiting.get(message.id);
    peer.waiting.delete(message.id);
    release(peer, state); // the ack's own slot
    if (waitingFor !== undefined) finish(peer, waitingFor, state);
    return;
  }
  if (message.hops === 0) {
    finish(peer, message.id, state);
    return;
  }
  // The naive part: hold this slot until the other peer acknowledges our sub-request.
  const sub = `${peer.name}${peer.nextId++}`;
  state.started.add(sub);
  peer.waiting.set(sub, message.id);
  peer.connection?.send({ kind: "req", id: sub, hops: message.hops - 1 } satisfies Wire);
}

function finish(peer: Peer, requestId: string, state: NaiveState): void {
  peer.connection?.send({ kind: "ack", id: requestId } satisfies Wire);
  release(peer, state);
}

function release(peer: Peer, state: NaiveState): void {
  peer.slotsFree++;
  const next = peer.backlog.shift();
  if (next !== undefined) {
    peer.slotsFree--;
    handle(peer, next, state);
  }
}

function wire(node: SimNode, peer: Peer, connection: SimConnection, state: NaiveState): void {
  peer.connection = connection;
  connection.onMessage = (data) => receive(peer, data as Wire, state);
  void node;
}

/** The naive two-peer protocol, with a liveness invariant: every request is acknowledged. */
export const naiveTwoPeerScenario: Scenario<NaiveOptions, NaivePlan, NaiveState> = {
  name: "naive-two-peer",
  description: "a deliberately naive slot/ack protocol that locks up (libchirp's T-ACK lock-up)",
  options: (prng: Prng) => ({
    slots: 2 + prng.nextInt(2),
    latencyMinMs: 1,
    latencyMaxMs: 2 + prng.nextInt(20),
  }),
  plan: (prng: Prng) => {
    const count = 1 + prng.nextInt(6);
    const sends: NaiveSend[] = [];
    for (let i = 0; i < count; i++) {
      sends.push({ from: prng.nextInt(2) === 0 ? "a" : "b", atMs: prng.nextInt(200), hops: prng.nextInt(3) });
    }
    return sends;
  },
  planArbitrary: () =>
    fc.array(
      fc.record({
        from: fc.constantFrom<"a" | "b">("a", "b"),
        atMs: fc.integer({ min: 0, max: 200 }),
        hops: fc.integer({ min: 0, max: 2 }),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  setup({ world, network, options, at }, plan) {
    network.setLink("a", "b", { latencyMinMs: options.latencyMinMs, latencyMaxMs: options.latencyMaxMs });
    const a = world.addNode("a");
    const b = world.addNode("b");
    const peers: Peer[] = [a, b].map((node) => ({
      name: node.name as "a" | "b",
      connection: null,
      slotsFree: options.slots,
      backlog: [],
      waiting: new Map(),
      nextId: 0,
    }));
    const state: NaiveState = { started: new Set(), acked: new Set(), peers, slots: options.slots };
    const [peerA, peerB] = peers as [Peer, Peer];
    network.listen(b, "naive", (connection) => wire(b, peerB, connection, state));
    wire(a, peerA, network.connect(a, b, "naive"), state);
    for (const send of plan) {
      const peer = send.from === "a" ? peerA : peerB;
      at(send.atMs, `${send.from} sends a request with ${send.hops} hop(s)`, () => {
        const id = `${peer.name}${peer.nextId++}`;
        state.started.add(id);
        peer.connection?.send({ kind: "req", id, hops: send.hops } satisfies Wire);
      });
    }
    return state;
  },
  safety: [
    {
      name: "slots stay within bounds",
      check: (state) =>
        state.peers.some((p) => p.slotsFree < 0 || p.slotsFree > state.slots)
          ? "a peer's free slot count left [0, slots]"
          : null,
    },
  ],
  liveness: [
    {
      name: "every request is acknowledged",
      check: (state) => {
        const missing = [...state.started].filter((id) => !state.acked.has(id));
        if (missing.length === 0) return null;
        const stuck = state.peers.map(
          (p) =>
            `${p.name}: ${p.slotsFree} free slot(s), ${p.waiting.size} handler(s) waiting, ${p.backlog.length} queued`,
        );
        return `${missing.length} request(s) never acknowledged (${missing.join(", ")}); ${stuck.join("; ")}`;
      },
    },
  ],
  chaosMs: 300,
  healMs: 5_000,
};
