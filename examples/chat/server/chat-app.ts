/**
 * The chat server: one Chorus node serving the chat's static UI, a Socket.IO endpoint whose
 * connection actors run the sessions, room actors under a rooms supervisor, a lobby, and the
 * history store on its own worker loop (through its keeper). Built only on Chorus's public API.
 *
 * ```
 * root (one_for_one)
 * ├── history   keeper ──► history-store on worker loop "history" (SQLite, WAL)
 * ├── rooms     supervisor (one_for_one)
 * │   ├── room:general
 * │   └── room:<name> …
 * └── lobby     rooms list, throttled `rooms` broadcast
 * socket-io-connections (the Socket.IO server's supervisor) ── connection-<sid> … (sessions)
 * ```
 */
import { access, mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ChorusNode,
  childSpec,
  createHttpEdge,
  createNodeReactor,
  createSocketIoServer,
  formatReport,
  type Ref,
  type SocketIoServer,
  startNode,
  startWorkerLoop,
  supervisorSpec,
  type SupervisorProtocol,
  type WorkerLoop,
} from "../../../src/index.js";
import { CHILD_IDS, ChatDirectory } from "./chat-services.js";
import { historyKeeperBehaviour } from "./history-keeper.js";
import { type ChatLimits, DEFAULT_ROOM, resolveChatLimits } from "./limits.js";
import { lobbyBehaviour } from "./lobby.js";
import { attachSession } from "./session.js";

/** Options of {@link startChat}. */
/** How long `close()` lets sessions drain before cutting them, in ms. */
const CLOSE_DRAIN_MS = 3_000;

export interface ChatOptions {
  /** TCP port; 0 picks a free one. Default 3000. */
  readonly port?: number;
  /** Interface to listen on. Default: all interfaces (as `server.listen(port)`). */
  readonly host?: string;
  /** Directory of `chat.sqlite` (created if missing). Default `./chat-data`. */
  readonly dataDir?: string;
  /** Where log lines go (crash reports, start-up). Default: none. */
  readonly log?: (line: string) => void;
  /** Overrides of the chat's limits. */
  readonly limits?: Partial<ChatLimits>;
  /** Directory of the UI's static files. Default `../public/` next to this module. */
  readonly staticRoot?: string;
}

/** A running chat server. */
export interface ChatServer {
  /** `http://localhost:<port>` (or the host it listens on). */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The node (its loop, root supervisor and crash reports). */
  readonly node: ChorusNode;
  /** The Socket.IO server (its `supervisor` lists the connection actors). */
  readonly io: SocketIoServer;
  /** The rooms supervisor's current ref (its children are `room:<name>`), or null while it restarts. */
  roomsSupervisor(): Ref<SupervisorProtocol> | null;
  /** The history store's current far ref on its worker loop, or null while it (re)starts. */
  historyStore(): Promise<Ref<object> | null>;
  /** Stops accepting, closes every connection, stops the tree (flushing the store) and the worker loop. Idempotent. */
  close(): Promise<void>;
}

/** Restarts allowed per supervisor within {@link RESTART_PERIOD_MS} before it gives up. */
export const RESTART_INTENSITY = 10;
/** Window of the restart intensity, in ms. */
export const RESTART_PERIOD_MS = 10_000;
/** How long the history keeper (and its store) may take to stop, in ms. */
export const HISTORY_SHUTDOWN_MS = 10_000;

const DEFAULT_STATIC_ROOT = fileURLToPath(new URL("../public/", import.meta.url));
const STORE_MODULE_URL = new URL("./history-store.js", import.meta.url).href;

/**
 * Starts the chat and resolves once it listens.
 * @throws RangeError / TypeError for invalid options or limits; the listen error (e.g. EADDRINUSE).
 */
export async function startChat(options: ChatOptions = {}): Promise<ChatServer> {
  const limits = resolveChatLimits(options.limits);
  const port = options.port ?? 3000;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535)
    throw new RangeError(`port must be 0-65535, got ${port}`);
  const log = options.log ?? (() => {});
  const dataDir = resolvePath(options.dataDir ?? "chat-data");
  await mkdir(dataDir, { recursive: true });

  const reactor = createNodeReactor();
  const node = startNode({
    reactor,
    flags: { strategy: "one_for_one", intensity: RESTART_INTENSITY, periodMs: RESTART_PERIOD_MS },
  });
  node.reports.subscribe((report) => log(`chat: ${formatReport(report)}`));
  let historyLoop: WorkerLoop | null = null;
  try {
    historyLoop = await startWorkerLoop(node.loop, { name: "history" });
    const io = createSocketIoServer({ loop: node.loop, reactor, reporter: node.reports });
    const services = new ChatDirectory(node.loop, node.root, io, limits);
    await node.startChild(
      childSpec(
        CHILD_IDS.history,
        historyKeeperBehaviour,
        {
          workerLoop: historyLoop,
          moduleUrl: STORE_MODULE_URL,
          store: { dataDir, flushDelayMs: limits.storeFlushDelayMs, batchMessagesMax: limits.storeBatchMessagesMax },
        },
        { shutdownMs: HISTORY_SHUTDOWN_MS },
      ),
    );
    const known = await services.history()!.ask("roomNames", limits.roomsMax);
    const roomNames = [DEFAULT_ROOM, ...known.filter((name) => name !== DEFAULT_ROOM)].slice(0, limits.roomsMax);
    await node.startChild(
      supervisorSpec(
        CHILD_IDS.rooms,
        { strategy: "one_for_one", intensity: RESTART_INTENSITY, periodMs: RESTART_PERIOD_MS },
        roomNames.map((name) => services.roomSpec(name)),
      ),
    );
    await node.startChild(
      childSpec(CHILD_IDS.lobby, lobbyBehaviour, { io, services, throttleMs: limits.roomsBroadcastThrottleMs }),
    );
    io.on("connection", (socket) => attachSession(socket, { services, limits, reactor }));
    return await listen({ options, port, log, node, io, services, historyLoop });
  } catch (error) {
    await node.stop();
    await historyLoop?.stop();
    throw error;
  }
}

interface Parts {
  readonly options: ChatOptions;
  readonly port: number;
  readonly log: (line: string) => void;
  readonly node: ChorusNode;
  readonly io: SocketIoServer;
  readonly services: ChatDirectory;
  readonly historyLoop: WorkerLoop;
}

async function listen(parts: Parts): Promise<ChatServer> {
  const { node, io, services, historyLoop } = parts;
  const staticRoot = parts.options.staticRoot ?? DEFAULT_STATIC_ROOT;
  let closing: Promise<void> | null = null;
  // Checked once here: the network loop makes no blocking call, not even a stat.
  const uiBuilt = await access(staticRoot).then(
    () => true,
    () => false,
  );
  const edge = createHttpEdge({
    staticRoot,
    readiness: () => closing === null,
    onUnhandled: (req, res) => {
      const root = req.url === "/" || req.url?.startsWith("/?") === true;
      res
        .writeHead(404, { "content-type": "text/plain; charset=utf-8" })
        .end(root && !uiBuilt ? "the chat UI is not built: run `npm run build`" : "not found");
    },
  });
  // Mounted (not attached): Engine.IO requests pass the edge's framing, size and CORS checks.
  edge.mount(io.engine);
  await new Promise<void>((resolve, reject) => {
    edge.server.once("error", reject);
    const done = () => {
      edge.server.off("error", reject);
      resolve();
    };
    if (parts.options.host === undefined) edge.server.listen(parts.port, done);
    else edge.server.listen(parts.port, parts.options.host, done);
  });
  const port = (edge.server.address() as AddressInfo).port;
  const host = parts.options.host;
  const shown =
    host === undefined || host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  const url = `http://${shown}:${port}`;
  parts.log(`chat: listening on ${url}`);
  return {
    url,
    port,
    node,
    io,
    roomsSupervisor: () => services.roomsSupervisor,
    historyStore: async () => {
      const keeper = services.history();
      return keeper === null ? null : ((await keeper.ask("storeRef")) as Ref<object> | null);
    },
    close: () => {
      closing ??= (async () => {
        // Graceful: /readyz turns 503, new handshakes are refused, queued packets are flushed
        // and sessions close with a reason the stock client reconnects from (within the drain).
        edge.setReady(false);
        await io.close({ drainMs: CLOSE_DRAIN_MS });
        const closed = new Promise<void>((resolve) => edge.server.close(() => resolve()));
        edge.server.closeAllConnections();
        await node.stop();
        await historyLoop.stop();
        await closed;
      })();
      return closing;
    },
  };
}
