/**
 * A broadcast being built: `io.to("a").except("b").volatile.emit(...)`. Each step returns a new
 * operator; `emit` encodes the packet once per namespace with `encodePacket` and hands the same
 * frozen `EncodedPacket` to every recipient's session (`EngineIoSocket.sendEncoded`), whose
 * transport writes its shared WebSocket frames or polling records: nothing is encoded or
 * allocated per recipient.
 *
 * A broadcast skips nobody: a recipient over its outbound high-water mark still gets the packet
 * queued, and the engine's slow-consumer rule deals with a client that stays behind. Only a
 * `volatile` broadcast is dropped for a recipient that cannot take it now. With connection state
 * recovery on, a non-volatile broadcast carries an offset as its last argument and is kept in
 * the namespace's missed-packet log.
 */
import { type EncodedPacket, encodePacket } from "./packet-encoder.js";
import type { SocketIoNamespace } from "./socket-io-namespace.js";
import type { SocketIoSocket } from "./socket-io-socket.js";

function asList(rooms: string | readonly string[]): readonly string[] {
  return typeof rooms === "string" ? [rooms] : rooms;
}

/** What a broadcast starts from: a namespace, or a dynamic namespace and its children. */
export interface BroadcastSource {
  /** The namespaces the broadcast reaches. */
  broadcastTargets(): Iterable<SocketIoNamespace>;
}

/** Targets sockets of one namespace (or of every child of a dynamic one) by room. Immutable. */
export class BroadcastOperator {
  readonly #source: BroadcastSource;
  readonly #rooms: ReadonlySet<string>;
  readonly #except: ReadonlySet<string>;
  readonly #volatile: boolean;

  /**
   * @param rooms - the target rooms; empty means the whole namespace.
   * @param except - rooms whose members are left out.
   * @param volatile - drop the packet for recipients that cannot take it now.
   */
  constructor(source: BroadcastSource, rooms: ReadonlySet<string>, except: ReadonlySet<string>, volatile = false) {
    this.#source = source;
    this.#rooms = rooms;
    this.#except = except;
    this.#volatile = volatile;
  }

  /** Adds target rooms. */
  to(rooms: string | readonly string[]): BroadcastOperator {
    const next = new Set([...this.#rooms, ...asList(rooms)]);
    return new BroadcastOperator(this.#source, next, this.#except, this.#volatile);
  }

  /** Same as {@link BroadcastOperator.to}. */
  in(rooms: string | readonly string[]): BroadcastOperator {
    return this.to(rooms);
  }

  /** Leaves out the members of these rooms. */
  except(rooms: string | readonly string[]): BroadcastOperator {
    const next = new Set([...this.#except, ...asList(rooms)]);
    return new BroadcastOperator(this.#source, this.#rooms, next, this.#volatile);
  }

  /**
   * The same broadcast, volatile: each recipient whose transport cannot take a packet now
   * (a polling client between polls, a session over its outbound high-water mark) does not get
   * it, and it is not kept for connection state recovery.
   */
  get volatile(): BroadcastOperator {
    return new BroadcastOperator(this.#source, this.#rooms, this.#except, true);
  }

  /**
   * Sends an event to every targeted socket; returns how many it was written (or, volatile,
   * offered) to.
   * @throws TypeError if an argument is an ack callback (not supported when broadcasting).
   * @throws SocketIoCodecError for a reserved event name or data JSON cannot hold.
   */
  emit(event: string, ...args: unknown[]): number {
    if (args.length > 0 && typeof args[args.length - 1] === "function") {
      throw new TypeError("ack callbacks are not supported when broadcasting");
    }
    let count = 0;
    for (const nsp of this.#source.broadcastTargets()) count += this.#emitIn(nsp, event, args);
    return count;
  }

  /** The ids of the targeted sockets (a snapshot). */
  socketIds(): Set<string> {
    const out = new Set<string>();
    for (const nsp of this.#source.broadcastTargets()) {
      for (const id of nsp.adapter.recipients(this.#rooms, this.#except, nsp.sockets.keys())) out.add(id);
    }
    return out;
  }

  #emitIn(nsp: SocketIoNamespace, event: string, args: readonly unknown[]): number {
    const log = this.#volatile ? null : (nsp.recovery?.log ?? null);
    const data: [string, ...unknown[]] = log === null ? [event, ...args] : [event, ...args, log.nextOffset()];
    const encoded = encodePacket({ type: "event", nsp: nsp.name, data });
    if (log !== null) log.append(this.#rooms, this.#except, encoded, nsp.server.reactor.nowMs());
    const sockets = nsp.sockets;
    const volatile = this.#volatile;
    let count = 0;
    if (this.#except.size === 0 && this.#rooms.size <= 1) {
      // The common cases, without a recipient set: the whole namespace, or one room's members.
      if (this.#rooms.size === 0) {
        for (const socket of sockets.values()) count += deliver(socket, encoded, volatile);
      } else {
        for (const room of this.#rooms) {
          for (const id of nsp.adapter.membersOf(room)) {
            const socket = sockets.get(id);
            if (socket !== undefined) count += deliver(socket, encoded, volatile);
          }
        }
      }
      return count;
    }
    for (const id of nsp.adapter.recipients(this.#rooms, this.#except, sockets.keys())) {
      const socket = sockets.get(id);
      if (socket !== undefined) count += deliver(socket, encoded, volatile);
    }
    return count;
  }
}

/** Writes (or, volatile, offers) `encoded` to one recipient; counts 1. */
function deliver(socket: SocketIoSocket, encoded: EncodedPacket, volatile: boolean): number {
  if (volatile) socket.writeVolatile(encoded);
  else socket.write(encoded);
  return 1;
}
