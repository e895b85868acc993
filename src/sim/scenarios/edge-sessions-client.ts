import type { SimEngineIoClientMode } from "../edge/sim-engine-io-client.js";
import { SimSocketIoClient } from "../edge/sim-socket-io-client.js";
import type { SimNetwork } from "../sim-network.js";
import type { BootContext, SimNode } from "../sim-node.js";
import type { EdgeLedger } from "./edge-sessions-ledger.js";
import { EDGE_PATH } from "./edge-sessions-server.js";

/**
 * A client of the edge-sessions workload: a {@link SimSocketIoClient} that posts at its pace
 * (one post in flight, acknowledged), processes the room's `news` broadcasts, and reports both
 * to the ledger. A post whose connection is lost before its ack is emitted again, as a new
 * attempt, once the client has reconnected; in the heal phase it starts no new post.
 */

/** Pacing and connection settings of a client. */
export interface EdgeClientConfig {
  readonly index: number;
  readonly room: number;
  readonly mode: SimEngineIoClientMode;
  /** Mean time between two posts, in ms (each gap is drawn in [0.5, 1.5] × the mean). */
  readonly postIntervalMs: number;
  readonly connectTimeoutMs: number;
  readonly creditBytes: number;
  readonly reconnectDelayMs: number;
  readonly reconnectDelayMaxMs: number;
}

/** What the scenario's faults reach of a running client. */
export interface EdgeClientHandle {
  readonly client: SimSocketIoClient;
}

/** The boot function of client node `config.index`; `publish` receives its handle. */
export function bootEdgeClient(
  network: SimNetwork,
  server: SimNode,
  ledger: EdgeLedger,
  config: EdgeClientConfig,
  publish: (handle: EdgeClientHandle) => void,
): (context: BootContext) => void {
  return ({ node, reactor }) => {
    const { index } = config;
    let post = 0;
    let attempt = 0;
    /** The post started and not acknowledged yet (it survives reconnections). */
    let open = false;
    let inFlight = false;
    const client: SimSocketIoClient = new SimSocketIoClient(
      {
        network,
        node,
        reactor,
        server,
        path: EDGE_PATH,
        mode: config.mode,
        connectTimeoutMs: config.connectTimeoutMs,
        creditBytes: config.creditBytes,
        auth: { client: index, room: config.room },
        reconnectDelayMs: config.reconnectDelayMs,
        reconnectDelayMaxMs: config.reconnectDelayMaxMs,
      },
      {
        connect: (info) => {
          ledger.clientConnected(index, info);
          emitPost();
        },
        event: (name, args) => {
          if (name === "news") ledger.clientReceived(index, (args[0] as { seq: number }).seq);
        },
        disconnect: () => {
          ledger.clientDisconnected(index);
          if (inFlight) attempt++;
          inFlight = false;
        },
      },
    );
    const emitPost = (): void => {
      if (inFlight || !client.connected) return;
      if (!open) {
        if (ledger.quiet) return;
        open = true;
        attempt = 0;
        ledger.postStarted(index);
      }
      const key = `c${index}.${post}.${attempt}`;
      inFlight = client.emit("post", [{ key }], (reply) => {
        ledger.clientAcked(index, key, (reply[0] as { seq?: unknown } | undefined)?.seq);
        inFlight = false;
        open = false;
        post++;
      });
    };
    const tick = (): void => {
      emitPost();
      reactor.setTimer(config.postIntervalMs * (0.5 + reactor.random()), tick);
    };
    reactor.setTimer(config.postIntervalMs * reactor.random(), tick);
    publish({ client });
  };
}
