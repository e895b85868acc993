/**
 * The contract between an Engine.IO session and one of its transports (polling, WebSocket).
 * A transport turns requests or frames into packets for its sink and writes packets the session
 * hands it; the session owns buffering, heartbeats and upgrades.
 */
import type { EngineIoPacket } from "./packet.js";
import type { EngineIoTransportName } from "./engine-io-server-options.js";

/** Why a transport stopped, as the session reports it (the reference's close reasons). */
export type EngineIoTransportCloseReason = "transport close" | "transport error" | "parse error";

/** Receives a transport's events. */
export interface EngineIoTransportSink {
  /** A packet from the client, in order. */
  packet(packet: EngineIoPacket): void;
  /** The transport became writable (a poll arrived); the session may flush. */
  drain(): void;
  /** The transport is gone; `description` says why, for logs. */
  closed(reason: EngineIoTransportCloseReason, description?: string): void;
}

/** One transport of a session. */
export interface EngineIoTransport {
  /** `polling` or `websocket`. */
  readonly name: EngineIoTransportName;
  /** True when `send` would write now (a poll is pending, or the WebSocket is open). */
  readonly writable: boolean;
  /** Where events go; swapped by the session during an upgrade. */
  sink: EngineIoTransportSink;
  /** Writes packets; only call when `writable`. */
  send(packets: readonly EngineIoPacket[]): void;
  /**
   * Closes the transport, then calls `done`. Polling sends a `close` packet in the pending poll,
   * or (unless `discard`) in the next one, waiting at most closeTimeoutMs. Idempotent.
   */
  close(done: () => void, discard: boolean): void;
  /** Stops the transport after an upgrade: a pending poll gets a `noop`. Reports nothing. */
  discard(): void;
}

/** A sink that ignores everything (a transport no session listens to). */
export const IGNORING_SINK: EngineIoTransportSink = Object.freeze({
  packet: () => {},
  drain: () => {},
  closed: () => {},
});
