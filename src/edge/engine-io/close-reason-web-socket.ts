/**
 * The `ws` WebSocket class the Engine.IO server hands to its `WebSocketServer` (through the
 * documented `WebSocket` option): when `ws` closes a connection for a protocol violation it
 * sends only a status code; this subclass adds a reason text, so a client can tell what it did
 * wrong. Nothing else changes.
 *
 * ```
 * message over payloadBytesMax  → 1009 "payload too large"
 * text frame with invalid UTF-8 → 1007 "invalid UTF-8"
 * malformed frame               → 1002 "protocol error"
 * ```
 * RFC 6455 §7.4.1: https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
 */
import { WebSocket } from "ws";

/** Reason texts sent with the close codes `ws` uses for protocol violations (RFC 6455 §7.4.1). */
export const WEBSOCKET_CLOSE_REASONS: Readonly<Record<number, string>> = Object.freeze({
  1002: "protocol error",
  1007: "invalid UTF-8",
  1009: "payload too large",
});

/**
 * A `ws` WebSocket whose code-only closes carry a reason from {@link WEBSOCKET_CLOSE_REASONS}.
 * It also carries its owner (the Engine.IO transport), so the owner can listen with shared
 * module functions instead of closures per connection.
 */
export class CloseReasonWebSocket extends WebSocket {
  /** The transport that owns this connection and receives its events; null until one takes it. */
  owner: unknown = null;

  /** As `ws`'s `close`, with a reason text added to a known code sent without one. */
  override close(code?: number, data?: string | Buffer): void {
    const reason = data === undefined && code !== undefined ? WEBSOCKET_CLOSE_REASONS[code] : undefined;
    super.close(code, reason ?? data);
  }
}
