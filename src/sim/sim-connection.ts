import { cloneMessage } from "./parcel.js";
import type { LinkState, SimNetwork } from "./sim-network.js";
import type { SimNode } from "./sim-node.js";

/**
 * One end of a simulated connection: a reliable-unless-faulted, ordered-unless-reordered message
 * channel between two nodes. Callbacks run as tasks of the end's own node.
 */
export class SimConnection {
  /** Called for each message received. */
  onMessage: ((data: unknown) => void) | null = null;
  /** Called once when the connection closes (closed by either side, reset, refused or crashed). */
  onClose: ((why: string) => void) | null = null;
  closed = false;
  peer: SimConnection | null = null;
  lastDeliveryMs = 0;
  /** @internal The link this end sends on (cached: a lookup by name per message was a hot spot). */
  link: LinkState | null = null;

  constructor(
    readonly network: SimNetwork,
    readonly id: number,
    readonly node: SimNode,
    readonly remote: SimNode,
  ) {}

  /**
   * Sends a message, copied as `structuredClone` would copy it. Returns false if the connection
   * is closed. @throws DataCloneError (a DOMException) for data that cannot be cloned.
   */
  send(data: unknown): boolean {
    if (this.closed || this.peer === null) return false;
    this.network.transmit(this, this.peer, cloneMessage(data));
    return true;
  }

  /** Closes both ends; the peer learns it after the link latency. */
  close(why = "closed"): void {
    if (this.closed) return;
    this.closed = true;
    const peer = this.peer;
    if (peer !== null) this.network.closeLater(this, peer, why);
  }

  /** @internal Closes this end now and tells its owner. */
  closeNow(why: string): void {
    if (this.closed && this.onClose === null) return;
    this.closed = true;
    const onClose = this.onClose;
    this.onClose = null;
    this.onMessage = null;
    onClose?.(why);
  }
}
