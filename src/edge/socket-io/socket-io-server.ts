/**
 * The Socket.IO v5 server: an Engine.IO server (at `/socket.io/` by default) whose every session
 * gets a connection actor on the given loop, plus static and dynamic namespaces with
 * middlewares, rooms, broadcasts (volatile too) and, optionally, connection state recovery.
 * Connection actors are `temporary` children of a per-server `one_for_one` supervisor: a crash
 * is reported to `reporter` and never restarted, and `close()` stops them in reverse start order
 * before the Engine.IO server closes. The API follows the reference `socket.io` server (see
 * docs/migrating-from-socket-io.md for the differences):
 *
 * ```ts
 * const io = createSocketIoServer({ loop, reactor });
 * io.attach(httpServer);
 * io.on("connection", (socket) => socket.on("ping", (n, ack) => ack(n + 1)));
 * io.to("room").emit("news", { at: 1 });
 * ```
 * Spec: https://github.com/socketio/socket.io-protocol
 */
import type { Server as HttpServer } from "node:http";
import { ExitReasons } from "../../kernel/exit-reason.js";
import type { Loop } from "../../kernel/loop-api.js";
import type { Ref } from "../../kernel/ref.js";
import type { CrashReporter } from "../../supervision/crash-reporter.js";
import { supervisorBehaviour } from "../../supervision/supervisor.js";
import type { SupervisorProtocol } from "../../supervision/supervisor-protocol.js";
import type { Reactor } from "../../reactor/reactor.js";
import { type EngineIoCloseOptions, type EngineIoServer, createEngineIoServer } from "../engine-io/engine-io-server.js";
import type { EngineIoServerOptions } from "../engine-io/engine-io-server-options.js";
import { superviseConnection } from "./connection-actor.js";
import type { BroadcastOperator } from "./broadcast-operator.js";
import { NamespaceRegistry } from "./namespace-registry.js";
import { MAIN_NAMESPACE } from "./packet.js";
import { type DecoderLimits, resolveDecoderLimits } from "./packet-decoder.js";
import {
  type ConnectionStateRecoveryOptions,
  type ResolvedRecoveryOptions,
  resolveRecoveryOptions,
} from "./recovery-options.js";
import type { SocketIoConnectionListener, SocketIoMiddleware, SocketIoNamespace } from "./socket-io-namespace.js";
import type { SocketIoNamespacePredicate, SocketIoParentNamespace } from "./socket-io-parent-namespace.js";

/** Default timeout of `socket.emitWithAck`, in ms. */
export const ACK_TIMEOUT_MS_DEFAULT = 10_000;

/** Options of {@link createSocketIoServer}. */
export interface SocketIoServerOptions {
  /** The loop the connection actors run on. */
  readonly loop: Loop;
  /** The Reactor (timers, ids); usually `loop.reactor`. */
  readonly reactor: Reactor;
  /** Path of the Engine.IO endpoint. Default `"/socket.io/"`. */
  readonly path?: string;
  /** Engine.IO options other than `reactor` and `path`. */
  readonly engine?: Omit<EngineIoServerOptions, "reactor" | "path">;
  /** Default timeout of `socket.emitWithAck`, in ms (integer ≥ 1). Default {@link ACK_TIMEOUT_MS_DEFAULT}. */
  readonly ackTimeoutMs?: number;
  /** Limits of each connection's packet decoder. */
  readonly decoderLimits?: Partial<DecoderLimits>;
  /** Where the connection supervisor reports crashed connection actors. Default: none (dropped). */
  readonly reporter?: CrashReporter;
  /**
   * Connection state recovery (the reference's `connectionStateRecovery`): a client that comes
   * back within `maxDisconnectionDurationMs` keeps its socket id, rooms and `data`, and gets the
   * packets it missed. `true` means the defaults. Default: off.
   */
  readonly connectionStateRecovery?: ConnectionStateRecoveryOptions | boolean;
  /**
   * Forget a dynamic namespace's child when its last socket leaves (and it keeps no recovery
   * session). Default true (the reference's option of the same name defaults to false).
   */
  readonly cleanupEmptyChildNamespaces?: boolean;
  /**
   * Most children of one dynamic namespace (integer ≥ 1): at the limit an empty child is
   * forgotten to make room, or the client gets "Invalid namespace". Default
   * {@link CHILD_NAMESPACES_MAX_DEFAULT}.
   */
  readonly childNamespacesMax?: number;
}

/** Default `childNamespacesMax`: children of one dynamic namespace. */
export const CHILD_NAMESPACES_MAX_DEFAULT = 10_000;

/** A Socket.IO server. Methods without a namespace act on the main namespace `/`. */
export interface SocketIoServer {
  /** The underlying Engine.IO server. */
  readonly engine: EngineIoServer;
  /** Default timeout of `emitWithAck`, in ms. */
  readonly ackTimeoutMs: number;
  /** Resolved connection state recovery options, or null when recovery is off. */
  readonly recovery: ResolvedRecoveryOptions | null;
  /** Serves the Engine.IO endpoint on `httpServer`. */
  attach(httpServer: HttpServer): void;
  /**
   * The namespace `name` (created on first use; a child of the first dynamic namespace whose
   * RegExp matches it, if any). @throws RangeError for an invalid name.
   */
  of(name: string): SocketIoNamespace;
  /**
   * A dynamic namespace: child namespaces are created when a client connects to a name the
   * RegExp matches, or the predicate accepts (`(name, auth, next) => next(null, true)`).
   * @throws RangeError for a global or sticky RegExp.
   */
  of(matcher: RegExp | SocketIoNamespacePredicate): SocketIoParentNamespace;
  /** Adds a `connection` listener to `/`. */
  on(event: "connection" | "connect", listener: SocketIoConnectionListener): this;
  /** Adds a middleware to `/`. */
  use(middleware: SocketIoMiddleware): this;
  /** A broadcast to rooms of `/`. */
  to(rooms: string | readonly string[]): BroadcastOperator;
  /** Same as `to`. */
  in(rooms: string | readonly string[]): BroadcastOperator;
  /** A broadcast to `/` except the members of `rooms`. */
  except(rooms: string | readonly string[]): BroadcastOperator;
  /** Sends an event to every socket of `/`; returns the number of recipients. */
  emit(event: string, ...args: unknown[]): number;
  /** A volatile broadcast to `/`: dropped for each client that cannot take it now. */
  readonly volatile: BroadcastOperator;
  /** The supervisor whose `temporary` children are the connection actors. */
  readonly supervisor: Ref<SupervisorProtocol>;
  /**
   * Drains and closes (graceful shutdown): new handshakes are refused at once (503), the
   * connection supervisor stops its children in reverse start order (each closes its session
   * politely with "server shutting down": packets already emitted are written first, then the
   * Engine.IO `close`, after which stock clients reconnect), then the Engine.IO server waits for
   * those closes up to `drainMs` from this call and closes the rest at once. The promise
   * resolves when every session is closed. Idempotent: later calls return the same promise.
   * @throws RangeError for a `drainMs` that is not an integer >= 0.
   */
  close(options?: EngineIoCloseOptions): Promise<void>;
}

/**
 * Creates a Socket.IO server; attach it with `attach(httpServer)`.
 * @throws TypeError / RangeError for invalid options.
 */
export function createSocketIoServer(options: SocketIoServerOptions): SocketIoServer {
  return new SocketIoServerRuntime(options);
}

class SocketIoServerRuntime implements SocketIoServer {
  readonly engine: EngineIoServer;
  readonly ackTimeoutMs: number;
  readonly recovery: ResolvedRecoveryOptions | null;
  readonly reactor: Reactor;
  readonly supervisor: Ref<SupervisorProtocol>;
  readonly #namespaces: NamespaceRegistry;
  readonly #loop: Loop;
  #closing: Promise<void> | null = null;

  constructor(options: SocketIoServerOptions) {
    if (options.loop === undefined || options.loop === null) throw new TypeError("loop is required");
    const ackTimeoutMs = options.ackTimeoutMs ?? ACK_TIMEOUT_MS_DEFAULT;
    if (!Number.isSafeInteger(ackTimeoutMs) || ackTimeoutMs < 1)
      throw new RangeError(`ackTimeoutMs must be an integer >= 1, got ${ackTimeoutMs}`);
    this.ackTimeoutMs = ackTimeoutMs;
    this.recovery = resolveRecoveryOptions(options.connectionStateRecovery);
    this.reactor = options.reactor;
    const childNamespacesMax = options.childNamespacesMax ?? CHILD_NAMESPACES_MAX_DEFAULT;
    if (!Number.isSafeInteger(childNamespacesMax) || childNamespacesMax < 1)
      throw new RangeError(`childNamespacesMax must be an integer >= 1, got ${childNamespacesMax}`);
    const cleanupEmptyChildNamespaces = options.cleanupEmptyChildNamespaces ?? true;
    if (typeof cleanupEmptyChildNamespaces !== "boolean")
      throw new TypeError("cleanupEmptyChildNamespaces must be a boolean");
    this.#namespaces = new NamespaceRegistry(this, { cleanupEmptyChildNamespaces, childNamespacesMax });
    this.engine = createEngineIoServer({
      ...options.engine,
      reactor: options.reactor,
      path: options.path ?? "/socket.io/",
    });
    this.of(MAIN_NAMESPACE);
    const loop = options.loop;
    this.#loop = loop;
    this.supervisor = loop.spawn(supervisorBehaviour, {
      name: "socket-io-connections",
      flags: { strategy: "one_for_one" },
      ...(options.reporter === undefined ? {} : { reporter: options.reporter }),
    });
    const namespaces = this.#namespaces;
    // Resolved once: every connection's decoder shares the frozen limits.
    const decoderLimits = resolveDecoderLimits(options.decoderLimits);
    this.engine.onConnection((engine) => {
      void superviseConnection(this.supervisor, { engine, namespaces, decoderLimits });
    });
  }

  attach(httpServer: HttpServer): void {
    this.engine.attach(httpServer);
  }

  of(name: string): SocketIoNamespace;
  of(matcher: RegExp | SocketIoNamespacePredicate): SocketIoParentNamespace;
  of(name: string | RegExp | SocketIoNamespacePredicate): SocketIoNamespace | SocketIoParentNamespace {
    return typeof name === "string" ? this.#namespaces.byName(name) : this.#namespaces.dynamic(name);
  }

  on(event: "connection" | "connect", listener: SocketIoConnectionListener): this {
    this.of(MAIN_NAMESPACE).on(event, listener);
    return this;
  }

  use(middleware: SocketIoMiddleware): this {
    this.of(MAIN_NAMESPACE).use(middleware);
    return this;
  }

  to(rooms: string | readonly string[]): BroadcastOperator {
    return this.of(MAIN_NAMESPACE).to(rooms);
  }

  in(rooms: string | readonly string[]): BroadcastOperator {
    return this.to(rooms);
  }

  except(rooms: string | readonly string[]): BroadcastOperator {
    return this.of(MAIN_NAMESPACE).except(rooms);
  }

  emit(event: string, ...args: unknown[]): number {
    return this.of(MAIN_NAMESPACE).emit(event, ...args);
  }

  get volatile(): BroadcastOperator {
    return this.of(MAIN_NAMESPACE).volatile;
  }

  close(options: EngineIoCloseOptions = {}): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    const drainMs = options.drainMs ?? 0;
    if (!Number.isSafeInteger(drainMs) || drainMs < 0) {
      throw new RangeError(`drainMs must be an integer number of ms >= 0, got ${drainMs}`);
    }
    this.engine.stopAccepting();
    const reactor = this.engine.options.reactor;
    const deadline = reactor.nowMs() + drainMs;
    // The engine drains once the supervisor has stopped every connection actor (or at once if
    // it is already gone: monitor reports `noproc`), within what is left of drainMs.
    const closeEngine = (): Promise<void> =>
      this.engine.close({ ...options, drainMs: Math.max(0, Math.ceil(deadline - reactor.nowMs())) });
    this.#closing = new Promise<void>((resolve) => {
      try {
        this.#loop.monitor(this.supervisor, () => resolve(closeEngine()));
        this.#loop.exit(this.supervisor, ExitReasons.shutdown);
      } catch {
        resolve(closeEngine()); // the loop is already shut down (and the actors with it)
      }
    });
    return this.#closing;
  }
}
