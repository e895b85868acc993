/**
 * The state of a connection actor (see `connection-actor.ts`): one Engine.IO session, its
 * {@link SocketIoPacketDecoder} and its sockets, one per namespace. It decodes and dispatches
 * CONNECT (namespace lookup — dynamic namespaces may answer later —, recovery claim,
 * middlewares, then the `connection` listeners), EVENT, ACK and DISCONNECT, so user handlers run
 * inside the actor's turns.
 *
 * ```
 * CONNECT ──► static namespace? ──no──► dynamic predicates ──tell namespaceResolved──┐
 *                │ yes ◄───────────────────────────────────────────────────────────────┘
 *                ▼
 *   recovery claim { pid, offset } ──► middlewares (skipped when recovered and skipMiddlewares)
 *                ──► missed packets, CONNECT { sid, pid? } reply, "connection" listeners
 * ```
 */
import type { Ref } from "../../kernel/ref.js";
import type { Reactor, TimerHandle } from "../../reactor/reactor.js";
import type { EngineIoSocket } from "../engine-io/engine-io-socket.js";
import { createSessionId } from "../engine-io/session-id.js";
import type { SocketIoPacket } from "./packet.js";
import { type DecoderLimits, SocketIoPacketDecoder } from "./packet-decoder.js";
import { type EncodedPacket, encodePacket } from "./packet-encoder.js";
import type { ClaimedSession } from "./session-recovery.js";
import type { CloseOptions, SocketLink } from "./socket-link.js";
import type { SocketIoNamespace } from "./socket-io-namespace.js";
import { SocketIoSocket } from "./socket-io-socket.js";
import { NamespaceSockets } from "./namespace-sockets.js";

/** The messages a connection actor understands. */
export interface ConnectionProtocol {
  /** An Engine.IO message from the client. */
  message(data: string | Uint8Array): void;
  /** The Engine.IO session closed. */
  closed(reason: string): void;
  /** The session fell back under its outbound high-water mark. */
  drain(): void;
  /** The dynamic namespaces answered for `nsp` (it now exists, or the client is refused). */
  namespaceResolved(resolved: { readonly nsp: string; readonly auth: Readonly<Record<string, unknown>> }): void;
  /** Middleware `index` of namespace `nsp` called `next(error?)`: run the next step. */
  connectStep(step: { readonly nsp: string; readonly index: number; readonly error?: Error }): void;
  /** A server → client ack timed out. */
  ackTimeout(ack: { readonly nsp: string; readonly id: number }): void;
}

/** How a connection finds namespaces. */
export interface NamespaceResolver {
  /** The namespace `name` if it exists (static, or a dynamic namespace's child). */
  get(name: string): SocketIoNamespace | undefined;
  /**
   * Asks the dynamic namespaces whether `name` may be created for `auth`; `done` is called once,
   * maybe later, after which `get(name)` finds it if one accepted.
   */
  resolve(name: string, auth: Readonly<Record<string, unknown>>, done: () => void): void;
}

/** What the connection actor is spawned with. */
export interface ConnectionArgs {
  /** The Engine.IO session it owns. */
  readonly engine: EngineIoSocket;
  /** Finds namespaces (undefined after `resolve`: refused with "Invalid namespace"). */
  readonly namespaces: NamespaceResolver;
  /** Decoder limits. */
  readonly decoderLimits?: Partial<DecoderLimits> | undefined;
}

/** The `auth` of a CONNECT without a payload (shared: most clients send none). */
const NO_AUTH: Readonly<Record<string, unknown>> = Object.freeze({});

/** A socket waiting for its middlewares, with the session it recovers (if any). */
interface PendingSocket {
  readonly socket: SocketIoSocket;
  readonly claimed: ClaimedSession | null;
}

/** The state of a connection actor (mutable; it never leaves the actor). */
export class Connection implements SocketLink {
  readonly #engine: EngineIoSocket;
  readonly #namespaces: NamespaceResolver;
  readonly #self: Ref<ConnectionProtocol>;
  readonly #reactor: Reactor;
  readonly #decoder: SocketIoPacketDecoder;
  readonly #sockets = new NamespaceSockets<SocketIoSocket>();
  /** Sockets waiting for their middlewares, by namespace (a socket passes through it on CONNECT). */
  readonly #pending = new NamespaceSockets<PendingSocket>();
  /** Namespaces the dynamic namespaces are asked about; created on first use. */
  #resolving: Set<string> | null = null;
  #closeReason: string | null = null;

  constructor(args: ConnectionArgs, self: Ref<ConnectionProtocol>, reactor: Reactor) {
    this.#engine = args.engine;
    this.#namespaces = args.namespaces;
    this.#self = self;
    this.#reactor = reactor;
    this.#decoder = new SocketIoPacketDecoder((event) => {
      if (event.type === "packet") this.#dispatch(event.packet);
      else this.close("parse error");
    }, args.decoderLimits);
  }

  /** The Engine.IO session id. */
  get engineId(): string {
    return this.#engine.id;
  }

  /** Why the connection closed, or null while open. */
  get closeReason(): string | null {
    return this.#closeReason;
  }

  /** Feeds one Engine.IO message to the decoder. */
  onMessage(data: string | Uint8Array): void {
    if (this.#closeReason === null) this.#decoder.push(data);
  }

  /** The session ended (client gone, ping timeout, server close). */
  onClosed(reason: string): void {
    if (this.#closeReason !== null) return;
    this.#closeReason = reason;
    this.#closeSockets(reason, false);
  }

  /** The session is back under its high-water mark: every socket's `drain` listeners run. */
  onDrain(): void {
    if (this.#closeReason !== null) return;
    for (const socket of this.#sockets.values()) socket.onDrain();
  }

  /** The dynamic namespaces answered for `nsp`. */
  onNamespaceResolved(nsp: string, auth: Readonly<Record<string, unknown>>): void {
    if (this.#resolving === null || !this.#resolving.delete(nsp) || this.#closeReason !== null) return;
    const namespace = this.#namespaces.get(nsp);
    if (namespace === undefined) this.#refuse(nsp, { message: "Invalid namespace" });
    else this.#admit(namespace, auth);
  }

  /** Runs connect step `index` for the socket pending on `nsp`. */
  onConnectStep(nsp: string, index: number, error: Error | undefined): void {
    const pending = this.#pending.get(nsp);
    if (pending === undefined || this.#closeReason !== null) return;
    if (error !== undefined) {
      this.#unpend(nsp);
      const data: Record<string, unknown> = { message: String(error.message) };
      const extra = (error as { data?: unknown }).data;
      if (extra !== undefined) data.data = extra;
      this.#refuse(nsp, data);
      return;
    }
    const { socket } = pending;
    const middlewares = socket.nsp.middlewares;
    if (index < middlewares.length) {
      let called = false;
      middlewares[index]!(socket, (err?: Error) => {
        if (called) return;
        called = true;
        const failure =
          err === undefined || err === null ? undefined : err instanceof Error ? err : new Error(String(err));
        tellSafely(() =>
          this.#self.tell(
            "connectStep",
            failure === undefined ? { nsp, index: index + 1 } : { nsp, index: index + 1, error: failure },
          ),
        );
      });
      return;
    }
    this.#pending.delete(nsp);
    try {
      this.#join(socket, pending.claimed);
    } finally {
      socket.nsp.releasePending(); // after the join, so a dynamic child is never seen empty
    }
  }

  /** Delivers an ack timeout to its socket. */
  onAckTimeout(nsp: string, id: number): void {
    this.#sockets.get(nsp)?.onAckTimeout(id);
  }

  /** See {@link SocketLink.write}. */
  write(encoded: EncodedPacket): boolean {
    if (this.#closeReason !== null) return false;
    return this.#engine.sendEncoded(encoded);
  }

  /**
   * See {@link SocketLink.writeVolatile}. The transport cannot take a packet now when the
   * session is over its high-water mark, already has packets waiting (a polling client between
   * polls, a WebSocket whose socket buffer is not empty), or says it is not writable.
   */
  writeVolatile(encoded: EncodedPacket): boolean {
    const engine = this.#engine;
    if (this.#closeReason !== null || engine.readyState !== "open" || engine.needsDrain) return false;
    if (engine.bufferedPackets > 0 || !engine.writable) return true;
    return engine.sendEncoded(encoded);
  }

  /** See {@link SocketLink.scheduleAckTimeout}. */
  scheduleAckTimeout(nsp: string, id: number, delayMs: number): TimerHandle {
    return this.#reactor.setTimer(delayMs, () => this.#self.tell("ackTimeout", { nsp, id }));
  }

  /** See {@link SocketLink.detach}. */
  detach(nsp: string): void {
    this.#sockets.delete(nsp);
  }

  /**
   * See {@link SocketLink.close}. With `guarded`, exceptions from `disconnect` listeners are
   * swallowed (used from `terminate`, after a crash). With `notifyClient`, a DISCONNECT is written
   * for every connected namespace first, so the client learns the server ended it
   * ("io server disconnect") rather than seeing the transport drop.
   */
  close(reason: string, options: CloseOptions = {}): void {
    if (this.#closeReason !== null) return;
    const guarded = options.guarded === true;
    if (options.notifyClient === true) {
      for (const nsp of this.#sockets.keys()) this.#engine.sendEncoded(encodePacket({ type: "disconnect", nsp }));
    }
    this.#closeReason = reason;
    this.#closeSockets(reason, guarded);
    this.#engine.close(reason);
  }

  #closeSockets(reason: string, guarded: boolean): void {
    for (const nsp of this.#pending.keys()) this.#unpend(nsp);
    this.#resolving = null;
    for (const socket of this.#sockets.values()) {
      if (!guarded) socket.onClose(reason);
      else
        try {
          socket.onClose(reason);
        } catch {
          // the actor is already stopping; the other sockets must still be cleaned up
        }
    }
    this.#sockets.clear();
  }

  #dispatch(packet: SocketIoPacket): void {
    switch (packet.type) {
      case "connect":
        return this.#onConnect(packet.nsp, packet.data ?? NO_AUTH);
      case "event":
        return this.#sockets.get(packet.nsp)?.onEvent(packet);
      case "ack":
        return this.#sockets.get(packet.nsp)?.onAck(packet);
      case "disconnect":
        return this.#sockets.get(packet.nsp)?.onClose("client namespace disconnect");
      case "connect_error":
        // only servers send CONNECT_ERROR
        return this.close("parse error");
    }
  }

  #onConnect(nsp: string, auth: Readonly<Record<string, unknown>>): void {
    if (this.#sockets.has(nsp) || this.#pending.has(nsp) || this.#resolving?.has(nsp) === true) return;
    const namespace = this.#namespaces.get(nsp);
    if (namespace !== undefined) return this.#admit(namespace, auth);
    (this.#resolving ??= new Set()).add(nsp);
    const self = this.#self;
    let answered = false;
    this.#namespaces.resolve(nsp, auth, () => {
      if (answered) return;
      answered = true;
      tellSafely(() => self.tell("namespaceResolved", { nsp, auth }));
    });
  }

  /** Creates the socket (recovering its session if it can) and starts its middlewares. */
  #admit(namespace: SocketIoNamespace, auth: Readonly<Record<string, unknown>>): void {
    const recovery = namespace.recovery;
    const claimed = recovery === null ? null : recovery.claim(auth.pid, auth.offset);
    let socket: SocketIoSocket;
    if (claimed !== null) {
      const { pid, baseSeq, data } = claimed;
      socket = new SocketIoSocket(claimed.sid, namespace, auth, this, { pid, baseSeq, data, recovered: true });
    } else {
      const id = createSessionId(this.#reactor);
      const restore =
        recovery === null
          ? null
          : { pid: createSessionId(this.#reactor), baseSeq: recovery.log.lastSeq, data: {}, recovered: false };
      socket = new SocketIoSocket(id, namespace, auth, this, restore);
    }
    this.#pending.set(namespace.name, { socket, claimed });
    namespace.holdPending();
    const skip = claimed !== null && recovery !== null && recovery.options.skipMiddlewares;
    this.onConnectStep(namespace.name, skip ? Number.MAX_SAFE_INTEGER : 0, undefined);
  }

  /**
   * The socket passed its middlewares: it joins the namespace (and, recovered, its old rooms),
   * gets the packets it missed, then the CONNECT reply, then the `connection` listeners run.
   */
  #join(socket: SocketIoSocket, claimed: ClaimedSession | null): void {
    const nsp = socket.nsp;
    this.#sockets.set(nsp.name, socket);
    nsp.add(socket, claimed?.rooms ?? []);
    if (claimed !== null) {
      // Missed packets go first, as the reference does: the client buffers events until the
      // CONNECT reply and replays them before its "connect" event.
      for (const packet of claimed.missed) this.write(packet);
      const rooms = socket.rooms;
      const tail = nsp.recovery?.log.since(claimed.claimSeq, rooms, this.#reactor.nowMs()) ?? [];
      for (const packet of tail) this.write(packet);
    }
    const data = socket.pid === null ? { sid: socket.id } : { sid: socket.id, pid: socket.pid };
    this.write(encodePacket({ type: "connect", nsp: nsp.name, data }));
    nsp.announce(socket);
  }

  #unpend(nsp: string): void {
    const pending = this.#pending.get(nsp);
    if (pending === undefined) return;
    this.#pending.delete(nsp);
    pending.socket.nsp.releasePending();
  }

  #refuse(nsp: string, data: Record<string, unknown>): void {
    this.write(encodePacket({ type: "connect_error", nsp, data }));
  }
}

/**
 * Runs a tell made from a callback that user code may call at any time (`next` of a middleware
 * or a namespace predicate, maybe from its own timer): a full mailbox or a stopped actor must
 * not throw into that code. The step is then lost: the client gets no CONNECT reply and gives
 * up after its own connect timeout.
 */
function tellSafely(tell: () => void): void {
  try {
    tell();
  } catch {
    // the actor is gone (the connection closed) or its mailbox is full
  }
}
