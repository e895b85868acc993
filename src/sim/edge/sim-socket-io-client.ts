/**
 * A simulated Socket.IO v5 client (the main namespace) on a sim node's Reactor: the reference
 * `socket.io-client`'s `Manager` + `Socket` as far as a server can tell, over a
 * {@link SimEngineIoClient}, with Chorus's own Socket.IO codecs. It connects, emits with acks,
 * receives events, and reconnects with exponential backoff after any loss — presenting
 * `{ pid, offset }` in its CONNECT auth so that a server with connection state recovery gives it
 * back its socket id, rooms and the events it missed.
 *
 * ```
 * engine open ──► 0{…auth, pid?, offset?} ──► ◄── missed events (buffered) ◄── 0{sid, pid}
 *   connect(sid, pid, recovered) → buffered events → live events (offset = last argument)
 * engine close ──► disconnect(reason), pending acks dropped ──► backoff ──► new engine session
 * ```
 * As in the reference client: `recovered` is true when the server answers with the pid we
 * presented; an event's last argument, when a string and we hold a pid, is its offset; a
 * DISCONNECT from the server ("io server disconnect") stops reconnection.
 */
import { MAIN_NAMESPACE, type SocketIoPacket } from "../../edge/socket-io/packet.js";
import { SocketIoPacketDecoder } from "../../edge/socket-io/packet-decoder.js";
import { encodePacket } from "../../edge/socket-io/packet-encoder.js";
import { SimEngineIoClient, type SimEngineIoClientOptions } from "./sim-engine-io-client.js";

/** Options of a {@link SimSocketIoClient}. */
export interface SimSocketIoClientOptions extends Omit<SimEngineIoClientOptions, "reading"> {
  /** The CONNECT auth (pid and offset are added when the client recovers). */
  readonly auth: Readonly<Record<string, unknown>>;
  /** First reconnection delay, in ms; doubles per failed attempt, with ±50 % jitter. */
  readonly reconnectDelayMs: number;
  /** Largest reconnection delay, in ms. */
  readonly reconnectDelayMaxMs: number;
}

/** The CONNECT reply, as the client saw it. */
export interface SimSocketIoConnectInfo {
  readonly sid: string;
  readonly pid: string | null;
  /** True when the server recovered the session we presented (same pid). */
  readonly recovered: boolean;
}

/** What a {@link SimSocketIoClient} reports. */
export interface SimSocketIoClientHandlers {
  connect(info: SimSocketIoConnectInfo): void;
  /** An event from the server, in order, with its arguments (the offset included, as the reference does). */
  event(name: string, args: readonly unknown[]): void;
  /** The socket lost its connection; pending acks are dropped. */
  disconnect(reason: string): void;
}

/** A simulated Socket.IO client (see the module comment). */
export class SimSocketIoClient {
  readonly #options: SimSocketIoClientOptions;
  readonly #handlers: SimSocketIoClientHandlers;
  #engine: SimEngineIoClient | null = null;
  #connected = false;
  #sid: string | null = null;
  #pid: string | null = null;
  #lastOffset: string | undefined = undefined;
  #buffered: SocketIoPacket[] = [];
  readonly #acks = new Map<number, (reply: readonly unknown[]) => void>();
  #nextAckId = 0;
  #reading = true;
  #attempts = 0;
  #stopped = false;

  /** Connects at once. */
  constructor(options: SimSocketIoClientOptions, handlers: SimSocketIoClientHandlers) {
    this.#options = options;
    this.#handlers = handlers;
    this.#open();
  }

  /** True between the CONNECT reply and the loss of the connection. */
  get connected(): boolean {
    return this.#connected;
  }

  /** The socket id of the current (or last) connection. */
  get sid(): string | null {
    return this.#sid;
  }

  /** The Engine.IO session, while one is open or opening. */
  get engine(): SimEngineIoClient | null {
    return this.#engine;
  }

  /** False once the server disconnected the client (it does not reconnect then). */
  get active(): boolean {
    return !this.#stopped;
  }

  /**
   * Emits an event; `onAck` (if given) gets the server's reply. False (nothing sent) unless
   * connected. Pending acks are dropped when the connection is lost.
   */
  emit(event: string, args: readonly unknown[], onAck?: (reply: readonly unknown[]) => void): boolean {
    if (!this.#connected || this.#engine === null) return false;
    const data: [string, ...unknown[]] = [event, ...args];
    let id: number | undefined;
    if (onAck !== undefined) {
      id = this.#nextAckId++;
      this.#acks.set(id, onAck);
    }
    const packet: SocketIoPacket =
      id === undefined
        ? { type: "event", nsp: MAIN_NAMESPACE, data }
        : { type: "event", nsp: MAIN_NAMESPACE, data, id };
    return this.#engine.send(encodePacket(packet).messages);
  }

  /** Stops (false) or resumes (true) reading from the server, now and on later connections. */
  setReading(reading: boolean): void {
    this.#reading = reading;
    this.#engine?.setReading(reading);
  }

  #open(): void {
    const decoder = new SocketIoPacketDecoder((event) => {
      if (event.type === "packet") this.#onPacket(event.packet);
      else this.#engine?.close("parse error");
    });
    const engine: SimEngineIoClient = new SimEngineIoClient(
      { ...this.#options, reading: this.#reading },
      {
        open: () => this.#onOpen(engine),
        message: (data) => {
          if (engine === this.#engine) decoder.push(data);
        },
        close: (reason) => this.#onEngineClose(engine, reason),
      },
    );
    this.#engine = engine;
  }

  #onOpen(engine: SimEngineIoClient): void {
    if (engine !== this.#engine) return;
    const auth =
      this.#pid === null ? this.#options.auth : { ...this.#options.auth, pid: this.#pid, offset: this.#lastOffset };
    const data = JSON.parse(JSON.stringify(auth)) as Record<string, unknown>; // drops an undefined offset
    engine.send(encodePacket({ type: "connect", nsp: MAIN_NAMESPACE, data }).messages);
  }

  #onPacket(packet: SocketIoPacket): void {
    if (packet.nsp !== MAIN_NAMESPACE) return;
    switch (packet.type) {
      case "connect":
        return this.#onConnect(packet.data ?? {});
      case "connect_error":
        this.#engine?.close("connect error");
        return;
      case "event":
        if (this.#connected) this.#onEvent(packet.data, packet.id);
        else this.#buffered.push(packet);
        return;
      case "ack": {
        const onAck = this.#acks.get(packet.id);
        this.#acks.delete(packet.id);
        onAck?.(packet.data);
        return;
      }
      case "disconnect":
        this.#stopped = true;
        this.#engine?.close("io server disconnect");
        return;
    }
  }

  #onConnect(data: Readonly<Record<string, unknown>>): void {
    const sid = String(data.sid);
    const pid = typeof data.pid === "string" ? data.pid : null;
    const recovered = pid !== null && pid === this.#pid;
    this.#sid = sid;
    this.#pid = pid;
    if (!recovered) this.#lastOffset = undefined;
    this.#connected = true;
    this.#attempts = 0;
    this.#handlers.connect({ sid, pid, recovered });
    const buffered = this.#buffered;
    this.#buffered = [];
    for (const packet of buffered)
      if (packet.type === "event" && this.#connected) this.#onEvent(packet.data, packet.id);
  }

  #onEvent(data: readonly [string | number, ...unknown[]], id: number | undefined): void {
    const [name, ...args] = data;
    if (id !== undefined) {
      this.#engine?.send(encodePacket({ type: "ack", nsp: MAIN_NAMESPACE, data: [], id }).messages);
    }
    this.#handlers.event(String(name), args);
    const last = args[args.length - 1];
    if (this.#pid !== null && typeof last === "string") this.#lastOffset = last;
  }

  #onEngineClose(engine: SimEngineIoClient, reason: string): void {
    if (engine !== this.#engine) return;
    this.#engine = null;
    const wasConnected = this.#connected;
    this.#connected = false;
    this.#buffered = [];
    this.#acks.clear();
    if (wasConnected) this.#handlers.disconnect(reason);
    if (this.#stopped) return;
    const { reactor, reconnectDelayMs, reconnectDelayMaxMs } = this.#options;
    const delayMs = Math.min(reconnectDelayMaxMs, reconnectDelayMs * 2 ** this.#attempts) * (0.5 + reactor.random());
    this.#attempts = Math.min(this.#attempts + 1, 16);
    reactor.setTimer(delayMs, () => this.#open());
  }
}
