/**
 * A broadcast being built: `io.to("a").except("b").emit(...)`. Each step returns a new operator;
 * `emit` encodes the packet once with `encodePacket` and hands the same frozen `EncodedPacket` to
 * every recipient's session (`EngineIoSocket.sendEncoded`), whose transport writes its shared
 * WebSocket frames or polling records: nothing is encoded or allocated per recipient.
 */
import { encodePacket } from "./packet-encoder.js";
import type { SocketIoNamespace } from "./socket-io-namespace.js";

function asList(rooms: string | readonly string[]): readonly string[] {
  return typeof rooms === "string" ? [rooms] : rooms;
}

/** Targets sockets of one namespace by room. Immutable. */
export class BroadcastOperator {
  readonly #nsp: SocketIoNamespace;
  readonly #rooms: ReadonlySet<string>;
  readonly #except: ReadonlySet<string>;

  /**
   * @param rooms - the target rooms; empty means the whole namespace.
   * @param except - rooms whose members are left out.
   */
  constructor(nsp: SocketIoNamespace, rooms: ReadonlySet<string>, except: ReadonlySet<string>) {
    this.#nsp = nsp;
    this.#rooms = rooms;
    this.#except = except;
  }

  /** Adds target rooms. */
  to(rooms: string | readonly string[]): BroadcastOperator {
    return new BroadcastOperator(this.#nsp, new Set([...this.#rooms, ...asList(rooms)]), this.#except);
  }

  /** Same as {@link BroadcastOperator.to}. */
  in(rooms: string | readonly string[]): BroadcastOperator {
    return this.to(rooms);
  }

  /** Leaves out the members of these rooms. */
  except(rooms: string | readonly string[]): BroadcastOperator {
    return new BroadcastOperator(this.#nsp, this.#rooms, new Set([...this.#except, ...asList(rooms)]));
  }

  /**
   * Sends an event to every targeted socket; returns how many it was written to.
   * @throws TypeError if an argument is an ack callback (not supported when broadcasting).
   * @throws SocketIoCodecError for a reserved event name or data JSON cannot hold.
   */
  emit(event: string, ...args: unknown[]): number {
    if (args.length > 0 && typeof args[args.length - 1] === "function") {
      throw new TypeError("ack callbacks are not supported when broadcasting");
    }
    const encoded = encodePacket({ type: "event", nsp: this.#nsp.name, data: [event, ...args] });
    const ids = this.#nsp.adapter.recipients(this.#rooms, this.#except, this.#nsp.sockets.keys());
    let count = 0;
    for (const id of ids) {
      const socket = this.#nsp.sockets.get(id);
      if (socket === undefined) continue;
      socket.write(encoded);
      count++;
    }
    return count;
  }

  /** The ids of the targeted sockets (a snapshot). */
  socketIds(): Set<string> {
    return this.#nsp.adapter.recipients(this.#rooms, this.#except, this.#nsp.sockets.keys());
  }
}
