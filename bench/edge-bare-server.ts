/**
 * The near-limit references of the edge bench: bare servers that speak just enough of Engine.IO
 * v4 / Socket.IO v5 over WebSocket (text frames only) for the stock `socket.io-client` to
 * connect, broadcast and ask for acks — so every server is driven by the same generator:
 *
 * ```
 * server → client  0{"sid":…,"upgrades":[],"pingInterval":25000,…}    open
 * client → server  40                                                  CONNECT "/"
 * server → client  40{"sid":…}                                         CONNECT reply, joins the room
 * client → server  42["msg",{…}]          server → every member  42["msg",{…}]   (encoded once)
 * client → server  42<id>["echo",{…}]     server → client        43<id>[{…}]
 * server → client  2 (every pingInterval, one timer for all)    client → server 3
 * ```
 * JSON is parsed and re-encoded like the other servers do, once per broadcast; the frame's bytes
 * are made once and written to every member. Two socket layers run the same protocol:
 * - `ws`: the `ws` package, frames sent with the public `ws.send(bytes, { binary: false })`;
 * - `frames`: Chorus's own WebSocket layer (`src/edge/websocket/`: handshake, frame reader,
 *   one write per connection per turn) with nothing above it — no sessions, heartbeat timers per
 *   client, actors or Socket.IO semantics. It is the least JavaScript a Socket.IO-compatible
 *   server can run on this machine, the floor under any full server's figures.
 */
import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { SocketCorker } from "../src/edge/engine-io/socket-corker.js";
import { textFrame } from "../src/edge/websocket/frame-writer.js";
import { acceptWebSocket } from "../src/edge/websocket/server-web-socket.js";
import { createNodeReactor } from "../src/index.js";
import { ECHO_EVENT, FANOUT_EVENT, PING_INTERVAL_MS, PING_TIMEOUT_MS } from "./edge-protocol.js";
import type { BenchServer, ServerCounters } from "./edge-server-kinds.js";

const PING = "2";
const PATH = "/socket.io/";

/** One connected client, whatever the socket layer. */
interface Member {
  /** Sends a text message. */
  sendText(text: string): void;
  /** Sends a broadcast made once by {@link BareProtocol.frameFor}. */
  sendShared(frame: Buffer): void;
  /** Drops the connection. */
  terminate(): void;
}

/** The minimal protocol, shared by both socket layers. */
class BareProtocol implements BenchServer {
  readonly #counters: ServerCounters;
  /** The room: every member that sent CONNECT. */
  readonly #room = new Set<Member>();
  readonly #pinger: NodeJS.Timeout;
  /** Makes a broadcast's shared bytes from its text (the layer's own frame form). */
  readonly #frameFor: (text: string) => Buffer;
  #nextId = 0;

  constructor(counters: ServerCounters, frameFor: (text: string) => Buffer) {
    this.#counters = counters;
    this.#frameFor = frameFor;
    this.#pinger = setInterval(() => this.#ping(), PING_INTERVAL_MS);
  }

  get connected(): number {
    return this.#room.size;
  }

  close(): void {
    clearInterval(this.#pinger);
    for (const member of this.#room) member.terminate();
  }

  /** A new connection: sends the open packet; returns its session id. */
  opened(member: Member): string {
    const sid = `bare${this.#nextId++}`;
    const open = { sid, upgrades: [], pingInterval: PING_INTERVAL_MS, pingTimeout: PING_TIMEOUT_MS, maxPayload: 1e6 };
    member.sendText(`0${JSON.stringify(open)}`);
    return sid;
  }

  closed(member: Member): void {
    this.#room.delete(member);
  }

  text(member: Member, sid: string, text: string): void {
    if (text.startsWith("42")) return this.#onEvent(member, text);
    if (text === "40" || text.startsWith("40{")) {
      this.#room.add(member);
      member.sendText(`40{"sid":"${sid}"}`);
    }
  }

  #onEvent(member: Member, text: string): void {
    const open = text.indexOf("[");
    if (open < 0) return;
    const args = JSON.parse(text.slice(open)) as unknown[];
    if (args[0] === FANOUT_EVENT) {
      const frame = this.#frameFor(`42${JSON.stringify(args)}`);
      for (const each of this.#room) each.sendShared(frame);
      this.#counters.broadcasts++;
      this.#counters.deliveries += this.#room.size;
    } else if (args[0] === ECHO_EVENT && open > 2) {
      member.sendText(`43${text.slice(2, open)}${JSON.stringify(args.slice(1))}`);
      this.#counters.echoes++;
    }
  }

  #ping(): void {
    for (const member of this.#room) member.sendText(PING);
  }
}

const TEXT = { binary: false } as const;

/** Starts the bare server on `ws` (path `/socket.io/`). */
export function startBareServer(http: HttpServer, counters: ServerCounters): BenchServer {
  const protocol = new BareProtocol(counters, (text) => Buffer.from(text));
  const wss = new WebSocketServer({ server: http, path: PATH, perMessageDeflate: false, clientTracking: false });
  wss.on("connection", (ws: WebSocket) => {
    const member: Member = {
      sendText: (text) => ws.send(text),
      sendShared: (frame) => ws.send(frame, TEXT),
      terminate: () => ws.terminate(),
    };
    const sid = protocol.opened(member);
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (!isBinary) protocol.text(member, sid, (data as Buffer).toString());
    });
    ws.on("close", () => protocol.closed(member));
    ws.on("error", () => ws.terminate());
  });
  return {
    get connected() {
      return protocol.connected;
    },
    close: () => {
      protocol.close();
      wss.close();
    },
  };
}

/** Starts the bare server on Chorus's own WebSocket layer (path `/socket.io/`). */
export function startBareFramesServer(http: HttpServer, counters: ServerCounters): BenchServer {
  const protocol = new BareProtocol(counters, (text) => textFrame(text));
  const reactor = createNodeReactor({ unrefTimers: false });
  const corker = new SocketCorker(reactor);
  const options = { reactor, payloadBytesMax: 1e6, closeTimeoutMs: 30_000, corker };
  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!(req.url ?? "").startsWith(PATH)) return socket.destroy();
    const channel = acceptWebSocket(req, socket, options);
    if (channel === null) return;
    const member: Member = {
      sendText: (text) => channel.sendText(text, ""),
      sendShared: (frame) => channel.sendFrame(frame),
      terminate: () => channel.terminate(),
    };
    let sid = "";
    channel.listener = {
      onMessage: (data, isBinary) => {
        if (!isBinary) protocol.text(member, sid, data as string);
      },
      onDrain: () => {},
      onEnd: () => {
        protocol.closed(member);
        channel.terminate();
      },
    };
    sid = protocol.opened(member);
    channel.start(head);
  });
  return {
    get connected() {
      return protocol.connected;
    },
    close: () => protocol.close(),
  };
}
