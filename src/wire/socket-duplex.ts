/**
 * A {@link WireDuplex} over a `node:net` socket (TCP or a Unix domain socket) or a `node:tls`
 * socket. Sets TCP_NODELAY and a 60 s keepalive (T-GC-4). `close` ends the socket after the bytes
 * already written and destroys it after `closeGraceMs` if the peer does not finish the close.
 */
import type { Socket } from "node:net";
import type { Reactor, TimerHandle } from "../reactor/reactor.js";
import type { WireDuplex } from "./wire-duplex.js";

/** TCP keepalive delay, in ms (T-GC-4). */
export const SOCKET_KEEPALIVE_MS = 60_000;

/** The byte stream of one socket. */
export class SocketDuplex implements WireDuplex {
  onData: ((chunk: Uint8Array) => void) | null = null;
  onDrain: (() => void) | null = null;
  onClose: ((error: Error | null) => void) | null = null;
  readonly socket: Socket;
  readonly #reactor: Reactor;
  readonly #closeGraceMs: number;
  #error: Error | null = null;
  #grace: TimerHandle | null = null;

  /**
   * @param socket - a connected socket.
   * @param reactor - for the close grace timer.
   * @param closeGraceMs - how long `close` waits for the peer before destroying, in ms. Default 2,000.
   */
  constructor(socket: Socket, reactor: Reactor, closeGraceMs = 2_000) {
    this.socket = socket;
    this.#reactor = reactor;
    this.#closeGraceMs = closeGraceMs;
    if (typeof socket.setNoDelay === "function") socket.setNoDelay(true);
    if (typeof socket.setKeepAlive === "function") socket.setKeepAlive(true, SOCKET_KEEPALIVE_MS);
    socket.on("data", (chunk: Buffer) => this.onData?.(chunk));
    socket.on("drain", () => this.onDrain?.());
    socket.on("error", (error: Error) => {
      this.#error ??= error;
    });
    socket.on("close", () => {
      this.#grace?.cancel();
      const onClose = this.onClose;
      this.onClose = null;
      onClose?.(this.#error);
    });
  }

  write(bytes: Uint8Array): boolean {
    if (this.socket.destroyed || !this.socket.writable) return true;
    return this.socket.write(bytes);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    if (this.#grace !== null || this.socket.destroyed) return;
    this.socket.end();
    this.#grace = this.#reactor.setTimer(this.#closeGraceMs, () => this.socket.destroy());
  }
}
