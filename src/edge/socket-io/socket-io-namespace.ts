/**
 * A Socket.IO namespace: its connected sockets, its middleware chain, its `connection`
 * listeners, its rooms (a {@link RoomAdapter}) and, when connection state recovery is on, its
 * {@link SessionRecovery}. A namespace created by a dynamic (parent) namespace runs the parent's
 * middlewares before its own and announces sockets to the parent's listeners before its own,
 * including those added to the parent later.
 */
import type { Reactor } from "../../reactor/reactor.js";
import { NamespaceBase } from "./namespace-base.js";
import type { ResolvedRecoveryOptions } from "./recovery-options.js";
import { RoomAdapter } from "./room-adapter.js";
import { SessionRecovery } from "./session-recovery.js";
import type { SocketIoSocket } from "./socket-io-socket.js";

/** Calls `next()` to let a socket in, or `next(error)` to refuse it (the client gets connect_error). */
export type SocketIoMiddleware = (socket: SocketIoSocket, next: (error?: Error) => void) => void;

/** Called with each socket that joined the namespace. */
export type SocketIoConnectionListener = (socket: SocketIoSocket) => void;

/** What a namespace needs from its server. */
export interface SocketIoNamespaceServer {
  /** Default timeout of `emitWithAck`, in ms. */
  readonly ackTimeoutMs: number;
  /** Time and ids. */
  readonly reactor: Reactor;
  /** Connection state recovery options, or null when recovery is off. */
  readonly recovery: ResolvedRecoveryOptions | null;
}

/** Where a child namespace finds the middlewares and listeners it inherits. */
export interface SocketIoNamespaceParent {
  /** The parent's middlewares, run before the child's own. */
  readonly middlewares: readonly SocketIoMiddleware[];
  /** The parent's `connection` listeners, run before the child's own. */
  readonly connectionListeners: readonly SocketIoConnectionListener[];
  /** The child's last socket left. */
  childEmptied(child: SocketIoNamespace): void;
}

/** A namespace such as `/` or `/admin`. */
export class SocketIoNamespace extends NamespaceBase {
  /** The name, starting with `/`. */
  readonly name: string;
  /** The server it belongs to. */
  readonly server: SocketIoNamespaceServer;
  /** Room membership. */
  readonly adapter = new RoomAdapter();
  /** Sessions and missed packets kept for connection state recovery; null when it is off. */
  readonly recovery: SessionRecovery | null;
  /** The dynamic namespace that created this one, or null. */
  readonly parent: SocketIoNamespaceParent | null;
  readonly #sockets = new Map<string, SocketIoSocket>();
  readonly #self: readonly SocketIoNamespace[] = Object.freeze([this]);
  #pendingCount = 0;

  /** Created by the server's `of(name)` or by a parent namespace. */
  constructor(name: string, server: SocketIoNamespaceServer, parent: SocketIoNamespaceParent | null = null) {
    super();
    this.name = name;
    this.server = server;
    this.parent = parent;
    this.recovery = server.recovery === null ? null : new SessionRecovery(server.recovery, server.reactor);
  }

  /** Sockets still running their middlewares (they keep a dynamic child alive). */
  get pendingCount(): number {
    return this.#pendingCount;
  }

  /** The connected sockets by id (live view; do not mutate). */
  get sockets(): ReadonlyMap<string, SocketIoSocket> {
    return this.#sockets;
  }

  /** The middleware chain, in order: the parent's, then this namespace's. */
  get middlewares(): readonly SocketIoMiddleware[] {
    return this.parent === null ? this.ownMiddlewares : [...this.parent.middlewares, ...this.ownMiddlewares];
  }

  /** The `connection` listeners, in order: the parent's, then this namespace's. */
  get connectionListeners(): readonly SocketIoConnectionListener[] {
    return this.parent === null ? this.ownListeners : [...this.parent.connectionListeners, ...this.ownListeners];
  }

  /** The namespaces a broadcast from here reaches: this one. @internal */
  broadcastTargets(): Iterable<SocketIoNamespace> {
    return this.#self;
  }

  /** A socket starts its middlewares. @internal */
  holdPending(): void {
    this.#pendingCount++;
  }

  /** A socket finished its middlewares (joined, refused or gone). @internal */
  releasePending(): void {
    this.#pendingCount--;
    this.#checkEmpty();
  }

  /** A socket passed the middlewares: adds it (it joins its own room, and its old ones if recovered). @internal */
  add(socket: SocketIoSocket, rooms: readonly string[] = []): void {
    this.#sockets.set(socket.id, socket);
    socket.onOpen(rooms);
  }

  /** Runs the `connection` listeners, after the CONNECT reply was written. @internal */
  announce(socket: SocketIoSocket): void {
    for (const listener of [...this.connectionListeners]) listener(socket);
  }

  /** A socket left. @internal */
  remove(socket: SocketIoSocket): void {
    if (this.#sockets.get(socket.id) !== socket) return;
    this.#sockets.delete(socket.id);
    this.#checkEmpty();
  }

  #checkEmpty(): void {
    if (this.#sockets.size === 0 && this.#pendingCount === 0) this.parent?.childEmptied(this);
  }
}
