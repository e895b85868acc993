import type { Prng } from "../../reactor/virtual/prng.js";
import type { SimEngineIoClientMode } from "../edge/sim-engine-io-client.js";
import type { Scenario, ScenarioContext } from "../scenario.js";
import type { SimNetwork } from "../sim-network.js";
import { type EdgeClientHandle, bootEdgeClient } from "./edge-sessions-client.js";
import { EdgeLedger } from "./edge-sessions-ledger.js";
import {
  type EdgeFault,
  type EdgePlan,
  describeEdgeFault,
  drawEdgePlan,
  edgePlanArbitrary,
} from "./edge-sessions-plan.js";
import { type EdgeServerHandle, type EdgeServerSabotage, bootEdgeServer } from "./edge-sessions-server.js";

/**
 * Chorus's Socket.IO server under the simulator. One server node runs `createSocketIoServer` on
 * its kernel loop, with connection state recovery, served over simulated WebSockets and HTTP
 * long-polling (the production transports, sessions, heartbeats and upgrades; see
 * `src/sim/edge/`). A few simulated clients — WebSocket, polling, or polling upgraded to
 * WebSocket — join rooms, post with acks (the handler broadcasts each post to the room) and
 * process the broadcasts, while a fault plan drawn from the seed hits them: lossy and slow
 * links, partitions, resets, paused nodes, clients that stop reading, connections cut and
 * sessions closed by the server, and clients that leave for good. They reconnect, presenting
 * their pid and offset to recover.
 *
 * Safety (after every step): the ledger's ack, order and recovery checks (edge-sessions-ledger.ts).
 * Liveness (after the heal): every client still around is connected; the server holds exactly
 * one Engine.IO session and one socket per such client (gone clients reaped); each has processed
 * every broadcast to its room since its socket joined; every post is acknowledged; the server's
 * timers are bounded by its sessions.
 */

/** Options drawn from the seed. */
export interface EdgeSessionsOptions {
  readonly clients: number;
  readonly rooms: number;
  /** How each client connects. */
  readonly modes: readonly SimEngineIoClientMode[];
  readonly postIntervalMs: number;
  readonly latencyMaxMs: number;
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  readonly outboundPacketsMax: number;
  readonly slowConsumerGraceMs: number;
  readonly windowBytes: number;
}

/** What the invariants read. */
export interface EdgeSessionsState {
  readonly ledger: EdgeLedger;
  readonly options: EdgeSessionsOptions;
  readonly plan: EdgePlan;
  server: EdgeServerHandle | null;
  readonly clients: (EdgeClientHandle | null)[];
}

const CHAOS_MS = 4_000;
const SERVER = "server";
/** Longer than any run: within a run a persisted session never expires (see the ledger). */
const MAX_DISCONNECTION_DURATION_MS = 60_000;
/** Timers the server node may hold beyond {@link TIMERS_PER_SESSION} per session (loop, supervisor). */
export const SERVER_TIMERS_BASE = 8;
/** Timers one idle session may hold on the server (heartbeat, polite-close and upgrade timers). */
export const TIMERS_PER_SESSION = 3;
const MODES: readonly SimEngineIoClientMode[] = ["websocket", "polling", "upgrade"];

const clientName = (index: number): string => `c${index}`;

function configureLinks(network: SimNetwork, options: EdgeSessionsOptions): void {
  for (let i = 0; i < options.clients; i++) {
    network.setLink(clientName(i), SERVER, { latencyMinMs: 1, latencyMaxMs: options.latencyMaxMs });
  }
}

function applyFault(context: ScenarioContext<EdgeSessionsOptions>, state: EdgeSessionsState, fault: EdgeFault): void {
  const { network, world, at, options } = context;
  const gone = (): boolean => state.ledger.clients[fault.client]!.gone;
  if (gone()) return; // a client that left is down for good: nothing more happens to it
  const name = clientName(fault.client);
  const node = world.node(name);
  const link = (config: { lossRate?: number; latencyMaxMs?: number }) => network.setLink(name, SERVER, config);
  const until = (label: string, run: () => void) => {
    if ("forMs" in fault) at(world.nowMs + fault.forMs, `end: ${label}`, () => gone() || run());
  };
  const label = describeEdgeFault(fault);
  switch (fault.kind) {
    case "lossy":
      link({ lossRate: fault.lossRate });
      return until(label, () => link({ lossRate: 0 }));
    case "partition":
      link({ lossRate: 1 });
      return until(label, () => link({ lossRate: 0 }));
    case "slow":
      link({ latencyMaxMs: fault.latencyMaxMs });
      return until(label, () => link({ latencyMaxMs: options.latencyMaxMs }));
    case "reset":
      return network.reset(name, SERVER);
    case "pause":
      node.pause();
      return until(label, () => node.resume());
    case "stop-reading":
      state.clients[fault.client]?.client.setReading(false);
      return until(label, () => state.clients[fault.client]?.client.setReading(true));
    case "cut":
      state.server?.edge.cut(name);
      return;
    case "close-session": {
      const engineId = state.server?.engineOfClient.get(fault.client);
      if (engineId !== undefined) state.server?.engines.get(engineId)?.close("closed by the server");
      return;
    }
    case "leave":
      node.crash();
      state.ledger.clientGone(fault.client);
      return;
  }
}

/** Builds the edge-sessions scenario; `sabotage` breaks the server on purpose (tests only). */
export function createEdgeSessionsScenario(
  sabotage: EdgeServerSabotage = {},
  name = "edge-sessions",
): Scenario<EdgeSessionsOptions, EdgePlan, EdgeSessionsState> {
  return {
    name,
    description: "Socket.IO clients (WebSocket, polling, upgrade) through faults, acks, recovery and slow consumers",
    options: (prng: Prng) => {
      const clients = 3 + prng.nextInt(4);
      return {
        clients,
        rooms: 1 + prng.nextInt(2),
        modes: Array.from({ length: clients }, () => MODES[prng.nextInt(MODES.length)]!),
        postIntervalMs: 40 + prng.nextInt(120),
        latencyMaxMs: 2 + prng.nextInt(30),
        pingIntervalMs: 300 + prng.nextInt(400),
        pingTimeoutMs: 200 + prng.nextInt(300),
        outboundPacketsMax: 8 + prng.nextInt(16),
        slowConsumerGraceMs: 100 + prng.nextInt(300),
        windowBytes: 256 * (1 + prng.nextInt(4)),
      };
    },
    plan: (prng, options) => drawEdgePlan(prng, options.clients, CHAOS_MS),
    planArbitrary: (options) => edgePlanArbitrary(options.clients, CHAOS_MS),
    setup(context, plan) {
      const { world, network, options, prng, at } = context;
      const clientRooms = Array.from({ length: options.clients }, () => prng.nextInt(options.rooms));
      const ledger = new EdgeLedger(options.rooms, clientRooms, MAX_DISCONNECTION_DURATION_MS);
      const state: EdgeSessionsState = { ledger, options, plan, server: null, clients: [] };
      const server = world.addNode(SERVER);
      const config = { ...options, maxDisconnectionDurationMs: MAX_DISCONNECTION_DURATION_MS };
      server.setBoot(bootEdgeServer(world, network, ledger, config, sabotage, (handle) => (state.server = handle)));
      for (let i = 0; i < options.clients; i++) {
        state.clients.push(null);
        const client = {
          index: i,
          room: clientRooms[i]!,
          mode: options.modes[i]!,
          postIntervalMs: options.postIntervalMs,
          connectTimeoutMs: 1_000,
          creditBytes: options.windowBytes / 4,
          reconnectDelayMs: 50,
          reconnectDelayMaxMs: 800,
        };
        world
          .addNode(clientName(i))
          .setBoot(bootEdgeClient(network, server, ledger, client, (h) => (state.clients[i] = h)));
      }
      configureLinks(network, options);
      for (const fault of plan.faults)
        at(fault.atMs, describeEdgeFault(fault), () => applyFault(context, state, fault));
      return state;
    },
    heal({ network, world, options }, state) {
      network.heal();
      configureLinks(network, options);
      for (const record of state.ledger.clients) {
        const node = world.node(clientName(record.index));
        if (!record.gone && node.status === "paused") node.resume();
        if (!record.gone) state.clients[record.index]?.client.setReading(true);
      }
      state.ledger.quiet = true;
    },
    safety: [{ name: "acks, order and recovery hold", check: (state) => state.ledger.safetyViolation }],
    liveness: [
      { name: "every client still around is connected", check: disconnectedClients },
      { name: "the server holds one session per client (gone clients reaped)", check: leakedSessions },
      { name: "every client processed every broadcast to its room", check: (state) => state.ledger.deliveryGap() },
      { name: "every post is acknowledged", check: (state) => state.ledger.unackedPosts() },
      { name: "the server's timers are bounded by its sessions", check: leakedTimers },
    ],
    chaosMs: CHAOS_MS,
    healMs: 10_000,
  };
}

function disconnectedClients(state: EdgeSessionsState): string | null {
  const down = state.ledger.liveClients().filter((client) => {
    const handle = state.clients[client.index];
    return !client.connected || handle === null || !handle.client.connected;
  });
  return down.length === 0 ? null : `not connected: ${down.map((client) => `c${client.index}`).join(", ")}`;
}

function leakedSessions(state: EdgeSessionsState): string | null {
  const server = state.server;
  if (server === null) return "the server has not booted";
  const live = state.ledger.liveClients().length;
  const sessions = server.io.engine.clientsCount;
  const sockets = server.io.of("/").sockets.size;
  return sessions === live && sockets === live
    ? null
    : `${sessions} sessions and ${sockets} sockets for ${live} clients`;
}

function leakedTimers(state: EdgeSessionsState): string | null {
  const server = state.server;
  if (server === null) return "the server has not booted";
  const bound = SERVER_TIMERS_BASE + TIMERS_PER_SESSION * server.io.engine.clientsCount;
  const timers = server.node.liveTimers;
  return timers <= bound ? null : `${timers} live timers on the server (bound ${bound})`;
}

/** The edge-sessions scenario (see the module comment). */
export const edgeSessionsScenario = createEdgeSessionsScenario();
