/**
 * One peer node as the {@link WirePeerRegistry} sees it: its node id, name and address, the one
 * connection in use, and the connections being retired after a simultaneous connect.
 */
import type { SendOptions } from "./outbound-entry.js";
import type { WireCloseInfo } from "./wire-connection-types.js";
import type { WireConnection } from "./wire-connection.js";

/** Close reason of the connection that lost a simultaneous connect (docs/wire-protocol.md § Peer registry). */
export const DUPLICATE_CLOSE_REASON = "duplicate connection";

/** Events of a {@link WirePeerRegistry}, in the order they happen for one peer. */
export type WirePeerEvent =
  /** A node id at `address` changed: the node there restarted (before `up` of the new one, T-HS-3). */
  | {
      readonly type: "restarted";
      readonly address: string;
      readonly previousNodeId: string;
      readonly nodeId: string;
    }
  /** The first connection to a node opened; `peer.connection` is the one in use. */
  | { readonly type: "up"; readonly peer: WirePeer }
  /** A simultaneous connect converged: `peer.connection` is now the surviving connection. */
  | { readonly type: "switched"; readonly peer: WirePeer }
  /** The node is lost: its last connection closed (`info` says why). */
  | { readonly type: "down"; readonly peer: WirePeer; readonly info: WireCloseInfo };

/** A connected peer node. */
export class WirePeer {
  /** The peer's node id, 32 hex characters. */
  readonly nodeId: string;
  /** The peer's node name (from its HELLO). */
  readonly nodeName: string;
  /** Where it was dialed or where it says it listens (`unix:/path` or `host:port`), or null. */
  readonly address: string | null;
  /** True once the peer is down. */
  down = false;
  /** @internal Other open connections to the same node (losers of a simultaneous connect). */
  readonly others = new Set<WireConnection>();
  #connection: WireConnection;
  #dialedLocally: boolean;

  /** @internal Created by the registry. */
  constructor(connection: WireConnection, address: string | null, dialedLocally: boolean) {
    this.nodeId = connection.peerId;
    this.nodeName = connection.peer?.nodeName ?? "";
    this.address = address;
    this.#connection = connection;
    this.#dialedLocally = dialedLocally;
  }

  /** The connection in use (one per peer pair once a simultaneous connect converged). */
  get connection(): WireConnection {
    return this.#connection;
  }

  /** True when this node dialed the connection in use (after a simultaneous connect: the lower node id did). */
  get dialedLocally(): boolean {
    return this.#dialedLocally;
  }

  /** @internal Puts `connection` in use. */
  use(connection: WireConnection, dialedLocally: boolean): void {
    this.#connection = connection;
    this.#dialedLocally = dialedLocally;
  }

  /** Sends on the connection in use; see {@link WireConnection.send}. */
  send(body: unknown, options?: SendOptions): Promise<void> {
    return this.#connection.send(body, options);
  }

  /** Closes every connection to the peer (normal close); the registry then reports it `down`. */
  close(reason = "peer closed"): void {
    for (const other of [...this.others]) other.close(1000, reason);
    this.#connection.close(1000, reason);
  }
}
