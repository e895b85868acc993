/**
 * The server end of one WebSocket as Engine.IO's transport drives it: Chorus's own
 * {@link ServerWebSocket} on a TCP socket, or the simulator's stand-in on a simulated stream.
 * The transport sees messages, a drain and one end; it sends text, binary and frames built once.
 */

/**
 * Why a WebSocket ended:
 * - `closed`: the peer closed it (a close frame, or the TCP connection ended);
 * - `error`: the socket failed;
 * - `protocol error`: the peer broke RFC 6455 (closed with 1002) or sent text that is not UTF-8 (1007);
 * - `too large`: the peer sent a message over the payload limit (closed with 1009).
 */
export type WebSocketEnd = "closed" | "error" | "protocol error" | "too large";

/** Receives one channel's events. */
export interface WebSocketChannelListener {
  /** A whole message from the peer, in order. */
  onMessage(data: string | Buffer, isBinary: boolean): void;
  /** Everything buffered because the peer was slow has been written out. */
  onDrain(): void;
  /** The channel ended (reported once; not reported after the server's own `close` or `terminate`). */
  onEnd(end: WebSocketEnd, description: string): void;
}

/** A listener that ignores everything (a channel no transport owns yet). */
export const IGNORING_LISTENER: WebSocketChannelListener = Object.freeze({
  onMessage: () => {},
  onDrain: () => {},
  onEnd: () => {},
});

/** One WebSocket, server side (see the module comment). */
export interface WebSocketChannel {
  /** Where events go (set by the transport that owns the channel). */
  listener: WebSocketChannelListener;
  /** True until the channel starts closing. */
  readonly open: boolean;
  /** Bytes written but not yet taken by the OS (or the peer's window), once the peer falls behind; else 0. */
  readonly bufferedBytes: number;
  /** Frames written but not yet taken by the OS, once the peer falls behind (an upper bound); else 0. */
  readonly bufferedFrames: number;
  /** True when {@link sendFrame} takes whole frames built by `frame-writer.ts` (a real socket). */
  readonly takesFrames: boolean;
  /** Sends a text message: `prefix` (one ASCII character, may be empty) then `text`. */
  sendText(text: string, prefix: string): void;
  /** Sends a binary message. */
  sendBinary(bytes: Uint8Array): void;
  /** Sends a whole frame built once for any number of channels (only when {@link takesFrames}). */
  sendFrame(frame: Uint8Array): void;
  /** Starts the closing handshake with `code` and `reason` (no `code`: a close without a status). Idempotent. */
  close(code?: number, reason?: string): void;
  /** Drops the connection now, without a closing handshake. Idempotent. */
  terminate(): void;
}
