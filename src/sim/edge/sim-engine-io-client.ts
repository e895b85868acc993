/**
 * A simulated Engine.IO v4 client on a sim node's Reactor, speaking Chorus's own codecs over
 * {@link SimStream}s to a {@link serveEdge} endpoint: one Engine.IO session, from handshake to
 * close (the Socket.IO client opens a new one to reconnect). It behaves as the reference
 * `engine.io-client` does where the server can tell: it answers pings, watches for missing ones
 * (`pingInterval + pingTimeout`), polls with one GET and one POST in flight at most, and upgrades
 * polling → WebSocket with the probe.
 *
 * ```
 * polling:  GET (handshake) ◄─ 0{sid…} ── GET (held) ◄─ 4…␞2 ── GET …       POST 4…␞3 ◄─ ok
 * upgrade:  WS {url,sid} ─ 2probe ─► ◄─ 3probe ── (wait: the held GET returns 6, no POST in flight)
 *           ─ 5 ─► then every packet on the WebSocket, buffered writes first
 * ```
 * A client that stops reading (`setReading(false)`) keeps whatever arrives in its inbox, unread
 * and uncredited (WebSocket) or without a next poll (polling), until it reads again: a slow
 * consumer as the server sees one.
 */
import type { EngineIoHandshake } from "../../edge/engine-io/handshake.js";
import { handshakeOf } from "../../edge/engine-io/handshake.js";
import type { EngineIoPacket } from "../../edge/engine-io/packet.js";
import { ENGINE_IO_PROTOCOL } from "../../edge/engine-io/packet.js";
import { decodeFrame, decodePayload, encodeFrame, encodePayload } from "../../edge/engine-io/packet-codec.js";
import type { Reactor, TimerHandle } from "../../reactor/reactor.js";
import type { SimNetwork } from "../sim-network.js";
import type { SimNode } from "../sim-node.js";
import {
  EDGE_HTTP_PORT,
  EDGE_WS_PORT,
  type SimFrameMessage,
  type SimHttpResponseMessage,
  frameBytes,
} from "./sim-edge-wire.js";
import { SimStream } from "./sim-stream.js";

/** How a client reaches the server: WebSocket only, polling only, or polling then upgrade. */
export type SimEngineIoClientMode = "websocket" | "polling" | "upgrade";

/** Options of a {@link SimEngineIoClient}. */
export interface SimEngineIoClientOptions {
  readonly network: SimNetwork;
  /** The client's node; `reactor` must be its current incarnation's. */
  readonly node: SimNode;
  readonly reactor: Reactor;
  /** The server's node (serving {@link serveEdge}). */
  readonly server: SimNode;
  /** The Engine.IO path, with trailing `/` (Socket.IO: `/socket.io/`). */
  readonly path: string;
  readonly mode: SimEngineIoClientMode;
  /** Milliseconds to wait for the `open` packet, or for a probe's `3probe`. */
  readonly connectTimeoutMs: number;
  /** Bytes of WebSocket frames read before a credit goes back (at most the server's window / 2). */
  readonly creditBytes: number;
  /** False to start as a client that does not read. Default true. */
  readonly reading?: boolean;
}

/** What a {@link SimEngineIoClient} reports. */
export interface SimEngineIoClientHandlers {
  open(handshake: EngineIoHandshake): void;
  message(data: string | Uint8Array): void;
  /** The session is over (called once): "transport close", "ping timeout", "transport error"… */
  close(reason: string): void;
}

type State = "opening" | "open" | "closed";

// The client accepts what the server sends; limits are the server's business here.
const PAYLOAD_LIMITS = { payloadBytesMax: Number.MAX_SAFE_INTEGER };

/** One Engine.IO session of a simulated client (see the module comment). */
export class SimEngineIoClient {
  readonly #options: SimEngineIoClientOptions;
  readonly #handlers: SimEngineIoClientHandlers;
  #state: State = "opening";
  #transport: "polling" | "websocket";
  #handshake: EngineIoHandshake | null = null;
  #ws: SimStream | null = null;
  #probe: SimStream | null = null;
  #probeTimer: TimerHandle | null = null;
  #poll: SimStream | null = null;
  #post: SimStream | null = null;
  #outbox: EngineIoPacket[] = [];
  /** The probe was answered: wait for the requests in flight, then switch. */
  #upgrading = false;
  /** Connect timeout, then the heartbeat watchdog. */
  #timer: TimerHandle | null = null;
  #reading: boolean;
  #inbox: Array<() => void> = [];
  readonly #unread = new Map<SimStream, number>();

  /** Starts the handshake at once. */
  constructor(options: SimEngineIoClientOptions, handlers: SimEngineIoClientHandlers) {
    this.#options = options;
    this.#handlers = handlers;
    this.#reading = options.reading ?? true;
    this.#transport = options.mode === "websocket" ? "websocket" : "polling";
    if (this.#transport === "websocket") this.#ws = this.#openWebSocket(false);
    else this.#poll = this.#request("GET");
    this.#timer = options.reactor.setTimer(options.connectTimeoutMs, () => this.#fail("timeout"));
  }

  /** The session id, once open. */
  get sid(): string | null {
    return this.#handshake?.sid ?? null;
  }

  /** `opening`, `open` or `closed`. */
  get state(): State {
    return this.#state;
  }

  /** The transport in use: `polling` until an upgrade completes, or `websocket`. */
  get transport(): "polling" | "websocket" {
    return this.#transport;
  }

  /** Queues packets; false (dropped) unless open. */
  send(packets: readonly EngineIoPacket[]): boolean {
    if (this.#state !== "open") return false;
    if (this.#transport === "websocket") {
      for (const packet of packets) this.#ws!.send({ f: encodeFrame(packet) } satisfies SimFrameMessage);
    } else {
      this.#outbox.push(...packets);
      this.#flushPost();
    }
    return true;
  }

  /** Stops (false) or resumes (true) reading; on resume, what arrived meanwhile is read in order. */
  setReading(reading: boolean): void {
    this.#reading = reading;
    while (this.#reading && this.#inbox.length > 0 && this.#state !== "closed") this.#inbox.shift()!();
  }

  /** Closes the session from the client side; `close` is reported with `reason`. */
  close(reason: string): void {
    this.#fail(reason);
  }

  #url(transport: "polling" | "websocket"): string {
    const sid = this.sid === null ? "" : `&sid=${this.sid}`;
    return `${this.#options.path}?EIO=${ENGINE_IO_PROTOCOL}&transport=${transport}${sid}`;
  }

  #connect(port: string): SimStream {
    const { network, node, server } = this.#options;
    return new SimStream(network.connect(node, server, port));
  }

  /** Runs `task` now, or keeps it for when the client reads again (in arrival order). */
  #receive(task: () => void): void {
    if (this.#reading && this.#inbox.length === 0) task();
    else this.#inbox.push(task);
  }

  #openWebSocket(probe: boolean): SimStream {
    const stream = this.#connect(EDGE_WS_PORT);
    stream.send({ url: this.#url("websocket") });
    stream.onMessage = (body) => this.#receive(() => this.#onFrame(stream, (body as SimFrameMessage).f));
    stream.onClose = () => this.#receive(() => this.#onWebSocketClosed(stream));
    if (probe) stream.send({ f: "2probe" } satisfies SimFrameMessage);
    return stream;
  }

  #onFrame(stream: SimStream, frame: string | Uint8Array): void {
    if (this.#state === "closed") return;
    const unread = (this.#unread.get(stream) ?? 0) + frameBytes(frame);
    if (unread >= this.#options.creditBytes) {
      stream.send({ c: unread });
      this.#unread.set(stream, 0);
    } else {
      this.#unread.set(stream, unread);
    }
    let packet: EngineIoPacket;
    try {
      packet = decodeFrame(frame);
    } catch {
      return this.#fail("parse error");
    }
    if (stream === this.#probe) this.#onProbePacket(packet);
    else if (stream === this.#ws) this.#onPacket(packet);
  }

  #onWebSocketClosed(stream: SimStream): void {
    if (stream === this.#probe) this.#abandonProbe();
    else if (stream === this.#ws) this.#fail("transport close");
  }

  #request(method: "GET" | "POST", body?: string): SimStream {
    const stream = this.#connect(EDGE_HTTP_PORT);
    stream.send(
      body === undefined ? { method, url: this.#url("polling") } : { method, url: this.#url("polling"), body },
    );
    stream.onMessage = (message) =>
      this.#receive(() => this.#onResponse(stream, method, message as SimHttpResponseMessage));
    stream.onClose = () => this.#receive(() => this.#onRequestFailed(stream));
    return stream;
  }

  #onResponse(stream: SimStream, method: "GET" | "POST", response: SimHttpResponseMessage): void {
    if (this.#state === "closed") return;
    if (method === "GET" ? stream !== this.#poll : stream !== this.#post) return;
    if (method === "GET") this.#poll = null;
    else this.#post = null;
    stream.close("response read");
    if (response.status !== 200) return this.#fail(`transport error (HTTP ${response.status})`);
    if (method === "GET") {
      let packets: EngineIoPacket[];
      try {
        packets = decodePayload(response.body, PAYLOAD_LIMITS);
      } catch {
        return this.#fail("parse error");
      }
      for (const packet of packets) {
        this.#onPacket(packet);
        if ((this.#state as State) === "closed") return; // a handler or a close packet ended it
      }
    }
    this.#maybeFinishUpgrade();
    this.#pollAgain();
    this.#flushPost();
  }

  #onRequestFailed(stream: SimStream): void {
    if (stream === this.#poll || stream === this.#post) this.#fail("transport error");
  }

  #pollAgain(): void {
    if (this.#state !== "open" || this.#transport !== "polling" || this.#upgrading || this.#poll !== null) return;
    this.#poll = this.#request("GET");
  }

  #flushPost(): void {
    if (this.#state !== "open" || this.#transport !== "polling" || this.#upgrading) return;
    if (this.#post !== null || this.#outbox.length === 0) return;
    const body = encodePayload(this.#outbox);
    this.#outbox = [];
    this.#post = this.#request("POST", body);
  }

  #onPacket(packet: EngineIoPacket): void {
    switch (packet.type) {
      case "open":
        return this.#onOpen(packet);
      case "ping":
        this.#armWatchdog();
        this.send([{ type: "pong" }]);
        return;
      case "message":
        this.#handlers.message(packet.data);
        return;
      case "close":
        return this.#fail("transport close");
      default:
        return; // noop (a released poll), pong, upgrade: nothing to do
    }
  }

  #onOpen(packet: EngineIoPacket): void {
    if (this.#state !== "opening") return this.#fail("transport error");
    try {
      this.#handshake = handshakeOf(packet);
    } catch {
      return this.#fail("parse error");
    }
    this.#state = "open";
    this.#armWatchdog();
    this.#handlers.open(this.#handshake);
    const upgrade = this.#options.mode === "upgrade" && this.#handshake.upgrades.includes("websocket");
    if (upgrade && this.#state === "open" && this.#transport === "polling") this.#startProbe();
  }

  #armWatchdog(): void {
    const handshake = this.#handshake!;
    this.#timer?.cancel();
    this.#timer = this.#options.reactor.setTimer(handshake.pingInterval + handshake.pingTimeout, () =>
      this.#fail("ping timeout"),
    );
  }

  #startProbe(): void {
    this.#probe = this.#openWebSocket(true);
    this.#probeTimer = this.#options.reactor.setTimer(this.#options.connectTimeoutMs, () => this.#abandonProbe());
  }

  #onProbePacket(packet: EngineIoPacket): void {
    if (packet.type === "pong" && packet.data === "probe" && !this.#upgrading) {
      this.#upgrading = true;
      this.#maybeFinishUpgrade();
    } else {
      this.#abandonProbe();
    }
  }

  /** Switches to the probe once no poll or POST is in flight (the reference's `pause`). */
  #maybeFinishUpgrade(): void {
    if (!this.#upgrading || this.#poll !== null || this.#post !== null || this.#state !== "open") return;
    const probe = this.#probe!;
    this.#probeTimer?.cancel();
    this.#probeTimer = null;
    this.#probe = null;
    this.#upgrading = false;
    probe.send({ f: encodeFrame({ type: "upgrade" }) } satisfies SimFrameMessage);
    this.#ws = probe;
    this.#transport = "websocket";
    const pending = this.#outbox;
    this.#outbox = [];
    this.send(pending);
  }

  #abandonProbe(): void {
    const probe = this.#probe;
    if (probe === null) return;
    this.#probe = null;
    this.#probeTimer?.cancel();
    this.#probeTimer = null;
    probe.close("probe abandoned");
    this.#unread.delete(probe);
    if (this.#upgrading) {
      this.#upgrading = false;
      this.#pollAgain();
      this.#flushPost();
    }
  }

  #fail(reason: string): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#timer?.cancel();
    this.#probeTimer?.cancel();
    this.#timer = this.#probeTimer = null;
    for (const stream of [this.#ws, this.#probe, this.#poll, this.#post]) stream?.close("client closed");
    this.#ws = this.#probe = this.#poll = this.#post = null;
    this.#inbox = [];
    this.#outbox = [];
    this.#unread.clear();
    this.#handlers.close(reason);
  }
}
