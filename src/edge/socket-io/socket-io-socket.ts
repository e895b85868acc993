/**
 * One client's presence in one namespace, as the user sees it: `socket.on(event, handler)`,
 * `socket.emit`, acks both ways, rooms and `disconnect`. Its packets arrive through the
 * connection actor, so every handler runs inside that actor's turn; a handler that throws crashes
 * the actor, which closes the connection.
 *
 * Deviation from the reference: `emit` returns false when the client's session is over its
 * outbound high-water mark (the packet is still queued) or the socket is disconnected; a
 * `drain` listener runs once the session is back under the mark.
 */
import type { TimerHandle } from "../../reactor/reactor.js";
import { BroadcastOperator } from "./broadcast-operator.js";
import type { AckPacket, EventPacket } from "./packet.js";
import { type EncodedPacket, encodePacket } from "./packet-encoder.js";
import { RECOVERABLE_DISCONNECT_REASONS } from "./recovery-options.js";
import type { SocketLink } from "./socket-link.js";
import type { SocketIoNamespace } from "./socket-io-namespace.js";

/** A listener of a socket event; an ack callback comes last when the client asked for one. */
export type SocketIoListener = (...args: any[]) => void;

/** An ack callback of a server → client emit: `(error, ...reply)` when a timeout is set, else `(...reply)`. */
export type SocketIoAckCallback = (...args: any[]) => void;

/** What the client sent with its CONNECT. */
export interface SocketIoHandshake {
  /** The CONNECT payload (`auth` option of the client), `{}` when none was sent. */
  readonly auth: Readonly<Record<string, unknown>>;
  /** The Engine.IO session id carrying this socket. */
  readonly engineId: string;
}

/** The error an ack that timed out reports (the reference's message). */
export class AckTimeoutError extends Error {
  constructor() {
    super("operation has timed out");
    this.name = "AckTimeoutError";
  }
}

interface PendingAck {
  readonly callback: SocketIoAckCallback;
  readonly timer: TimerHandle | null;
  /** True when the callback takes an error first (a timeout was set). */
  readonly withError: boolean;
}

/** Emits whose packet is dropped when the client cannot take it now: {@link SocketIoSocket.volatile}. */
export interface VolatileEmitter {
  /** Emits unless the transport is not writable or over its high-water mark; see `SocketIoSocket.emit`. */
  emit(event: string, ...args: unknown[]): boolean;
}

/** What a recovered socket takes over from its previous incarnation. @internal */
export interface SocketRestore {
  /** The private session id presented by the client. */
  readonly pid: string;
  /** The log position when `pid` was first issued. */
  readonly baseSeq: number;
  /** `socket.data` at the disconnection. */
  readonly data: unknown;
  /** True for a recovered socket; false for a new one (with a fresh pid). */
  readonly recovered: boolean;
}

/** Events the server raises itself; a client event of that name is ignored. */
const SERVER_EVENTS: ReadonlySet<string> = new Set(["drain"]);
const NO_ROOMS: ReadonlySet<string> = new Set();

/** Emits with an ack timeout: returned by {@link SocketIoSocket.timeout}. */
export interface TimedEmitter {
  /** Emits; the last argument, a callback, gets `(error, ...reply)`. */
  emit(event: string, ...args: unknown[]): boolean;
  /** Emits and resolves with the client's first reply argument, or rejects with {@link AckTimeoutError}. */
  emitWithAck(event: string, ...args: unknown[]): Promise<any>;
}

/** A client's socket in one namespace. */
export class SocketIoSocket {
  /** The socket id (random, distinct from the Engine.IO session id). */
  readonly id: string;
  /** The namespace. */
  readonly nsp: SocketIoNamespace;
  /**
   * True when connection state recovery gave this socket back its id, rooms and data after a
   * temporary disconnection (the missed packets were sent before the CONNECT reply).
   */
  readonly recovered: boolean;
  /** The private session id for recovery (sent only in the CONNECT reply), or null when recovery is off. @internal */
  readonly pid: string | null;
  /** The log position when `pid` was first issued. @internal */
  readonly baseSeq: number;
  readonly #link: SocketLink;
  readonly #auth: Readonly<Record<string, unknown>>;
  #handshake: SocketIoHandshake | null = null;
  #data: any = undefined;
  /**
   * Listeners as `[event, listener, event, listener, …]` in the order added, or null: one
   * exact-size array per socket, replaced (never changed) by `on` and `off`, so a dispatch
   * iterates a snapshot without copying. Sockets have a handful of listeners.
   */
  #listeners: ReadonlyArray<string | SocketIoListener> | null = null;
  /** Server → client acks awaiting a reply; created on the first emit with an ack. */
  #acks: Map<number, PendingAck> | null = null;
  #nextAckId = 0;
  #connected = false;
  #disconnectReason: string | null = null;
  #ownRoom: ReadonlySet<string> | null = null;

  /** Created by the connection actor on CONNECT; not for application code. */
  constructor(
    id: string,
    nsp: SocketIoNamespace,
    auth: Readonly<Record<string, unknown>>,
    link: SocketLink,
    restore: SocketRestore | null = null,
  ) {
    this.id = id;
    this.nsp = nsp;
    this.recovered = restore?.recovered === true;
    this.pid = restore?.pid ?? null;
    this.baseSeq = restore?.baseSeq ?? 0;
    if (restore?.recovered === true) this.#data = restore.data;
    this.#auth = auth;
    this.#link = link;
  }

  /** What the client sent when connecting. */
  get handshake(): SocketIoHandshake {
    this.#handshake ??= Object.freeze({ auth: this.#auth, engineId: this.#link.engineId });
    return this.#handshake;
  }

  /** Free-form data the application attaches to the socket (restored by connection state recovery). */
  get data(): any {
    this.#data ??= {};
    return this.#data;
  }

  set data(value: any) {
    this.#data = value;
  }

  /** True between the CONNECT reply and the disconnect. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Why the socket disconnected, or null while it is connected. */
  get disconnectReason(): string | null {
    return this.#disconnectReason;
  }

  /** The rooms the socket is in (its own id included). */
  get rooms(): ReadonlySet<string> {
    return this.nsp.adapter.roomsOf(this.id);
  }

  /**
   * Adds a listener for a client event, for `disconnect` (reason), or for `drain` (the session
   * fell back under its outbound high-water mark after an `emit` returned false).
   */
  on(event: string, listener: SocketIoListener): this {
    const list = this.#listeners ?? [];
    const next = new Array<string | SocketIoListener>(list.length + 2); // exact size: no spare slots
    for (let i = 0; i < list.length; i++) next[i] = list[i]!;
    next[list.length] = event;
    next[list.length + 1] = listener;
    this.#listeners = next;
    return this;
  }

  /** Removes a listener added with `on`. */
  off(event: string, listener: SocketIoListener): this {
    const list = this.#listeners;
    if (list === null) return this;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] === event && list[i + 1] === listener) {
        this.#listeners = list.length === 2 ? null : list.slice(0, i).concat(list.slice(i + 2));
        break;
      }
    }
    return this;
  }

  /**
   * Sends an event to this client. A function as the last argument asks for an ack and is
   * called with the client's reply; without a timeout it waits until the socket disconnects (use
   * {@link SocketIoSocket.timeout} to bound the wait). With connection state recovery on, an
   * event without ack carries an offset as its last argument and is kept for replay.
   * @returns false if the client's session is now over its outbound high-water mark (the packet
   *   is queued all the same; wait for `drain`) or the socket is disconnected; true otherwise.
   *   The reference server always returns true.
   * @throws SocketIoCodecError for a reserved event name or data JSON cannot hold.
   */
  emit(event: string, ...args: unknown[]): boolean {
    return this.#emit(event, args, null, false);
  }

  /**
   * Emits that are dropped when the client cannot take them now: its transport is not writable
   * (a polling client between polls) or its session is over the outbound high-water mark. A
   * volatile event is never kept for recovery.
   */
  get volatile(): VolatileEmitter {
    return { emit: (event, ...args) => this.#emit(event, args, null, true) };
  }

  /**
   * Sends an event and resolves with the client's first reply argument; rejects with
   * {@link AckTimeoutError} after the server's `ackTimeoutMs`.
   */
  emitWithAck(event: string, ...args: unknown[]): Promise<any> {
    return this.timeout(this.nsp.server.ackTimeoutMs).emitWithAck(event, ...args);
  }

  /** Emits whose ack fails with {@link AckTimeoutError} after `timeoutMs` (a Reactor timer). */
  timeout(timeoutMs: number): TimedEmitter {
    return {
      emit: (event, ...args) => this.#emit(event, args, timeoutMs, false),
      emitWithAck: (event, ...args) =>
        new Promise((resolve, reject) => {
          this.#emit(
            event,
            [...args, (error: unknown, reply: unknown) => (error ? reject(error) : resolve(reply))],
            timeoutMs,
            false,
          );
        }),
    };
  }

  /** Joins one room or several. */
  join(rooms: string | readonly string[]): void {
    if (!this.#connected) return;
    for (const room of typeof rooms === "string" ? [rooms] : rooms) this.nsp.adapter.join(this.id, room);
  }

  /** Leaves a room. */
  leave(room: string): void {
    this.nsp.adapter.leave(this.id, room);
  }

  /** A broadcast to `room` (or rooms) of this namespace, excluding this socket. */
  to(room: string | readonly string[]): BroadcastOperator {
    return new BroadcastOperator(this.nsp, new Set(), new Set([this.id])).to(room);
  }

  /** Same as {@link SocketIoSocket.to}. */
  in(room: string | readonly string[]): BroadcastOperator {
    return this.to(room);
  }

  /** A broadcast to the whole namespace but this socket. */
  get broadcast(): BroadcastOperator {
    return new BroadcastOperator(this.nsp, new Set(), new Set([this.id]));
  }

  /**
   * Leaves the namespace: sends DISCONNECT, runs `disconnect` listeners with
   * `"server namespace disconnect"`; with `close`, closes the whole connection, sending DISCONNECT
   * for every namespace first (as the reference's `disconnect(true)` does).
   */
  disconnect(close = false): this {
    if (close) {
      this.#link.close("server namespace disconnect", { notifyClient: true });
      return this;
    }
    if (!this.#connected) return this;
    this.write(encodePacket({ type: "disconnect", nsp: this.nsp.name }));
    this.onClose("server namespace disconnect");
    return this;
  }

  /** Writes an encoded packet to this client (the broadcast path); see {@link SocketLink.write}. @internal */
  write(encoded: EncodedPacket): boolean {
    return this.#connected && this.#link.write(encoded);
  }

  /** Writes unless the client cannot take it now; see {@link SocketLink.writeVolatile}. @internal */
  writeVolatile(encoded: EncodedPacket): boolean {
    return this.#connected && this.#link.writeVolatile(encoded);
  }

  /** The CONNECT was accepted: joins the namespace, its own room and `rooms` (recovered). @internal */
  onOpen(rooms: readonly string[]): void {
    this.#connected = true;
    this.nsp.adapter.join(this.id, this.id);
    for (const room of rooms) this.nsp.adapter.join(this.id, room);
  }

  /** The session fell back under its outbound high-water mark. @internal */
  onDrain(): void {
    if (this.#connected) this.#dispatch("drain", []);
  }

  /** An EVENT from the client. @internal */
  onEvent(packet: EventPacket): void {
    const data = packet.data;
    const name = String(data[0]);
    if (SERVER_EVENTS.has(name)) return;
    const args = data.slice(1);
    if (packet.id !== undefined) args.push(this.#replier(packet.id));
    this.#dispatch(name, args);
  }

  /** An ACK from the client. @internal */
  onAck(packet: AckPacket): void {
    const pending = this.#acks?.get(packet.id);
    if (pending === undefined) return;
    this.#acks!.delete(packet.id);
    pending.timer?.cancel();
    if (pending.withError) pending.callback(null, ...packet.data);
    else pending.callback(...packet.data);
  }

  /** The ack `id` timed out. @internal */
  onAckTimeout(id: number): void {
    const pending = this.#acks?.get(id);
    if (pending === undefined) return;
    this.#acks!.delete(id);
    pending.callback(new AckTimeoutError());
  }

  /** The socket left its namespace for `reason`: cleans up, then runs `disconnect` listeners. @internal */
  onClose(reason: string): void {
    if (this.#disconnectReason !== null) return;
    const wasConnected = this.#connected;
    this.#connected = false;
    this.#disconnectReason = reason;
    const pendingAcks = this.#acks === null ? [] : [...this.#acks.values()];
    for (const pending of pendingAcks) pending.timer?.cancel();
    this.#acks = null;
    if (wasConnected && this.pid !== null && RECOVERABLE_DISCONNECT_REASONS.has(reason)) {
      const { id: sid, pid, baseSeq, data } = this;
      this.nsp.recovery?.persist({ sid, pid, baseSeq, rooms: [...this.nsp.adapter.roomsOf(this.id)], data });
    }
    this.nsp.adapter.leaveAll(this.id);
    this.nsp.remove(this);
    this.#link.detach(this.nsp.name);
    for (const pending of pendingAcks)
      if (pending.withError) pending.callback(new Error(`socket has been disconnected`));
    if (wasConnected) this.#dispatch("disconnect", [reason]);
  }

  #emit(event: string, args: unknown[], timeoutMs: number | null, volatile: boolean): boolean {
    const last = args[args.length - 1];
    let id: number | undefined;
    if (typeof last === "function") {
      args = args.slice(0, -1);
      id = this.#nextAckId++;
      const timer =
        this.#connected && timeoutMs !== null ? this.#link.scheduleAckTimeout(this.nsp.name, id, timeoutMs) : null;
      (this.#acks ??= new Map()).set(id, {
        callback: last as SocketIoAckCallback,
        timer,
        withError: timeoutMs !== null,
      });
    }
    const log = id === undefined && !volatile ? (this.nsp.recovery?.log ?? null) : null;
    const data: [string, ...unknown[]] = log === null ? [event, ...args] : [event, ...args, log.nextOffset()];
    let encoded: EncodedPacket;
    try {
      encoded = encodePacket(
        id === undefined
          ? { type: "event", nsp: this.nsp.name, data }
          : { type: "event", nsp: this.nsp.name, data, id },
      );
    } catch (error) {
      if (id !== undefined) this.#acks?.get(id)?.timer?.cancel();
      if (id !== undefined) this.#acks?.delete(id); // never sent: no reply will come
      throw error;
    }
    if (volatile) return this.writeVolatile(encoded);
    if (log === null) return this.write(encoded);
    // Logged for the socket's own room, like the reference: a recovered successor with the same
    // id gets it, live or replayed.
    this.#ownRoom ??= new Set([this.id]);
    log.append(this.#ownRoom, NO_ROOMS, encoded, this.nsp.server.reactor.nowMs());
    return this.nsp.sockets.get(this.id)?.write(encoded) ?? false;
  }

  /** The callback handed to a listener when the client asked for an ack; answers once. */
  #replier(id: number): (...reply: unknown[]) => void {
    let sent = false;
    return (...reply: unknown[]) => {
      if (sent) return;
      sent = true;
      this.write(encodePacket({ type: "ack", nsp: this.nsp.name, data: reply, id }));
    };
  }

  #dispatch(event: string, args: unknown[]): void {
    const list = this.#listeners;
    if (list === null) return;
    for (let i = 0; i < list.length; i += 2) if (list[i] === event) (list[i + 1] as SocketIoListener)(...args);
  }
}
