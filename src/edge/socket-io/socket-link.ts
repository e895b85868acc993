/**
 * What a {@link SocketIoSocket} needs from the connection that carries it: a way to write
 * encoded packets, to schedule ack timeouts that come back as messages to the connection's
 * actor, and to be forgotten when it leaves its namespace.
 */
import type { TimerHandle } from "../../reactor/reactor.js";
import type { EncodedPacket } from "./packet-encoder.js";

/** How a connection closes. */
export interface CloseOptions {
  /** Swallow exceptions from `disconnect` listeners (after a crash, from `terminate`). */
  readonly guarded?: boolean;
  /** Send a DISCONNECT for every connected namespace before closing. */
  readonly notifyClient?: boolean;
}

/** The connection side of a socket; implemented by the connection actor's state. */
export interface SocketLink {
  /** The Engine.IO session id of the connection. */
  readonly engineId: string;
  /**
   * Queues an encoded packet's messages on the connection, in order (always, even over the
   * high-water mark); ignored once closed.
   * @returns false if the session is now over its outbound high-water mark or closed (wait for
   *   `drain`), true otherwise.
   */
  write(encoded: EncodedPacket): boolean;
  /**
   * Like `write`, but drops the packet if the transport cannot take it now (not writable, or
   * over the high-water mark).
   * @returns as `write` (false also when the packet was dropped for back-pressure).
   */
  writeVolatile(encoded: EncodedPacket): boolean;
  /**
   * Starts a timer that, after `delayMs`, tells the connection actor that the ack `id` of
   * namespace `nsp` timed out (so the callback runs inside the actor's turn).
   */
  scheduleAckTimeout(nsp: string, id: number, delayMs: number): TimerHandle;
  /** Forgets the socket of namespace `nsp` (it disconnected). */
  detach(nsp: string): void;
  /**
   * Closes the whole connection (every namespace), giving `reason` to disconnect listeners. With
   * `notifyClient`, a DISCONNECT is sent for every namespace first ("io server disconnect").
   */
  close(reason: string, options?: CloseOptions): void;
}
