import type { MessagePort } from "node:worker_threads";
import type { Reactor } from "../reactor/reactor.js";
import { MailboxFullError } from "./errors.js";
import type { Frame, LoopTransport } from "./loop-transport.js";

/** Options of {@link MessagePortTransport}. */
export interface MessagePortTransportOptions {
  /** Most frames per postMessage. Default 512. */
  batchFramesMax?: number;
  /** Most batches posted and not yet acknowledged by the peer. Default 16. */
  windowBatches?: number;
  /** Most frames waiting to be posted; beyond it `send` throws MailboxFullError. Default 65,536. */
  outboundFramesMax?: number;
}

interface Batch {
  readonly f?: Frame[];
  /** Acknowledges this many batches. */
  readonly a?: number;
}

/**
 * Carries frames between two loops over a `MessagePort`, batched: the frames sent in one tick
 * (up to `batchFramesMax`) travel in one postMessage. Flow control is a window of unacknowledged
 * batches: the receiver acknowledges a batch once every frame in it has been handed to its loop,
 * so a fast sender cannot fill a slow receiver's memory; excess frames wait in a bounded queue.
 */
export class MessagePortTransport implements LoopTransport {
  onFrame: ((frame: Frame) => void) | null = null;
  onClose: (() => void) | null = null;
  readonly #port: MessagePort;
  readonly #reactor: Reactor;
  readonly #batchMax: number;
  readonly #window: number;
  readonly #queueMax: number;
  #queue: Frame[] = [];
  #head = 0;
  #inFlight = 0;
  #flushScheduled = false;
  #acksOwed = 0;
  #closed = false;

  constructor(port: MessagePort, reactor: Reactor, options: MessagePortTransportOptions = {}) {
    this.#port = port;
    this.#reactor = reactor;
    this.#batchMax = options.batchFramesMax ?? 512;
    this.#window = options.windowBatches ?? 16;
    this.#queueMax = options.outboundFramesMax ?? 65_536;
    port.on("message", (batch: Batch) => this.#receive(batch));
    port.on("close", () => this.#closedByPeer());
  }

  hasRoom(): boolean {
    return !this.#closed && this.#queue.length - this.#head < this.#queueMax;
  }

  send(frame: Frame, control = false): void {
    if (this.#closed) return;
    if (this.#queue.length - this.#head >= this.#queueMax && !control) {
      throw new MailboxFullError(`outbound queue to peer loop is full (${this.#queueMax} frames)`);
    }
    this.#queue.push(frame);
    this.#scheduleFlush();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#head = 0;
    this.#port.close();
    this.onClose?.();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.#reactor.defer(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#closed) return;
    if (this.#acksOwed > 0) {
      this.#port.postMessage({ a: this.#acksOwed } satisfies Batch);
      this.#acksOwed = 0;
    }
    const queue = this.#queue;
    while (this.#inFlight < this.#window && this.#head < queue.length) {
      const end = Math.min(queue.length, this.#head + this.#batchMax);
      const frames = queue.slice(this.#head, end);
      this.#head = end;
      this.#inFlight++;
      this.#port.postMessage({ f: frames } satisfies Batch);
    }
    if (this.#head === queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 4096) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
  };

  #receive(batch: Batch): void {
    if (this.#closed) return;
    if (batch.a !== undefined) {
      this.#inFlight -= batch.a;
      if (this.#head < this.#queue.length) this.#scheduleFlush();
      return;
    }
    const frames = batch.f ?? [];
    const onFrame = this.onFrame;
    for (let i = 0; i < frames.length; i++) onFrame?.(frames[i]!);
    this.#acksOwed++;
    this.#scheduleFlush();
  }

  #closedByPeer(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.onClose?.();
  }
}
