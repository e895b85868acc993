/**
 * A Socket.IO namespace: its connected sockets, its middleware chain, its `connection`
 * listeners and its rooms (a {@link RoomAdapter}).
 */
import { BroadcastOperator } from "./broadcast-operator.js";
import { RoomAdapter } from "./room-adapter.js";
import type { SocketIoSocket } from "./socket-io-socket.js";

/** Calls `next()` to let a socket in, or `next(error)` to refuse it (the client gets connect_error). */
export type SocketIoMiddleware = (socket: SocketIoSocket, next: (error?: Error) => void) => void;

/** Called with each socket that joined the namespace. */
export type SocketIoConnectionListener = (socket: SocketIoSocket) => void;

/** What a namespace needs from its server. */
export interface SocketIoNamespaceServer {
  /** Default timeout of `emitWithAck`, in ms. */
  readonly ackTimeoutMs: number;
}

/** A namespace such as `/` or `/admin`. */
export class SocketIoNamespace {
  /** The name, starting with `/`. */
  readonly name: string;
  /** The server it belongs to. */
  readonly server: SocketIoNamespaceServer;
  /** Room membership. */
  readonly adapter = new RoomAdapter();
  readonly #sockets = new Map<string, SocketIoSocket>();
  readonly #middlewares: SocketIoMiddleware[] = [];
  readonly #listeners: SocketIoConnectionListener[] = [];

  /** Created by the server's `of(name)`. */
  constructor(name: string, server: SocketIoNamespaceServer) {
    this.name = name;
    this.server = server;
  }

  /** The connected sockets by id (live view; do not mutate). */
  get sockets(): ReadonlyMap<string, SocketIoSocket> {
    return this.#sockets;
  }

  /** The middleware chain, in order. */
  get middlewares(): readonly SocketIoMiddleware[] {
    return this.#middlewares;
  }

  /** Adds a `connection` listener. */
  on(event: "connection" | "connect", listener: SocketIoConnectionListener): this {
    if (event !== "connection" && event !== "connect") throw new TypeError(`unknown namespace event ${event}`);
    this.#listeners.push(listener);
    return this;
  }

  /** Adds a middleware, run in order on each CONNECT before `connection`. */
  use(middleware: SocketIoMiddleware): this {
    this.#middlewares.push(middleware);
    return this;
  }

  /** A broadcast to `rooms`. */
  to(rooms: string | readonly string[]): BroadcastOperator {
    return this.#all().to(rooms);
  }

  /** Same as {@link SocketIoNamespace.to}. */
  in(rooms: string | readonly string[]): BroadcastOperator {
    return this.to(rooms);
  }

  /** A broadcast to everyone but the members of `rooms`. */
  except(rooms: string | readonly string[]): BroadcastOperator {
    return this.#all().except(rooms);
  }

  /** Sends an event to every socket of the namespace; returns the number of recipients. */
  emit(event: string, ...args: unknown[]): number {
    return this.#all().emit(event, ...args);
  }

  /** A socket passed the middlewares: adds it (it joins its own room). @internal */
  add(socket: SocketIoSocket): void {
    this.#sockets.set(socket.id, socket);
    socket.onOpen();
  }

  /** Runs the `connection` listeners, after the CONNECT reply was written. @internal */
  announce(socket: SocketIoSocket): void {
    for (const listener of [...this.#listeners]) listener(socket);
  }

  /** A socket left. @internal */
  remove(socket: SocketIoSocket): void {
    if (this.#sockets.get(socket.id) === socket) this.#sockets.delete(socket.id);
  }

  #all(): BroadcastOperator {
    return new BroadcastOperator(this, new Set(), new Set());
  }
}
