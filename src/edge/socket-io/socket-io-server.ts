/**
 * The Socket.IO v5 server: an Engine.IO server (at `/socket.io/` by default) whose every session
 * gets a connection actor on the given loop, plus static namespaces with middlewares, rooms and
 * broadcasts. Connection actors are `temporary` children of a per-server `one_for_one`
 * supervisor: a crash is reported to `reporter` and never restarted, and `close()` stops them in
 * reverse start order before the Engine.IO server closes. The API follows the reference `socket.io` server:
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
import { type EngineIoServer, createEngineIoServer } from "../engine-io/engine-io-server.js";
import type { EngineIoServerOptions } from "../engine-io/engine-io-server-options.js";
import { superviseConnection } from "./connection-actor.js";
import type { BroadcastOperator } from "./broadcast-operator.js";
import { MAIN_NAMESPACE, namespaceProblem } from "./packet.js";
import type { DecoderLimits } from "./packet-decoder.js";
import { type SocketIoConnectionListener, type SocketIoMiddleware, SocketIoNamespace } from "./socket-io-namespace.js";

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
}

/** A Socket.IO server. Methods without a namespace act on the main namespace `/`. */
export interface SocketIoServer {
  /** The underlying Engine.IO server. */
  readonly engine: EngineIoServer;
  /** Default timeout of `emitWithAck`, in ms. */
  readonly ackTimeoutMs: number;
  /** Serves the Engine.IO endpoint on `httpServer`. */
  attach(httpServer: HttpServer): void;
  /** The namespace `name` (created on first use). @throws RangeError for an invalid name. */
  of(name: string): SocketIoNamespace;
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
  /** The supervisor whose `temporary` children are the connection actors. */
  readonly supervisor: Ref<SupervisorProtocol>;
  /**
   * Closes every connection and stops accepting new ones: the connection supervisor stops its
   * children in reverse start order (each closes its session with "server shutting down"), then
   * the Engine.IO server closes. Idempotent.
   */
  close(): void;
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
  readonly supervisor: Ref<SupervisorProtocol>;
  readonly #namespaces = new Map<string, SocketIoNamespace>();
  readonly #loop: Loop;
  #closed = false;

  constructor(options: SocketIoServerOptions) {
    if (options.loop === undefined || options.loop === null) throw new TypeError("loop is required");
    const ackTimeoutMs = options.ackTimeoutMs ?? ACK_TIMEOUT_MS_DEFAULT;
    if (!Number.isSafeInteger(ackTimeoutMs) || ackTimeoutMs < 1)
      throw new RangeError(`ackTimeoutMs must be an integer >= 1, got ${ackTimeoutMs}`);
    this.ackTimeoutMs = ackTimeoutMs;
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
    const namespace = (name: string): SocketIoNamespace | undefined => this.#namespaces.get(name);
    this.engine.onConnection((engine) => {
      void superviseConnection(this.supervisor, { engine, namespace, decoderLimits: options.decoderLimits });
    });
  }

  attach(httpServer: HttpServer): void {
    this.engine.attach(httpServer);
  }

  of(name: string): SocketIoNamespace {
    const problem = namespaceProblem(name);
    if (problem !== null) throw new RangeError(`namespace ${problem}: ${JSON.stringify(name)}`);
    let nsp = this.#namespaces.get(name);
    if (nsp === undefined) this.#namespaces.set(name, (nsp = new SocketIoNamespace(name, this)));
    return nsp;
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

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // The engine closes once the supervisor has stopped every connection actor (or at once if
    // it is already gone: monitor reports `noproc`).
    try {
      this.#loop.monitor(this.supervisor, () => this.engine.close());
      this.#loop.exit(this.supervisor, ExitReasons.shutdown);
    } catch {
      this.engine.close(); // the loop is already shut down (and the actors with it)
    }
  }
}
