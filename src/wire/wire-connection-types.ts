/** The observable shapes of a wire connection: its status, why it closed, its counters. */
import type { WireError } from "./errors.js";

/** Lifecycle of a wire connection. */
export type WireConnectionStatus = "handshaking" | "open" | "closed";

/** Why a connection closed. */
export interface WireCloseInfo {
  /** 1000 for a normal close, else the close code of the error (docs/wire-protocol.md § Errors). */
  readonly code: number;
  readonly reason: string;
  /** The protocol error, when there was one (ours or the peer's CLOSE code as a WireError). */
  readonly error: WireError | null;
  /** True when the peer closed (its CLOSE frame, or the stream ended). */
  readonly byPeer: boolean;
}

/** Counters of one connection. */
export interface WireConnectionStats {
  readonly messagesSent: number;
  readonly messagesReceived: number;
  /** ACK/NACKs that arrived after their send had timed out (dropped, counted). */
  readonly acksLate: number;
  /** Ack-requested MSGs written and not yet answered (including timed-out ones). */
  readonly inFlight: number;
  readonly queued: number;
  readonly waiting: number;
  readonly slotsBusy: number;
  readonly parked: number;
  /** Handlers of fire-and-forget messages that threw or rejected (the sender is never told). */
  readonly handlerErrors: number;
}
