/**
 * The connection actor: one per Engine.IO session, it owns the session and its
 * {@link SocketIoPacketDecoder}. Every Engine.IO message is told to it; it decodes and dispatches
 * CONNECT (middlewares, then the `connection` listeners), EVENT, ACK and DISCONNECT, so user
 * handlers run inside its turns. A handler that throws crashes the actor; `terminate` then sends a
 * DISCONNECT for every connected namespace (the client's `disconnect` reports
 * "io server disconnect") and closes the session with `"server error: <message>"` — other
 * connections are untouched. A decoding error closes it with `"parse error"` (no DISCONNECT: the
 * client's stream is broken; it sees "transport close"). See docs/protocol-notes.md.
 *
 * ```
 * engine "message" ──tell message──► decoder ──► CONNECT ──► middleware 0 ──next()──tell connectStep──► … ──► CONNECT reply, "connection"
 *                                            ├─► EVENT / ACK ──► socket listeners / ack callbacks
 *                                            └─► DISCONNECT ──► socket "disconnect"
 * engine "close" ──tell closed──► every socket "disconnect", stop
 * ```
 */
import type { ActorContext } from "../../kernel/context.js";
import type { Ref } from "../../kernel/ref.js";
import type { Behaviour } from "../../kernel/behaviour.js";
import type { ExitReason } from "../../kernel/exit-reason.js";
import type { Reactor, TimerHandle } from "../../reactor/reactor.js";
import type { EngineIoSocket } from "../engine-io/engine-io-socket.js";
import { createSessionId } from "../engine-io/session-id.js";
import type { SocketIoPacket } from "./packet.js";
import { type DecoderLimits, SocketIoPacketDecoder } from "./packet-decoder.js";
import { type EncodedPacket, encodePacket } from "./packet-encoder.js";
import type { CloseOptions, SocketLink } from "./socket-link.js";
import type { SocketIoNamespace } from "./socket-io-namespace.js";
import { childSpec } from "../../supervision/child-spec.js";
import type { SupervisorProtocol } from "../../supervision/supervisor-protocol.js";
import { SocketIoSocket } from "./socket-io-socket.js";

/** The messages a connection actor understands. */
export interface ConnectionProtocol {
  /** An Engine.IO message from the client. */
  message(data: string | Uint8Array): void;
  /** The Engine.IO session closed. */
  closed(reason: string): void;
  /** Middleware `index` of namespace `nsp` called `next(error?)`: run the next step. */
  connectStep(step: { readonly nsp: string; readonly index: number; readonly error?: Error }): void;
  /** A server → client ack timed out. */
  ackTimeout(ack: { readonly nsp: string; readonly id: number }): void;
}

/** What the connection actor is spawned with. */
export interface ConnectionArgs {
  /** The Engine.IO session it owns. */
  readonly engine: EngineIoSocket;
  /** Finds a namespace by name (undefined: refused with "Invalid namespace"). */
  readonly namespace: (name: string) => SocketIoNamespace | undefined;
  /** Decoder limits. */
  readonly decoderLimits?: Partial<DecoderLimits>;
}

/** The state of a connection actor (mutable; it never leaves the actor). */
export class Connection implements SocketLink {
  readonly #engine: EngineIoSocket;
  readonly #namespace: (name: string) => SocketIoNamespace | undefined;
  readonly #self: Ref<ConnectionProtocol>;
  readonly #reactor: Reactor;
  readonly #decoder: SocketIoPacketDecoder;
  readonly #sockets = new Map<string, SocketIoSocket>();
  readonly #pending = new Map<string, SocketIoSocket>();
  #closeReason: string | null = null;

  constructor(args: ConnectionArgs, self: Ref<ConnectionProtocol>, reactor: Reactor) {
    this.#engine = args.engine;
    this.#namespace = args.namespace;
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

  /** Runs connect step `index` for the socket pending on `nsp`. */
  onConnectStep(nsp: string, index: number, error: Error | undefined): void {
    const socket = this.#pending.get(nsp);
    if (socket === undefined || this.#closeReason !== null) return;
    if (error !== undefined) {
      this.#pending.delete(nsp);
      const data: Record<string, unknown> = { message: String(error.message) };
      const extra = (error as { data?: unknown }).data;
      if (extra !== undefined) data.data = extra;
      this.write(encodePacket({ type: "connect_error", nsp, data }));
      return;
    }
    const middlewares = socket.nsp.middlewares;
    if (index < middlewares.length) {
      let called = false;
      middlewares[index]!(socket, (err?: Error) => {
        if (called) return;
        called = true;
        const failure =
          err === undefined || err === null ? undefined : err instanceof Error ? err : new Error(String(err));
        this.#self.tell(
          "connectStep",
          failure === undefined ? { nsp, index: index + 1 } : { nsp, index: index + 1, error: failure },
        );
      });
      return;
    }
    this.#pending.delete(nsp);
    this.#sockets.set(nsp, socket);
    socket.nsp.add(socket);
    this.write(encodePacket({ type: "connect", nsp, data: { sid: socket.id } }));
    socket.nsp.announce(socket);
  }

  /** Delivers an ack timeout to its socket. */
  onAckTimeout(nsp: string, id: number): void {
    this.#sockets.get(nsp)?.onAckTimeout(id);
  }

  /** See {@link SocketLink.write}. */
  write(encoded: EncodedPacket): void {
    if (this.#closeReason !== null) return;
    this.#engine.sendEncoded(encoded);
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
    this.#pending.clear();
    for (const socket of [...this.#sockets.values()]) {
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
        return this.#onConnect(packet.nsp, packet.data);
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

  #onConnect(nsp: string, auth: Readonly<Record<string, unknown>> | undefined): void {
    if (this.#sockets.has(nsp) || this.#pending.has(nsp)) return;
    const namespace = this.#namespace(nsp);
    if (namespace === undefined) {
      this.write(encodePacket({ type: "connect_error", nsp, data: { message: "Invalid namespace" } }));
      return;
    }
    const socket = new SocketIoSocket(createSessionId(this.#reactor), namespace, auth ?? {}, this);
    this.#pending.set(nsp, socket);
    this.onConnectStep(nsp, 0, undefined);
  }
}

type Ctx = ActorContext<ConnectionProtocol, Connection>;

/** Stops the actor once its connection is closed. */
function settle(state: Connection, ctx: Ctx): void {
  if (state.closeReason !== null) ctx.stop();
}

/** The connection actor's behaviour. */
export const connectionBehaviour: Behaviour<ConnectionProtocol, Connection, ConnectionArgs> = {
  name: "socket-io-connection",
  init: (args, ctx) => new Connection(args, ctx.self, ctx.reactor),
  handlers: {
    message(state, data, ctx) {
      state.onMessage(data);
      settle(state, ctx);
    },
    closed(state, reason, ctx) {
      state.onClosed(reason);
      settle(state, ctx);
    },
    connectStep(state, step, ctx) {
      state.onConnectStep(step.nsp, step.index, step.error);
      settle(state, ctx);
    },
    ackTimeout(state, ack, ctx) {
      state.onAckTimeout(ack.nsp, ack.id);
      settle(state, ctx);
    },
  },
  terminate(state: Connection, reason: ExitReason) {
    if (reason.type === "crash") {
      const error = reason.error;
      state.close(`server error: ${error instanceof Error ? error.message : String(error)}`, {
        guarded: true,
        notifyClient: true,
      });
    } else {
      const clean = reason.type === "normal" || reason.type === "shutdown";
      state.close(clean ? "server shutting down" : `server shutting down (${reason.type})`, {
        guarded: true,
      });
    }
  },
};

/** Most session events held while a supervised connection actor is being started. */
export const EARLY_EVENTS_MAX = 1_024;

/**
 * Starts the connection actor for a new Engine.IO session as a `temporary` child (id
 * `connection-<sid>`) of `supervisor`, and wires the session to it. The start is an `ask`, so
 * session events that arrive before the actor exists are held (at most {@link EARLY_EVENTS_MAX};
 * more closes the session) and delivered in order once it runs. If the supervisor refuses (it
 * is shutting down), the session is closed.
 * @returns the actor's ref once it runs, or null if it could not be started.
 */
export function superviseConnection(
  supervisor: Ref<SupervisorProtocol>,
  args: ConnectionArgs,
): Promise<Ref<ConnectionProtocol> | null> {
  const { engine } = args;
  let ref: Ref<ConnectionProtocol> | null = null;
  let early: Array<(ref: Ref<ConnectionProtocol>) => void> | null = [];
  wire(engine, (deliver) => {
    if (ref !== null) deliver(ref);
    else if (early !== null && early.length < EARLY_EVENTS_MAX) early.push(deliver);
    else if (early !== null) engine.close("too many events before the connection started");
  });
  const spec = childSpec(`connection-${engine.id}`, connectionBehaviour, args, { restart: "temporary" });
  return supervisor.ask("startChild", spec).then(
    (started) => {
      ref = started as Ref<ConnectionProtocol>;
      const held = early ?? [];
      early = null;
      for (const deliver of held) deliver(ref);
      return ref;
    },
    () => {
      early = null;
      engine.close("server shutting down");
      return null;
    },
  );
}

/** Forwards the session's messages and close to the actor that `route` hands them to. */
function wire(engine: EngineIoSocket, route: (deliver: (ref: Ref<ConnectionProtocol>) => void) => void): void {
  engine.on("message", (data) =>
    route((ref) => {
      try {
        ref.tell("message", data);
      } catch {
        engine.close("mailbox full"); // the client sends faster than its handlers run
      }
    }),
  );
  engine.on("close", (reason) =>
    route((ref) => {
      try {
        ref.tell("closed", reason);
      } catch {
        // the actor is gone or full; its terminate closes the sockets
      }
    }),
  );
}
