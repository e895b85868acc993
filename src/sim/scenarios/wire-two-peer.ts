import fc from "fast-check";
import type { Prng } from "../../reactor/virtual/prng.js";
import { SimDuplex } from "../../wire/sim-duplex.js";
import type { WireSendError } from "../../wire/send-error.js";
import { WireConnection } from "../../wire/wire-connection.js";
import type { WireMessage } from "../../wire/wire-message.js";
import type { Scenario } from "../scenario.js";
import type { SimNode } from "../sim-node.js";
import type { NaiveOptions, NaiveSend } from "./naive-two-peer.js";

/**
 * The naive two-peer workload (see naive-two-peer.ts) on the real wire connection code, run over
 * simulated connections through {@link SimDuplex}. Two peers with few receive slots send each
 * other acknowledged requests; a request with hops left makes its handler send a sub-request back
 * (acknowledged too); handlers stay busy a random while, so both peers' slots and both ack
 * windows are full at once, and keepalive PINGs run the whole time.
 *
 * What differs from the naive design is the transport's rule: ACK, NACK, PING and PONG never need
 * a slot and are read however busy the slots are. And, as in Chorus's kernel, a handler releases
 * its slot when it has handed the message on (here: after its busy time and its sub-request is
 * queued), not when its own sub-request is acknowledged — a handler that holds a slot while
 * waiting for the peer, whose handlers wait for it, is a cycle of waits that no bounded transport
 * can resolve. Liveness: every request is acknowledged; safety: no send fails, no connection
 * closes, handlers never exceed the slots and the sender never exceeds the peer's window.
 */

/** One burst of the workload: `count` requests (default 1) from one peer at one time. */
export interface WireSend extends NaiveSend {
  readonly count?: number;
}

/** The plan shrinking minimizes; a naive plan is a valid wire plan. */
export type WirePlan = readonly WireSend[];

interface Peer {
  readonly name: "a" | "b";
  readonly node: SimNode;
  connection: WireConnection | null;
  nextId: number;
  /** The highest request number handled from the other peer (order check). */
  lastHandled: number;
  handlersRunning: number;
  handlersPeak: number;
  /** The most ack-requested messages this peer had in flight at once (the peer's window is `slots`). */
  windowPeak: number;
  /** Requests started before this peer's connection existed. */
  readonly early: Request[];
}

/** What the invariants read. */
export interface WireTwoPeerState {
  readonly started: Set<string>;
  readonly acked: Set<string>;
  readonly failures: string[];
  readonly peers: readonly Peer[];
  readonly slots: number;
}

interface Request {
  readonly id: string;
  readonly n: number;
  readonly hops: number;
}

const BUSY_MS_MAX = 20;

function send(peer: Peer, hops: number, state: WireTwoPeerState): void {
  const n = peer.nextId++;
  const id = `${peer.name}${n}`;
  state.started.add(id);
  // b's end exists once the simulated connect reaches it; requests drawn for earlier wait for it.
  if (peer.connection === null) {
    peer.early.push({ id, n, hops });
    return;
  }
  transmit(peer, { id, n, hops }, state);
}

function transmit(peer: Peer, request: Request, state: WireTwoPeerState): void {
  const { id, n, hops } = request;
  const connection = peer.connection!;
  connection.send({ id, n, hops } satisfies Request).then(
    () => state.acked.add(id),
    (error: WireSendError) => state.failures.push(`${id}: ${error.code} ${error.message}`),
  );
  peer.windowPeak = Math.max(peer.windowPeak, connection.stats.inFlight);
}

function handle(peer: Peer, message: WireMessage, state: WireTwoPeerState): Promise<void> {
  const request = message.body as Request;
  if (request.n <= peer.lastHandled) state.failures.push(`${peer.name} handled ${request.id} out of order`);
  peer.lastHandled = request.n;
  peer.handlersRunning++;
  peer.handlersPeak = Math.max(peer.handlersPeak, peer.handlersRunning);
  const reactor = peer.node.reactor;
  return new Promise<void>((resolve) => {
    reactor.setTimer(1 + reactor.random() * BUSY_MS_MAX, () => {
      if (request.hops > 0) send(peer, request.hops - 1, state);
      peer.handlersRunning--;
      resolve();
    });
  });
}

function attach(peer: Peer, connection: WireConnection, state: WireTwoPeerState): void {
  peer.connection = connection;
  connection.onMessage = (message) => handle(peer, message, state);
  connection.onClose = (info) => state.failures.push(`${peer.name}'s connection closed: ${info.code} ${info.reason}`);
  for (const request of peer.early.splice(0)) transmit(peer, request, state);
}

/** The wire's answer to the naive two-peer lock-up, with the same options and a compatible plan. */
export const wireTwoPeerScenario: Scenario<NaiveOptions, WirePlan, WireTwoPeerState> = {
  name: "wire-two-peer",
  description: "two peers with full slots exchange acknowledged messages over the real wire connection",
  options: (prng: Prng) => ({ slots: 2 + prng.nextInt(2), latencyMinMs: 1, latencyMaxMs: 2 + prng.nextInt(20) }),
  plan: (prng: Prng) => {
    const sends: WireSend[] = [];
    const bursts = 1 + prng.nextInt(8);
    for (let i = 0; i < bursts; i++) {
      sends.push({
        from: prng.nextInt(2) === 0 ? "a" : "b",
        atMs: prng.nextInt(200),
        hops: prng.nextInt(3),
        count: 1 + prng.nextInt(12),
      });
    }
    return sends;
  },
  planArbitrary: () =>
    fc.array(
      fc.record({
        from: fc.constantFrom<"a" | "b">("a", "b"),
        atMs: fc.integer({ min: 0, max: 200 }),
        hops: fc.integer({ min: 0, max: 2 }),
        count: fc.integer({ min: 1, max: 12 }),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  setup({ world, network, options, at }, plan) {
    network.setLink("a", "b", { latencyMinMs: options.latencyMinMs, latencyMaxMs: options.latencyMaxMs });
    const nodes = [world.addNode("a"), world.addNode("b")];
    const peers: Peer[] = nodes.map((node) => ({
      name: node.name as "a" | "b",
      node,
      connection: null,
      nextId: 1,
      lastHandled: 0,
      handlersRunning: 0,
      handlersPeak: 0,
      windowPeak: 0,
      early: [],
    }));
    const state: WireTwoPeerState = { started: new Set(), acked: new Set(), failures: [], peers, slots: options.slots };
    const [peerA, peerB] = peers as [Peer, Peer];
    const wireOptions = { slots: options.slots, pingIntervalMs: 50, pingTimeoutMs: 1_000, idleMs: 0 };
    network.listen(peerB.node, "wire", (end) => {
      const connection = new WireConnection(new SimDuplex(end, peerB.node.reactor), peerB.node.reactor, {
        ...wireOptions,
        nodeName: "b",
      });
      attach(peerB, connection, state);
    });
    const end = network.connect(peerA.node, peerB.node, "wire");
    const connection = new WireConnection(new SimDuplex(end, peerA.node.reactor), peerA.node.reactor, {
      ...wireOptions,
      nodeName: "a",
    });
    attach(peerA, connection, state);
    for (const burst of plan) {
      const peer = burst.from === "a" ? peerA : peerB;
      const count = burst.count ?? 1;
      at(burst.atMs, `${burst.from} sends ${count} request(s) with ${burst.hops} hop(s)`, () => {
        for (let i = 0; i < count; i++) send(peer, burst.hops, state);
      });
    }
    return state;
  },
  safety: [
    {
      name: "no send fails and no connection closes",
      check: (state) => (state.failures.length === 0 ? null : state.failures.slice(0, 3).join("; ")),
    },
    {
      name: "handlers stay within the slots and senders within the peer's window",
      check: (state) => {
        for (const peer of state.peers) {
          const stats = peer.connection?.stats;
          if (peer.handlersRunning > state.slots) return `${peer.name} runs ${peer.handlersRunning} handlers`;
          if (stats !== undefined && stats.inFlight > state.slots)
            return `${peer.name} has ${stats.inFlight} in flight`;
        }
        return null;
      },
    },
  ],
  liveness: [
    {
      name: "every request is acknowledged",
      check: (state) => {
        const missing = [...state.started].filter((id) => !state.acked.has(id));
        if (missing.length === 0) return null;
        const stuck = state.peers.map((p) => `${p.name}: ${JSON.stringify(p.connection?.stats)}`);
        return `${missing.length} request(s) not acknowledged (${missing.slice(0, 5).join(", ")}); ${stuck.join("; ")}`;
      },
    },
  ],
  // Keepalive timers repeat forever: the heal phase ends as soon as liveness holds.
  chaosMs: 300,
  healMs: 20_000,
};
