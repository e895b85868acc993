/**
 * One Engine.IO session as the user sees it: `EngineIoSocket`, its events, close reasons and
 * back-pressure contract. The runtime is `EngineIoSession` (`engine-io-session.ts`, re-exported
 * here): the write buffer, the heartbeat, and the upgrade from polling to WebSocket.
 *
 * Back-pressure works like `stream.Writable.write`:
 *
 * ```
 * send() ──► queued ──► transport ──► OS          bufferedBytes / bufferedPackets
 *   │ returns false at or over the high-water mark (outboundBytesMax / outboundPacketsMax)
 *   │ "drain" once the buffer is back under it
 *   └ over the mark for slowConsumerGraceMs, or SLOW_CONSUMER_CAP_FACTOR × the mark:
 *     closed with "slow consumer", the buffer dropped
 * ```
 */
import type { EngineIoTransportName } from "./engine-io-server-options.js";
import type { EngineIoEncodedMessages, EngineIoTransportCloseReason } from "./engine-io-transport.js";

export { EngineIoSession } from "./engine-io-session.js";
import type { EngineIoSessionObserver } from "./engine-io-session-port.js";
export type { EngineIoSessionObserver } from "./engine-io-session-port.js";

/**
 * Why a session closed: the reference server's reasons ("transport close", "transport error",
 * "parse error", "ping timeout", "forced close"), plus two of ours:
 * - "payload too large": the client sent a POST body or WebSocket message over
 *   `payloadBytesMax` (413 on polling, close code 1009 on WebSocket);
 * - "slow consumer": the client did not take what the server sent (see the back-pressure
 *   contract of {@link EngineIoSocket}).
 */
export type EngineIoCloseReason = EngineIoTransportCloseReason | "ping timeout" | "forced close" | "slow consumer";

/** Lifecycle of a session: `open` → `closing` (polite close in progress) → `closed`. */
export type EngineIoSocketState = "open" | "closing" | "closed";

/** Listeners of an {@link EngineIoSocket}, by event name. */
export interface EngineIoSocketEvents {
  /** A message from the client: a string, or bytes (a Node Buffer). */
  message: (data: string | Uint8Array) => void;
  /** The session ended; emitted once. `description` is a detail for logs. */
  close: (reason: EngineIoCloseReason, description: string | undefined) => void;
  /** The session moved to another transport (always `websocket`). */
  upgrade: (transport: EngineIoTransportName) => void;
  /** The outbound buffer fell back under the high-water mark after `send` returned false. */
  drain: () => void;
}

/** An Engine.IO session, handed to the server's connection listeners. */
export interface EngineIoSocket {
  /** The session id (`sid`), 20 base64url characters. */
  readonly id: string;
  /** The current transport. */
  readonly transport: EngineIoTransportName;
  /** Where the session is in its lifecycle. */
  readonly readyState: EngineIoSocketState;
  /**
   * Bytes queued for this client and not yet handed to the OS or to a poll response: the
   * session's queue (strings count their length, bytes their byteLength) plus, on WebSocket,
   * the `ws` socket's `bufferedAmount`.
   */
  readonly bufferedBytes: number;
  /** Messages queued for this client and not yet handed to the OS or to a poll response. */
  readonly bufferedPackets: number;
  /**
   * True while the buffer is at or over the high-water mark (`outboundBytesMax` bytes or
   * `outboundPacketsMax` messages); a `drain` event follows when it falls back under.
   */
  readonly needsDrain: boolean;
  /**
   * True when the transport can take a message right now (a WebSocket that is open, a polling
   * client with a GET held). Volatile packets are dropped while it is false.
   */
  readonly writable: boolean;
  /**
   * Queues a message (string → text, bytes → binary).
   * @returns false when the buffer is now at or over the high-water mark (the message is still
   *   queued; wait for `drain` before sending more), or when the session is closing or closed
   *   (the message is dropped).
   */
  send(data: string | Uint8Array): boolean;
  /**
   * Queues messages encoded once elsewhere (see {@link EngineIoEncodedMessages}); the frames or
   * records are written as they are, in order with `send`.
   * @returns as {@link EngineIoSocket.send}.
   */
  sendEncoded(encoded: EngineIoEncodedMessages): boolean;
  /**
   * Closes politely: buffered packets are written first, then the transport closes. `close`
   * listeners get "forced close" with `reason` as the description. Engine.IO's `close` packet
   * carries no data, so the client never sees `reason`; it is for the server side and logs.
   */
  close(reason?: string): void;
  /** Adds a listener. */
  on<E extends keyof EngineIoSocketEvents>(event: E, listener: EngineIoSocketEvents[E]): this;
  /** Removes a listener added with `on`. */
  off<E extends keyof EngineIoSocketEvents>(event: E, listener: EngineIoSocketEvents[E]): this;
  /**
   * Sets the one observer told of `message`, `close` and `drain` before the listeners (replacing
   * any earlier one): an object with methods, so a layer above (Socket.IO) needs no closures per
   * connection.
   */
  observe(observer: EngineIoSessionObserver): this;
}
