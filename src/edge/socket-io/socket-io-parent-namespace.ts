/**
 * A dynamic namespace: `io.of(/^\/room-\d+$/)` or `io.of((name, auth, next) => next(null, ok))`.
 * When a client connects to a namespace that does not exist yet and a parent's predicate
 * accepts the name, the parent creates a child {@link SocketIoNamespace} of that concrete name
 * (`socket.nsp.name` is e.g. `/room-7`). The parent's middlewares and `connection` listeners
 * apply to every child — also those added after the child was created — before the child's own.
 * A broadcast from the parent reaches the sockets of every child.
 *
 * Children are bounded (a client choosing names must not grow the server without limit): a
 * child is forgotten when its last socket leaves and it keeps no session for recovery (with
 * `cleanupEmptyChildNamespaces`, the default), and at `childNamespacesMax` children an empty
 * one (even with kept sessions) is forgotten to make room, or the new name is refused.
 *
 * ```ts
 * const rooms = io.of(/^\/room-\d+$/);
 * rooms.use((socket, next) => next());
 * rooms.on("connection", (socket) => socket.emit("hello", socket.nsp.name));
 * rooms.emit("tick"); // to every child namespace
 * ```
 */
import { NamespaceBase } from "./namespace-base.js";
import {
  type SocketIoConnectionListener,
  type SocketIoMiddleware,
  SocketIoNamespace,
  type SocketIoNamespaceParent,
  type SocketIoNamespaceServer,
} from "./socket-io-namespace.js";

/**
 * Decides whether namespace `name` may be created for a client whose CONNECT carried `auth`:
 * call `next(null, true)` to accept, `next(null, false)` or `next(error)` to let the next parent
 * decide (the client gets "Invalid namespace" when none accepts). May answer asynchronously.
 */
export type SocketIoNamespacePredicate = (
  name: string,
  auth: Readonly<Record<string, unknown>>,
  next: (error: Error | null, allow: boolean) => void,
) => void;

/** Bounds on the children of a dynamic namespace. */
export interface ChildNamespaceLimits {
  /** Forget a child when its last socket leaves (and it keeps no recovery session). */
  readonly cleanupEmptyChildNamespaces: boolean;
  /** Most children of one dynamic namespace. */
  readonly childNamespacesMax: number;
}

/** A namespace that creates child namespaces on demand. */
export class SocketIoParentNamespace extends NamespaceBase implements SocketIoNamespaceParent {
  /** Decides which names this parent creates. */
  readonly predicate: SocketIoNamespacePredicate;
  /** The pattern it was created from, or null for a predicate function. */
  readonly pattern: RegExp | null;
  readonly #server: SocketIoNamespaceServer;
  readonly #limits: ChildNamespaceLimits;
  readonly #forget: (child: SocketIoNamespace) => void;
  readonly #children = new Map<string, SocketIoNamespace>();

  /**
   * Created by the server's `of(pattern)`.
   * @param forget - tells the server a child is gone (so `of(name)` no longer finds it).
   * @throws RangeError for a global or sticky RegExp (its `test` is stateful).
   */
  constructor(
    matcher: RegExp | SocketIoNamespacePredicate,
    server: SocketIoNamespaceServer,
    limits: ChildNamespaceLimits,
    forget: (child: SocketIoNamespace) => void,
  ) {
    super();
    this.#server = server;
    this.#limits = limits;
    this.#forget = forget;
    if (matcher instanceof RegExp) {
      if (matcher.global || matcher.sticky) throw new RangeError("stateful regular expressions are not supported");
      this.pattern = matcher;
      this.predicate = (name, _auth, next) => next(null, matcher.test(name));
    } else if (typeof matcher === "function") {
      this.pattern = null;
      this.predicate = matcher;
    } else {
      throw new TypeError("a dynamic namespace needs a RegExp or a predicate function");
    }
  }

  /** The child namespaces created so far, by name (live view; do not mutate). */
  get children(): ReadonlyMap<string, SocketIoNamespace> {
    return this.#children;
  }

  /** The middlewares every child runs first. */
  get middlewares(): readonly SocketIoMiddleware[] {
    return this.ownMiddlewares;
  }

  /** The `connection` listeners every child runs first. */
  get connectionListeners(): readonly SocketIoConnectionListener[] {
    return this.ownListeners;
  }

  /** The namespaces a broadcast from here reaches: the children. @internal */
  broadcastTargets(): Iterable<SocketIoNamespace> {
    return this.#children.values();
  }

  /**
   * Creates (or returns) the child `name`; the server registers it. Null when there are
   * `childNamespacesMax` children and none is empty. @internal
   */
  createChild(name: string): SocketIoNamespace | null {
    const existing = this.#children.get(name);
    if (existing !== undefined) return existing;
    if (this.#children.size >= this.#limits.childNamespacesMax && !this.#evictEmptyChild()) return null;
    const child = new SocketIoNamespace(name, this.#server, this);
    this.#children.set(name, child);
    return child;
  }

  /** See {@link SocketIoNamespaceParent.childEmptied}. @internal */
  childEmptied(child: SocketIoNamespace): void {
    if (!this.#limits.cleanupEmptyChildNamespaces || (child.recovery?.sessionCount ?? 0) > 0) return;
    this.#drop(child);
  }

  #evictEmptyChild(): boolean {
    for (const child of this.#children.values()) {
      if (child.sockets.size > 0 || child.pendingCount > 0) continue;
      this.#drop(child);
      return true;
    }
    return false;
  }

  #drop(child: SocketIoNamespace): void {
    if (this.#children.get(child.name) !== child) return;
    this.#children.delete(child.name);
    this.#forget(child);
  }
}
