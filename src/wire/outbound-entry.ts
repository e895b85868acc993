/**
 * One send on its way: its encoded frame, whether it wants an ACK, its deadline, and the promise
 * it settles. Internal to the connection and the dialer (which moves unsent entries to a new
 * connection).
 */
import { WireSendError } from "./send-error.js";

/** Per-send options. */
export interface SendOptions {
  /** Wait for the peer's handler to finish (ACK). Default true. False: resolve when written (at most once). */
  ack?: boolean;
  /** Reject after this many ms without ACK (waiting for room counts too). Default: the connection's `sendTimeoutMs`. */
  timeoutMs?: number;
  /** When the outbound queue is full: wait for room until the timeout, or reject with `queue_full`. */
  whenFull?: "wait" | "reject";
  /** Upper-layer header bytes (≤ 65,535). Default none. */
  header?: Uint8Array;
}

/** @internal */
export class OutboundEntry {
  /** Message id, assigned when the frame goes into a write batch. */
  id = 0;
  /** True once the promise settled (a timed-out MSG still holds a peer slot until its ACK). */
  settled = false;
  /** True while counted in the outbound budget. */
  admitted = false;

  constructor(
    /** The whole encoded frame (its id is patched when written); null when it went straight into a batch. */
    readonly frame: Uint8Array | null,
    /** Size of the frame on the wire, in bytes. */
    readonly frameBytes: number,
    readonly ack: boolean,
    /** Monotonic time (ms) after which the send rejects with `send_timeout`. */
    readonly deadlineMs: number,
    readonly resolve: () => void,
    readonly reject: (error: WireSendError) => void,
  ) {}

  /** Resolves once. */
  succeed(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve();
  }

  /** Rejects once. */
  fail(error: WireSendError): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }
}
