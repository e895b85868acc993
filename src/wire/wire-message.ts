/**
 * What a message handler receives: one inbound MSG, decoded, with the identity of the peer that
 * sent it. See {@link WireMessageHandler} for how the handler's end releases the slot and
 * answers ACK or NACK.
 */

/** One inbound message. */
export interface WireMessage {
  /** The decoded msgpack body (a byte-array body is a Uint8Array view; copy it to keep it past the handler). */
  readonly body: unknown;
  /** The upper-layer header bytes (empty when none). */
  readonly header: Uint8Array;
  /** True when the sender waits for an ACK (it comes when the handler finishes). */
  readonly ackRequested: boolean;
  /** The message id on this connection and direction (u32, wraps). */
  readonly id: number;
  /** The sender's node id, 32 hex characters. */
  readonly peerId: string;
}

/**
 * Handles one inbound message while it holds a receive slot. The slot is released, and for an
 * ack-requested message the ACK (or, on failure, a NACK naming the error) is sent, when:
 * - the handler returns a promise (any thenable): when it settles (rejection → NACK);
 * - else, when the handler declares a second parameter: when it calls `done(error?)`
 *   (a second call is ignored);
 * - else: as soon as it returns.
 * A handler that throws is answered with NACK. Handlers run in arrival order.
 */
export type WireMessageHandler = (message: WireMessage, done: (error?: unknown) => void) => void | PromiseLike<unknown>;

/**
 * Handles one fire-and-forget message synchronously (see `WireConnection.onFireAndForget`): the
 * receive fast path. `message` is a view the connection reuses for the next message — read what
 * you need during the call (and copy a byte-array body to keep it). The handler holds a receive
 * slot only while it runs; its return value is ignored; a throw is caught and dropped (counted in
 * `stats.handlerErrors`), as for any fire-and-forget message, whose sender is never told.
 */
export type WireFireAndForgetHandler = (message: WireMessage) => void;

/** @internal The reused {@link WireMessage} of the fire-and-forget fast path (one per connection). */
export class MessageView implements WireMessage {
  body: unknown = null;
  header: Uint8Array = new Uint8Array(0);
  readonly ackRequested = false;
  id = 0;
  peerId = "";
}

/** @internal The connection's record of a message in a slot. */
export class InboundMessage implements WireMessage {
  finished = false;
  constructor(
    readonly body: unknown,
    readonly header: Uint8Array,
    readonly ackRequested: boolean,
    readonly id: number,
    readonly peerId: string,
  ) {}
}
