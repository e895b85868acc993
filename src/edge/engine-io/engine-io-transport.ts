/**
 * The contract between an Engine.IO session and one of its transports (polling, WebSocket).
 * A transport turns requests or frames into packets for its sink and writes packets the session
 * hands it; the session owns buffering, heartbeats and upgrades.
 */
import type { EngineIoPacket } from "./packet.js";
import type { EngineIoTransportName } from "./engine-io-server-options.js";

/**
 * Why a transport stopped, as the session reports it: the reference's close reasons, plus
 * "payload too large" (a POST body or WebSocket message over `payloadBytesMax`; the reference
 * reports "transport error" there).
 */
export type EngineIoTransportCloseReason = "transport close" | "transport error" | "parse error" | "payload too large";

/** Receives a transport's events. */
export interface EngineIoTransportSink {
  /** A packet from the client, in order. */
  packet(packet: EngineIoPacket): void;
  /**
   * The transport became writable (a poll arrived), or wrote out some of its own buffer (a
   * WebSocket); the session may flush and re-check its high-water mark.
   */
  drain(): void;
  /** The transport is gone; `description` says why, for logs. */
  closed(reason: EngineIoTransportCloseReason, description?: string): void;
}

/**
 * One or more `message` packets encoded once (e.g. a Socket.IO packet and its attachments), ready
 * to be written unchanged to any number of sessions: a broadcast hands the same object to every
 * recipient, so nothing is encoded or allocated per recipient.
 */
export interface EngineIoEncodedMessages {
  /** One WebSocket frame per message: a string for a text frame, bytes for a binary frame. */
  readonly webSocketFrames: readonly (string | Uint8Array)[];
  /** The messages as polling records joined by `\x1e` (never empty). */
  readonly pollingRecords: string;
  /**
   * When the messages are one text message: its whole WebSocket frame (header and `4<text>` as
   * UTF-8), built once and written unchanged to every recipient whose channel takes frames.
   * Undefined otherwise; the transport then writes `webSocketFrames`.
   */
  readonly webSocketTextFrame?: Uint8Array | undefined;
}

/** What a session hands its transport: a packet to encode, or messages already encoded. */
export type EngineIoOutbound = EngineIoPacket | EngineIoEncodedMessages;

/** True when `item` is already encoded (not a packet). */
export function isEncodedMessages(item: EngineIoOutbound): item is EngineIoEncodedMessages {
  return "webSocketFrames" in item;
}

/** One transport of a session. */
export interface EngineIoTransport {
  /** `polling` or `websocket`. */
  readonly name: EngineIoTransportName;
  /** True when `send` would write now (a poll is pending, or the WebSocket is open). */
  readonly writable: boolean;
  /**
   * Bytes handed to this transport and not yet to the OS (a WebSocket's `bufferedAmount`; 0 for
   * polling, whose responses are written whole).
   */
  readonly bufferedBytes: number;
  /** Messages handed to this transport and not yet to the OS (an upper bound; 0 for polling). */
  readonly bufferedPackets: number;
  /** Where events go; swapped by the session during an upgrade. */
  sink: EngineIoTransportSink;
  /** Writes packets and pre-encoded messages, in order; only call when `writable`. */
  send(items: readonly EngineIoOutbound[]): void;
  /** Writes one item, as `send([item])` without the array (the hot path of a broadcast). */
  sendOne(item: EngineIoOutbound): void;
  /**
   * Closes the transport, then calls `done`. Polling sends a `close` packet in the pending poll,
   * or (unless `discard`) in the next one, waiting at most closeTimeoutMs. Idempotent.
   */
  close(done: () => void, discard: boolean): void;
  /** Stops the transport after an upgrade: a pending poll gets a `noop`. Reports nothing. */
  discard(): void;
  /**
   * Drops the connection at once, with whatever is still buffered (a slow consumer): a WebSocket
   * is destroyed without a close handshake, a pending poll is ended. Reports nothing. Idempotent.
   */
  abort(): void;
}

/** A sink that ignores everything (a transport no session listens to). */
export const IGNORING_SINK: EngineIoTransportSink = Object.freeze({
  packet: () => {},
  drain: () => {},
  closed: () => {},
});
