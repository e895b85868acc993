/**
 * Loops in other processes and on other machines as first-class peers: {@link joinWireLoop}
 * puts a loop on the wire (a {@link WirePeerRegistry} whose node id is the loop id), and every
 * peer node that connects — by dialing or being dialed — becomes a kernel peer of the loop, the
 * same as a worker-thread loop: far refs with `tell`/`ask`, monitors and exit signals, `call` →
 * FarCallError, refs inside messages as capability tokens, and on loss pending asks fail with
 * LoopClosedError and monitors fire `noconnection`.
 *
 * Each node publishes actors by name in an exports table (a kernel registry); the peer's table
 * reaches the other side, attenuated to `lookup`/`names`, as the bootstrap capability of the
 * connection, so `lookup(address, name)` is one dial (if needed) and one ask.
 *
 * ```
 *   A                                   B
 *   ── HELLO(node id = A's loop id) ──►
 *   ◄── HELLO(node id = B's loop id) ──
 *   ── { b: A's exports (lookup, names) } ──►     (both sides, first MSG)
 *   ◄── { b: B's exports (lookup, names) } ──
 *   ── { f: [kernel frames…] } ◄──► { f: […] }    (fire-and-forget MSGs)
 * ```
 */
import { attenuate } from "../kernel/caretaker.js";
import { LoopClosedError } from "../kernel/errors.js";
import type { Loop, LoopRuntime } from "../kernel/loop.js";
import type { EncodedRef } from "../kernel/loop-transport.js";
import { connectPeer } from "../kernel/peer-connection.js";
import type { Protocol } from "../kernel/protocol.js";
import type { AnyRef, Ref } from "../kernel/ref.js";
import { createRegistry, type RegisterResult, type Registry } from "../kernel/registry.js";
import type { WireConnectionOptions } from "./connection-options.js";
import type { WireAddress, WireTls } from "./wire-endpoint.js";
import { loopNodeId, WireLoopTransport } from "./wire-loop-transport.js";
import type { WirePeer, WirePeerEvent } from "./wire-peer.js";
import { WirePeerRegistry } from "./wire-peer-registry.js";

/** Options of {@link joinWireLoop}. */
export interface WireLoopNodeOptions {
  /** Where to listen (`host:port`, port 0 picks one, or `unix:/path`). Default: do not listen. */
  readonly listen?: string | WireAddress;
  /** TLS with mutual authentication. Default none. */
  readonly tls?: WireTls;
  /** Connection options (the identity comes from the loop: node id = loop id, name = loop name). */
  readonly connection?: Omit<WireConnectionOptions, "nodeId" | "nodeName" | "listen">;
  /** Longest wait at close for ACKs owed to peers, in ms. Default 2,000. */
  readonly drainMs?: number;
  /** Bound of each peer's outbound queue, in kernel frames. Default 65,536. */
  readonly outboundFramesMax?: number;
}

/** The exports table's protocol as peers see it. */
export interface WireExports {
  /** The ref published as `name`, or null. */
  lookup(name: string): Ref<never> | null;
  /** Every published name, in publication order. */
  names(): string[];
}

/** A loop on the wire. */
export interface WireLoopNode {
  /** The node id: the loop's id (32 hex characters). */
  readonly id: string;
  /** Where it listens (`host:port` or `unix:/path`), or null. */
  readonly address: string | null;
  /** The peer nodes connected now. */
  readonly peers: readonly WirePeer[];
  /**
   * Publishes `ref` as `name` in this node's exports table while the actor lives.
   * @throws Error when the name is taken by another live actor or the table is full.
   */
  publish(name: string, ref: AnyRef): Promise<void>;
  /** Removes a published name (no-op if absent). */
  unpublish(name: string): void;
  /**
   * A far ref to the actor published as `name` by the node at `address` (dialing it if needed),
   * or null if nothing is published under that name. Rejects with WireSendError
   * `cannot_connect` / `shutdown`, or LoopClosedError if the peer is lost meanwhile.
   */
  lookup<M extends Protocol<M>>(address: string | WireAddress, name: string): Promise<Ref<M> | null>;
  /** The names the node at `address` publishes. Rejects as {@link lookup}. */
  names(address: string | WireAddress): Promise<string[]>;
  /** Subscribes to peer events (`restarted`, `up`, `switched`, `down`); returns the unsubscribe. */
  onEvent(listener: (event: WirePeerEvent) => void): () => void;
  /**
   * Leaves the wire: drains ACKs owed (at most `drainMs`), closes every connection (far refs to
   * the peers fail as on a lost peer) and the listener. Idempotent.
   */
  close(): Promise<void>;
}

interface PeerLink {
  readonly transport: WireLoopTransport;
  readonly exports: Promise<Ref<WireExports>>;
  readonly fail: (error: Error) => void;
}

/**
 * Puts `loop` on the wire (listening if `options.listen` is set) and returns its node.
 * @throws TypeError if the loop id is not 32 hex characters; the listen error.
 */
export async function joinWireLoop(loop: Loop, options: WireLoopNodeOptions = {}): Promise<WireLoopNode> {
  const runtime = loop as LoopRuntime;
  const table = createRegistry<Protocol<never>>(loop, { name: "wire-exports" }) as Ref<Registry<never>>;
  const bootstrap = attenuate(table, ["lookup", "names"]);
  const registry = new WirePeerRegistry(loop.reactor, {
    connection: { ...options.connection, nodeId: loopNodeId(loop), nodeName: loop.name },
    tls: options.tls,
    drainMs: options.drainMs,
  });
  const links = new Map<string, PeerLink>();
  const listeners = new Set<(event: WirePeerEvent) => void>();

  registry.onMessage = (message) => links.get(message.peerId)?.transport.receiveBody(message.body);
  registry.onEvent = (event) => {
    if (event.type === "up") links.set(event.peer.nodeId, link(runtime, event.peer, bootstrap, options));
    else if (event.type === "switched") links.get(event.peer.nodeId)?.transport.switchTo(event.peer.connection);
    else if (event.type === "down") {
      const gone = links.get(event.peer.nodeId);
      links.delete(event.peer.nodeId);
      gone?.fail(new LoopClosedError(`node ${event.peer.nodeName} was lost (${event.info.reason})`));
      gone?.transport.lost();
    }
    for (const listener of listeners) listener(event);
  };
  if (options.listen !== undefined) await registry.listen(options.listen);

  const exportsOf = async (address: string | WireAddress): Promise<Ref<WireExports>> => {
    const peer = await registry.connect(address);
    const found = links.get(peer.nodeId);
    if (found === undefined) throw new LoopClosedError(`node ${peer.nodeName} was lost`);
    return found.exports;
  };
  return {
    id: loop.id,
    get address() {
      return registry.address;
    },
    get peers() {
      return registry.peers;
    },
    async publish(name, ref) {
      const result: RegisterResult = await table.ask("register", { name, ref: ref as Ref<never> });
      if (result !== "ok") throw new Error(`cannot publish "${name}": ${result}`);
    },
    unpublish: (name) => table.tell("unregister", name),
    lookup: async <M extends Protocol<M>>(address: string | WireAddress, name: string) =>
      (await (await exportsOf(address)).ask("lookup", name)) as Ref<M> | null,
    names: async (address) => (await exportsOf(address)).ask("names"),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => registry.close(),
  };
}

/** Makes a connected peer node a kernel peer of the loop and sends it our exports capability. */
function link(runtime: LoopRuntime, peer: WirePeer, bootstrap: AnyRef, options: WireLoopNodeOptions): PeerLink {
  const transport = new WireLoopTransport(peer.connection, runtime.reactor, {
    outboundFramesMax: options.outboundFramesMax,
    closePeer: () => peer.close("loop closed the connection"),
  });
  const kernelPeer = connectPeer(runtime, transport, peer.nodeId, peer.nodeName);
  let fail: (error: Error) => void = () => {};
  const exports = new Promise<Ref<WireExports>>((resolve, reject) => {
    fail = reject;
    transport.onBootstrap = (encoded: EncodedRef) => resolve(kernelPeer.decodeRef(encoded) as Ref<WireExports>);
  });
  exports.catch(() => {}); // observed by lookups; a lost peer nobody looked up is not an error
  transport.sendBootstrap(kernelPeer.encodeRef(bootstrap));
  return { transport, exports, fail };
}
