/**
 * What every namespace a user holds has in common — a plain {@link SocketIoNamespace} and a
 * dynamic {@link SocketIoParentNamespace}: its own middlewares and `connection` listeners, and
 * broadcasts (`to`, `in`, `except`, `volatile`, `emit`) over the namespaces it reaches.
 */
import { BroadcastOperator, type BroadcastSource } from "./broadcast-operator.js";
import type { SocketIoConnectionListener, SocketIoMiddleware, SocketIoNamespace } from "./socket-io-namespace.js";

const EMPTY: ReadonlySet<string> = new Set();

/** The listeners, middlewares and broadcasts shared by plain and dynamic namespaces. */
export abstract class NamespaceBase implements BroadcastSource {
  /** This namespace's own middlewares, in the order added. */
  protected readonly ownMiddlewares: SocketIoMiddleware[] = [];
  /** This namespace's own `connection` listeners, in the order added. */
  protected readonly ownListeners: SocketIoConnectionListener[] = [];

  /** The namespaces a broadcast from here reaches. @internal */
  abstract broadcastTargets(): Iterable<SocketIoNamespace>;

  /** Adds a `connection` listener. @throws TypeError for another event name. */
  on(event: "connection" | "connect", listener: SocketIoConnectionListener): this {
    if (event !== "connection" && event !== "connect") throw new TypeError(`unknown namespace event ${event}`);
    this.ownListeners.push(listener);
    return this;
  }

  /** Adds a middleware, run in order on each CONNECT before the `connection` listeners. */
  use(middleware: SocketIoMiddleware): this {
    this.ownMiddlewares.push(middleware);
    return this;
  }

  /** A broadcast to the members of `rooms`. */
  to(rooms: string | readonly string[]): BroadcastOperator {
    return this.#all().to(rooms);
  }

  /** Same as {@link NamespaceBase.to}. */
  in(rooms: string | readonly string[]): BroadcastOperator {
    return this.to(rooms);
  }

  /** A broadcast to everyone but the members of `rooms`. */
  except(rooms: string | readonly string[]): BroadcastOperator {
    return this.#all().except(rooms);
  }

  /** A broadcast whose packet is dropped for each recipient that cannot take it now. */
  get volatile(): BroadcastOperator {
    return this.#all().volatile;
  }

  /** Sends an event to every socket reached; returns the number of recipients. */
  emit(event: string, ...args: unknown[]): number {
    return this.#all().emit(event, ...args);
  }

  #all(): BroadcastOperator {
    return new BroadcastOperator(this, EMPTY, EMPTY, false);
  }
}
