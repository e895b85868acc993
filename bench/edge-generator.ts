/**
 * A load-generator process of the edge bench (forked by `edge.bench.ts`, never run by hand):
 * many stock `socket.io-client` connections (WebSocket transport only, `forceNew`, no
 * reconnection) to one or more servers, one group per server. On request it runs closed-loop
 * fan-out senders (each sends its next message when its previous one came back through the
 * broadcast) or closed-loop acknowledged echoes, and reports what its clients received since the
 * window began, with a latency histogram (sender time in the payload; every process on this
 * machine reads the same clock).
 */
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";
import { type RawData, WebSocket } from "ws";
import { LatencyHistogram } from "./edge-histogram.js";
import {
  type CollectReply,
  type ConnectReply,
  type ConnectRequest,
  ECHO_EVENT,
  type EchoRequest,
  FANOUT_EVENT,
  type FanoutPayload,
  type FanoutRequest,
  PADDING,
} from "./edge-protocol.js";
import { serveRequests } from "./edge-rpc.js";

/** Longest a handshake may take before the client gives up, in ms. */
const CONNECT_TIMEOUT_MS = 20_000;
/** A sender whose message has not come back after this long sends the next one anyway, in ms. */
const SENDER_STALL_MS = 2_000;
/** Longest `quiet` waits for the last messages in flight, in ms. */
const QUIET_LIMIT_MS = 3_000;

/** Wall-clock ms with sub-ms resolution, comparable between processes of this machine. */
function clock(): number {
  return performance.timeOrigin + performance.now();
}

const groups = new Map<string, Socket[]>();
const rawGroups = new Map<string, WebSocket[]>();
const latency = new LatencyHistogram();
let received = 0;
let disconnects = 0;

function onFanout(payload: FanoutPayload): void {
  received++;
  latency.record((clock() - payload.t) * 1000);
}

function onDisconnect(): void {
  disconnects++;
}

/** A closed-loop load: one client that sends, waits for its answer, and sends again. */
interface Loader {
  stop(): void;
  /** Resolves once nothing it sent is still in flight. */
  readonly idle: Promise<void>;
}

class FanoutSender implements Loader {
  readonly #socket: Socket;
  readonly #id: number;
  #sequence = 0;
  #running = true;
  #stall: NodeJS.Timeout | undefined;
  #settle: () => void = () => {};
  readonly idle: Promise<void>;

  constructor(socket: Socket, id: number) {
    this.#socket = socket;
    this.#id = id;
    this.idle = new Promise((resolve) => (this.#settle = resolve));
    socket.on(FANOUT_EVENT, (payload: FanoutPayload) => this.#onMessage(payload));
    this.#send();
  }

  stop(): void {
    this.#running = false;
  }

  #send(): void {
    const payload: FanoutPayload = { t: clock(), s: this.#id, n: ++this.#sequence, p: PADDING };
    this.#socket.emit(FANOUT_EVENT, payload);
    clearTimeout(this.#stall);
    this.#stall = setTimeout(() => this.#next(), SENDER_STALL_MS);
  }

  #onMessage(payload: FanoutPayload): void {
    if (payload.s === this.#id && payload.n === this.#sequence) this.#next();
  }

  #next(): void {
    if (this.#running) return this.#send();
    clearTimeout(this.#stall);
    this.#socket.off(FANOUT_EVENT);
    this.#socket.on(FANOUT_EVENT, onFanout);
    this.#settle();
  }
}

/** An open-loop sender: one message every interval, whatever comes back. */
class PacedSender implements Loader {
  readonly #socket: Socket;
  readonly #id: number;
  #sequence = 0;
  #timer: NodeJS.Timeout | undefined;
  #stall: NodeJS.Timeout | undefined;
  #running = true;
  #settle: () => void = () => {};
  readonly idle: Promise<void>;

  constructor(socket: Socket, id: number, firstMs: number, intervalMs: number) {
    this.#socket = socket;
    this.#id = id;
    this.idle = new Promise((resolve) => (this.#settle = resolve));
    socket.on(FANOUT_EVENT, (payload: FanoutPayload) => this.#onMessage(payload));
    this.#timer = setTimeout(() => {
      this.#send();
      this.#timer = setInterval(() => this.#send(), intervalMs);
    }, firstMs);
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    clearInterval(this.#timer);
    if (this.#sequence === 0) this.#done();
    else this.#stall = setTimeout(() => this.#done(), SENDER_STALL_MS);
  }

  #send(): void {
    this.#socket.emit(FANOUT_EVENT, { t: clock(), s: this.#id, n: ++this.#sequence, p: PADDING });
  }

  #onMessage(payload: FanoutPayload): void {
    if (!this.#running && payload.s === this.#id && payload.n === this.#sequence) this.#done();
  }

  #done(): void {
    clearTimeout(this.#stall);
    this.#socket.off(FANOUT_EVENT);
    this.#socket.on(FANOUT_EVENT, onFanout);
    this.#settle();
  }
}

class Echoer implements Loader {
  readonly #socket: Socket;
  #running = true;
  #settle: () => void = () => {};
  readonly idle: Promise<void>;

  constructor(socket: Socket) {
    this.#socket = socket;
    this.idle = new Promise((resolve) => (this.#settle = resolve));
    this.#send();
  }

  stop(): void {
    this.#running = false;
  }

  #send(): void {
    const sentAt = clock();
    this.#socket.timeout(CONNECT_TIMEOUT_MS).emit(ECHO_EVENT, { t: sentAt, p: PADDING }, (error: Error | null) => {
      if (error === null) {
        received++;
        latency.record((clock() - sentAt) * 1000);
      }
      if (this.#running && error === null) this.#send();
      else this.#settle();
    });
  }
}

let loaders: Loader[] = [];

function group(target: string): Socket[] {
  const sockets = groups.get(target);
  if (sockets === undefined) throw new Error(`no clients for ${target}`);
  return sockets;
}

/** Opens `count` connections, `concurrency` handshakes at a time; a failed one is counted, not retried. */
function connect(request: ConnectRequest): Promise<ConnectReply & { failed: number; firstError: string | null }> {
  const sockets = groups.get(request.target) ?? [];
  groups.set(request.target, sockets);
  const startedAt = performance.now();
  let launched = 0;
  let settled = 0;
  let failed = 0;
  let firstError: string | null = null;
  return new Promise((resolve) => {
    const launch = (): void => {
      if (settled === request.count) {
        resolve({ connected: request.count - failed, failed, firstError, elapsedMs: performance.now() - startedAt });
        return;
      }
      while (launched - settled < request.concurrency && launched < request.count) {
        const address = request.localAddresses[launched % Math.max(1, request.localAddresses.length)];
        launched++;
        const onSettled = (error: string | null) => {
          settled++;
          if (error !== null) {
            failed++;
            firstError ??= error;
          }
          launch();
        };
        if (request.client === "raw") openRaw(request.target, request.url, address, onSettled);
        else openClient(sockets, request.url, address, onSettled);
      }
    };
    launch();
  });
}

/** Opens one socket.io-client connection; `settled` gets null once connected, or the error. */
function openClient(
  sockets: Socket[],
  url: string,
  address: string | undefined,
  settled: (error: string | null) => void,
): void {
  const socket = io(url, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    timeout: CONNECT_TIMEOUT_MS,
    ...(address === undefined ? {} : { localAddress: address }),
  });
  socket.on(FANOUT_EVENT, onFanout);
  socket.once("connect", () => {
    sockets.push(socket);
    socket.on("disconnect", onDisconnect);
    settled(null);
  });
  socket.once("connect_error", (error: Error) => {
    socket.close();
    settled(error.message);
  });
}

/** Opens one raw connection: open packet → CONNECT "/" → CONNECT reply; answers pings. */
function openRaw(target: string, url: string, address: string | undefined, settled: (error: string | null) => void) {
  const sockets = rawGroups.get(target) ?? [];
  rawGroups.set(target, sockets);
  const endpoint = `${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
  const ws = new WebSocket(endpoint, {
    perMessageDeflate: false,
    handshakeTimeout: CONNECT_TIMEOUT_MS,
    ...(address === undefined ? {} : { localAddress: address }),
  });
  let state: "opening" | "open" | "failed" = "opening";
  const fail = (why: string) => {
    if (state === "opening") settled(why);
    if (state === "open") disconnects++;
    state = "failed";
  };
  ws.on("message", (data: RawData) => {
    const text = (data as Buffer).toString();
    if (text === "2") ws.send("3");
    else if (text.startsWith("0{")) ws.send("40");
    else if (state === "opening" && text.startsWith("40")) {
      state = "open";
      sockets.push(ws);
      settled(null);
    }
  });
  ws.once("error", (error: Error) => fail(error.message));
  ws.on("close", () => fail("closed before CONNECT"));
}

async function quiet(): Promise<number> {
  const stopping = loaders;
  loaders = [];
  for (const loader of stopping) loader.stop();
  const startedAt = performance.now();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(stopping.map((loader) => loader.idle)),
    new Promise((resolve) => (timer = setTimeout(resolve, QUIET_LIMIT_MS))),
  ]);
  clearTimeout(timer);
  return performance.now() - startedAt;
}

serveRequests({
  connect,
  fanout: (request: FanoutRequest) => {
    const sockets = group(request.target).slice(0, request.senders);
    const pace = request.pace;
    for (const [i, socket] of sockets.entries()) {
      const id = request.senderBase + i;
      if (pace === undefined) loaders.push(new FanoutSender(socket, id));
      else loaders.push(new PacedSender(socket, id, pace.firstMs + i * pace.stepMs, pace.intervalMs));
    }
    return sockets.length;
  },
  echo: (request: EchoRequest) => {
    const sockets = group(request.target).slice(0, request.clients);
    for (const socket of sockets) loaders.push(new Echoer(socket));
    return sockets.length;
  },
  window: () => {
    received = 0;
    latency.reset();
    return null;
  },
  collect: (): CollectReply & { disconnects: number } => ({ received, latency: latency.sparse(), disconnects }),
  quiet,
  disconnect: (target: string) => {
    for (const socket of groups.get(target) ?? []) {
      socket.off("disconnect", onDisconnect);
      socket.close();
    }
    groups.delete(target);
    for (const ws of rawGroups.get(target) ?? []) {
      ws.removeAllListeners("close");
      ws.terminate();
    }
    rawGroups.delete(target);
    return null;
  },
});
