/**
 * The connection actor: one per Engine.IO session, it owns the session and a {@link Connection}
 * (the decoder and the sockets). Every Engine.IO message, `drain` and `close` is told to it, so
 * user handlers run inside its turns. A handler that throws crashes the actor; `terminate` then
 * sends a DISCONNECT for every connected namespace (the client's `disconnect` reports
 * "io server disconnect") and closes the session with `"server error: <message>"` — other
 * connections are untouched. A decoding error closes it with `"parse error"` (no DISCONNECT: the
 * client's stream is broken; it sees "transport close"). An actor stopped without running
 * `terminate` (`killed`) is noticed by a monitor {@link superviseConnection} sets on the loop,
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
import type { Loop } from "../../kernel/loop-api.js";
import { type Ref, targetOf } from "../../kernel/ref.js";
import type { Behaviour } from "../../kernel/behaviour.js";
import type { ExitReason } from "../../kernel/exit-reason.js";
import type { EngineIoSocket } from "../engine-io/engine-io-socket.js";
import { childSpec } from "../../supervision/child-spec.js";
import type { SupervisorProtocol } from "../../supervision/supervisor-protocol.js";
import { Connection, type ConnectionArgs, type ConnectionProtocol } from "./connection.js";

export type { ConnectionArgs, ConnectionProtocol, NamespaceResolver } from "./connection.js";

type Ctx = ActorContext<ConnectionProtocol, Connection>;

/** Where a supervised connection actor leaves its state, so its monitor can close it. */
interface ConnectionSlot {
  connection: Connection | null;
}

/** What a supervised connection actor is started with: its args and the slot for its state. */
interface SupervisedArgs extends ConnectionArgs {
  readonly slot?: ConnectionSlot;
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
 * Once the actor runs, `loop` monitors it: however it stops, its connection is closed (see
 * `terminate`). That matters for `killed`, which skips `terminate`: the sockets get their
 * `disconnect` (reason `"server shutting down (killed)"`) and leave the namespace, and the
 * Engine.IO session is closed, so the client sees "transport close" and reconnects.
 * @param loop the loop that monitors the actor; default: the loop `supervisor` is reached through.
 * @returns the actor's ref once it runs, or null if it could not be started.
 */
export function superviseConnection(
  supervisor: Ref<SupervisorProtocol>,
  args: ConnectionArgs,
  loop: Loop = targetOf(supervisor).loop,
): Promise<Ref<ConnectionProtocol> | null> {
  const { engine } = args;
  const slot: ConnectionSlot = { connection: null };
  let ref: Ref<ConnectionProtocol> | null = null;
  let early: Array<(ref: Ref<ConnectionProtocol>) => void> | null = [];
  wire(engine, (deliver) => {
    if (ref !== null) deliver(ref);
    else if (early !== null && early.length < EARLY_EVENTS_MAX) early.push(deliver);
    else if (early !== null) engine.close("too many events before the connection started");
  });
  const supervised: SupervisedArgs = { ...args, slot };
  const spec = childSpec(`connection-${engine.id}`, connectionBehaviour, supervised, { restart: "temporary" });
  return supervisor.ask("startChild", spec).then(
    (started) => {
      ref = started as Ref<ConnectionProtocol>;
      loop.monitor(ref, (reason) => {
        if (slot.connection !== null) closeFor(slot.connection, reason);
      });
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
  engine.on("drain", () =>
    route((ref) => {
      try {
        ref.tell("drain");
      } catch {
        // the actor is gone or full; a later drain or the close reaches it
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
