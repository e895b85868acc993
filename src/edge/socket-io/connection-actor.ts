/**
 * The connection actor: one per Engine.IO session, it owns the session and a {@link Connection}
 * (the decoder and the sockets). Every Engine.IO message, `drain` and `close` is told to it, so
 * user handlers run inside its turns. A handler that throws crashes the actor; `terminate` then
 * sends a DISCONNECT for every connected namespace (the client's `disconnect` reports
 * "io server disconnect") and closes the session with `"server error: <message>"` — other
 * connections are untouched. A decoding error closes it with `"parse error"` (no DISCONNECT: the
 * client's stream is broken; it sees "transport close"). An actor stopped without running
 * `terminate` (`killed`) is noticed by a monitor {@link superviseConnection} sets on it,
 * which closes the connection the same way, so the client never hangs on a session nobody
 * reads. See docs/protocol-notes.md.
 *
 * ```
 * engine "message" ──tell message──► Connection ──► CONNECT / EVENT / ACK / DISCONNECT
 * engine "drain"   ──tell drain────► every socket's "drain" listeners
 * engine "close"   ──tell closed───► every socket "disconnect", stop
 * ```
 */
import type { ActorContext } from "../../kernel/context.js";
import { type Ref, targetOf } from "../../kernel/ref.js";
import type { Behaviour } from "../../kernel/behaviour.js";
import type { ExitReason } from "../../kernel/exit-reason.js";
import type { Watcher } from "../../kernel/target.js";
import type { EngineIoSessionObserver, EngineIoSocket } from "../engine-io/engine-io-socket.js";
import { childSpec } from "../../supervision/child-spec.js";
import type { SupervisorProtocol } from "../../supervision/supervisor-protocol.js";
import { Connection, type ConnectionArgs, type ConnectionProtocol } from "./connection.js";

export type { ConnectionArgs, ConnectionProtocol, NamespaceResolver } from "./connection.js";

type Ctx = ActorContext<ConnectionProtocol, Connection>;

/**
 * The bridge between one Engine.IO session and its connection actor: the session's observer
 * (one object per connection, no closures), which holds events that arrive before the actor runs
 * and tells the rest to it, and the slot where the actor leaves its state so its monitor can
 * close it.
 */
class SessionBridge implements EngineIoSessionObserver, SupervisedArgs, Watcher {
  readonly engine: EngineIoSocket;
  readonly namespaces: ConnectionArgs["namespaces"];
  readonly decoderLimits: ConnectionArgs["decoderLimits"];
  /** The actor, once it runs. */
  ref: Ref<ConnectionProtocol> | null = null;
  /** Events held until the actor runs (tag, payload pairs), or null once it runs or failed. */
  early: unknown[] | null = null;
  /** True until the start is answered. */
  starting = true;
  /** The actor's state, once `init` ran. */
  connection: Connection | null = null;

  constructor(args: ConnectionArgs) {
    this.engine = args.engine;
    this.namespaces = args.namespaces;
    this.decoderLimits = args.decoderLimits;
  }

  /** The bridge is also the actor's start args (one object less per connection). */
  get slot(): SessionBridge {
    return this;
  }

  message(data: string | Uint8Array): void {
    const ref = this.ref;
    if (ref === null) return this.#hold("message", data);
    try {
      ref.tell("message", data);
    } catch {
      this.engine.close("mailbox full"); // the client sends faster than its handlers run
    }
  }

  drain(): void {
    const ref = this.ref;
    if (ref === null) return this.#hold("drain", undefined);
    try {
      ref.tell("drain");
    } catch {
      // the actor is gone or full; a later drain or the close reaches it
    }
  }

  close(reason: string): void {
    const ref = this.ref;
    if (ref === null) return this.#hold("closed", reason);
    try {
      ref.tell("closed", reason);
    } catch {
      // the actor is gone or full; its terminate closes the sockets
    }
  }

  /** The actor runs: delivers what was held, in order. */
  started(ref: Ref<ConnectionProtocol>): void {
    this.starting = false;
    const held = this.early ?? [];
    this.early = null;
    this.ref = ref;
    for (let i = 0; i < held.length; i += 2) {
      const tag = held[i] as "message" | "drain" | "closed";
      if (tag === "message") this.message(held[i + 1] as string | Uint8Array);
      else if (tag === "drain") this.drain();
      else this.close(held[i + 1] as string);
    }
  }

  /**
   * The actor stopped (the monitor's watcher, with no closure): closes its connection however it
   * stopped — `killed` skips `terminate`.
   */
  down(_monitorId: number, reason: ExitReason): void {
    if (this.connection !== null) closeFor(this.connection, reason);
  }

  /** The actor could not be started: held and later events are dropped. */
  failed(): void {
    this.starting = false;
    this.early = null;
  }

  #hold(tag: string, payload: unknown): void {
    if (!this.starting) return;
    const early = (this.early ??= []);
    if (early.length < EARLY_EVENTS_MAX * 2) early.push(tag, payload);
    else this.engine.close("too many events before the connection started");
  }
}

/** What a supervised connection actor is started with: its args and its bridge. */
interface SupervisedArgs extends ConnectionArgs {
  readonly slot?: SessionBridge;
}

/**
 * Closes `connection` for an actor that stopped with `reason` (a no-op if it is closed already):
 * after a crash the client is told with a DISCONNECT per namespace ("io server disconnect",
 * `"server error: <message>"`); after a clean stop (`"server shutting down"`) or a kill
 * (`"server shutting down (killed)"`) only the session is closed, so the client sees
 * "transport close" and reconnects by itself.
 */
function closeFor(connection: Connection, reason: ExitReason): void {
  if (reason.type === "crash") {
    const error = reason.error;
    connection.close(`server error: ${error instanceof Error ? error.message : String(error)}`, {
      guarded: true,
      notifyClient: true,
    });
  } else {
    const clean = reason.type === "normal" || reason.type === "shutdown";
    connection.close(clean ? "server shutting down" : `server shutting down (${reason.type})`, { guarded: true });
  }
}

/** Stops the actor once its connection is closed. */
function settle(state: Connection, ctx: Ctx): void {
  if (state.closeReason !== null) ctx.stop();
}

/** The connection actor's behaviour. */
export const connectionBehaviour: Behaviour<ConnectionProtocol, Connection, SupervisedArgs> = {
  name: "socket-io-connection",
  init(args, ctx) {
    const connection = new Connection(args, ctx.self, ctx.reactor);
    if (args.slot !== undefined) args.slot.connection = connection;
    return connection;
  },
  handlers: {
    message(state, data, ctx) {
      state.onMessage(data);
      settle(state, ctx);
    },
    closed(state, reason, ctx) {
      state.onClosed(reason);
      settle(state, ctx);
    },
    drain(state, _none, ctx) {
      state.onDrain();
      settle(state, ctx);
    },
    namespaceResolved(state, resolved, ctx) {
      state.onNamespaceResolved(resolved.nsp, resolved.auth);
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
    closeFor(state, reason);
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
 *
 * Once the actor runs, a monitor watches it (the session's bridge is the watcher): however it
 * stops, its connection is closed (see `terminate`). That matters for `killed`, which skips
 * `terminate`: the sockets get their `disconnect` (reason `"server shutting down (killed)"`) and
 * leave the namespace, and the Engine.IO session is closed, so the client sees "transport
 * close" and reconnects.
 * @returns the actor's ref once it runs, or null if it could not be started.
 */
export function superviseConnection(
  supervisor: Ref<SupervisorProtocol>,
  args: ConnectionArgs,
): Promise<Ref<ConnectionProtocol> | null> {
  const { engine } = args;
  const bridge = new SessionBridge(args);
  engine.observe(bridge);
  const spec = childSpec(`connection-${engine.id}`, connectionBehaviour, bridge as SupervisedArgs, {
    restart: "temporary",
  });
  return supervisor.ask("startChild", spec).then(
    (started) => {
      const ref = started as Ref<ConnectionProtocol>;
      targetOf(ref).monitor(bridge);
      bridge.started(ref);
      return ref;
    },
    () => {
      bridge.failed();
      engine.close("server shutting down");
      return null;
    },
  );
}
