import { MailboxFullError } from "../kernel/errors.js";
import type { Frame, LoopTransport } from "../kernel/loop-transport.js";
import type { Reactor } from "../reactor/reactor.js";
import type { SimConnection } from "./sim-network.js";

/** Default bound of a simulated transport's outbound queue, in frames. */
export const SIM_OUTBOUND_FRAMES_MAX_DEFAULT = 65_536;

/**
 * Carries kernel frames between two loops on different simulated nodes: the frames sent in one
 * task travel as one simulated message (a batch), so latency, loss, partitions and resets of
 * the simulated network apply to far refs exactly as the wire's faults will.
 */
export class SimLoopTransport implements LoopTransport {
  onFrame: ((frame: Frame) => void) | null = null;
  onClose: (() => void) | null = null;
  readonly #connection: SimConnection;
  readonly #reactor: Reactor;
  readonly #queueMax: number;
  #batch: Frame[] = [];
  #flushScheduled = false;
  #closed = false;

  constructor(connection: SimConnection, reactor: Reactor, outboundFramesMax = SIM_OUTBOUND_FRAMES_MAX_DEFAULT) {
    this.#connection = connection;
    this.#reactor = reactor;
    this.#queueMax = outboundFramesMax;
    connection.onMessage = (data) => {
      for (const frame of data as Frame[]) this.onFrame?.(frame);
    };
    connection.onClose = () => this.#closedByPeer();
  }

  hasRoom(): boolean {
    return !this.#closed && this.#batch.length < this.#queueMax;
  }

  send(frame: Frame, control = false): void {
    if (this.#closed) return;
    if (this.#batch.length >= this.#queueMax && !control)
      throw new MailboxFullError("outbound queue of simulated link is full");
    this.#batch.push(frame);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.#reactor.defer(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const batch = this.#batch;
    this.#batch = [];
    if (!this.#closed && batch.length > 0) this.#connection.send(batch);
  };

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#batch = [];
    this.#connection.close();
    this.onClose?.();
  }

  #closedByPeer(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#batch = [];
    this.onClose?.();
  }
}
