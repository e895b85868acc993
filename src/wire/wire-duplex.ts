/**
 * The byte stream a {@link WireConnection} runs over: a tiny duplex interface with no sockets or
 * timers in it, so the same connection code runs on a TCP socket, a Unix domain socket, TLS, or
 * the simulator's message-level connection (see the adapters `socket-duplex.ts` and
 * `sim-duplex.ts`).
 */
export interface WireDuplex {
  /**
   * Writes bytes in order. Returns false when the transport's buffer is above its high-water
   * mark: the caller should stop writing until {@link onDrain} (the bytes were still accepted).
   * Writing after close is ignored.
   */
  write(bytes: Uint8Array): boolean;
  /** Stops delivering {@link onData} until {@link resume}. Chunks may already be in flight. */
  pause(): void;
  /** Resumes delivering {@link onData}. */
  resume(): void;
  /** Ends the stream after the bytes already written, then releases it. Idempotent. */
  close(): void;
  /**
   * Receives each chunk read, in order. Set by the connection. The connection keeps views of the
   * chunks it is given (message bodies are not copied): a transport must not reuse them.
   */
  onData: ((chunk: Uint8Array) => void) | null;
  /** Called when a write that returned false has drained. Set by the connection. */
  onDrain: (() => void) | null;
  /** Called once when the stream is closed (by either side); `error` when it failed. */
  onClose: ((error: Error | null) => void) | null;
}
