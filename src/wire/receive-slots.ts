/**
 * The receive side's flow control: at most `slots` handlers run at once; a MSG that finds every
 * slot busy is parked (in arrival order), and when `slots` MSGs are parked the connection stops
 * reading. ACK, NACK, PING and PONG never come here, so they are read and acted on however busy
 * the slots are: that is the no-lock-up rule. The window check enforces the peer's side of the
 * contract: it may have at most `slots` ack-requested MSGs un-answered.
 */
import { WireError } from "./errors.js";
import { InboundMessage, MessageView, type WireFireAndForgetHandler, type WireMessageHandler } from "./wire-message.js";

/** What the slots need from their connection. */
export interface SlotHost {
  /** Writes the ACK (error null) or NACK of a finished ack-requested message. */
  answer(message: InboundMessage, error: unknown): void;
  /** Turns reading from the byte stream on or off. */
  setReading(on: boolean): void;
  /** Closes the connection with a protocol error. */
  fail(error: WireError): void;
}

/** Bounded concurrent handling of inbound messages. */
export class ReceiveSlots {
  /** Fire-and-forget messages go here when set (the synchronous fast path), else to the handler. */
  fireAndForget: WireFireAndForgetHandler | null = null;
  /** Fire-and-forget handlers that threw or rejected. */
  handlerErrors = 0;
  #handler: WireMessageHandler | null = null;
  readonly #view = new MessageView();
  /** True when the handler declares `done` (read once: `Function.length` is slow to read per message). */
  #handlerTakesDone = false;
  #busy = 0;
  #parked: InboundMessage[] = [];
  #head = 0;
  #windowUsed = 0;
  #draining = false;
  #closed = false;
  #reading = true;

  constructor(
    readonly slots: number,
    readonly host: SlotHost,
  ) {}

  /** The application's handler; null answers ack-requested messages with NACK `no_handler`. */
  get handler(): WireMessageHandler | null {
    return this.#handler;
  }

  set handler(handler: WireMessageHandler | null) {
    this.#handler = handler;
    this.#handlerTakesDone = handler !== null && handler.length >= 2;
  }

  /** Handlers running now. */
  get busy(): number {
    return this.#busy;
  }

  /** Messages waiting for a slot. */
  get parked(): number {
    return this.#parked.length - this.#head;
  }

  /** Ack-requested messages received and not yet answered. */
  get windowUsed(): number {
    return this.#windowUsed;
  }

  /**
   * The fast path of a fire-and-forget message with a {@link fireAndForget} handler: when a slot
   * is free and nothing is parked, runs the handler now on the reused view (no allocation) and
   * returns true. Otherwise returns false: the caller hands it to {@link receive} (order kept).
   */
  tryRunFireAndForget(body: unknown, header: Uint8Array, id: number, peerId: string): boolean {
    const handler = this.fireAndForget;
    if (handler === null || this.#busy >= this.slots || this.#head < this.#parked.length || this.#closed) return false;
    const view = this.#view;
    view.body = body;
    view.header = header;
    view.id = id;
    view.peerId = peerId;
    this.#busy++;
    try {
      handler(view);
    } catch {
      this.handlerErrors++;
    }
    view.body = null;
    this.#busy--;
    if (this.#head < this.#parked.length) this.#drain();
    return true;
  }

  /** Takes one inbound message: runs it if a slot is free, else parks it (and maybe stops reading). */
  receive(message: InboundMessage): void {
    if (this.#closed) return;
    if (message.ackRequested) {
      if (this.#windowUsed >= this.slots) {
        this.host.fail(
          new WireError("window_exceeded", `peer has more than ${this.slots} ack-requested messages in flight`),
        );
        return;
      }
      this.#windowUsed++;
    }
    if (this.#busy < this.slots && this.parked === 0) this.#run(message);
    else {
      this.#parked.push(message);
      if (this.parked >= this.slots && this.#reading) {
        this.#reading = false;
        this.host.setReading(false);
      }
    }
  }

  /** Stops everything: running handlers' later completions are ignored. */
  close(): void {
    this.#closed = true;
    this.#parked = [];
    this.#head = 0;
  }

  // No closure in here: a variable captured by one would cost a context per message.
  #run(message: InboundMessage): void {
    this.#busy++;
    const fireAndForget = this.fireAndForget;
    if (fireAndForget !== null && !message.ackRequested) {
      let error: unknown = null;
      try {
        fireAndForget(message);
      } catch (thrown) {
        error = thrown ?? new Error("handler threw");
      }
      this.#finish(message, error);
      return;
    }
    const handler = this.#handler;
    if (handler === null) {
      this.#finish(message, message.ackRequested ? noHandler() : null);
      return;
    }
    const takesDone = this.#handlerTakesDone;
    let result: void | PromiseLike<unknown>;
    try {
      result = handler(message, takesDone ? this.#doneOf(message) : noop);
    } catch (error) {
      this.#finish(message, error ?? new Error("handler threw"));
      return;
    }
    if (result !== undefined && result !== null && typeof (result as PromiseLike<unknown>).then === "function")
      this.#finishWhenSettled(message, result as PromiseLike<unknown>);
    else if (!takesDone) this.#finish(message, null);
  }

  #finishWhenSettled(message: InboundMessage, result: PromiseLike<unknown>): void {
    result.then(
      () => this.#finish(message, null),
      (error: unknown) => this.#finish(message, error ?? new Error("handler rejected")),
    );
  }

  #doneOf(message: InboundMessage): (error?: unknown) => void {
    return (error?: unknown) => this.#finish(message, error ?? null);
  }

  #finish(message: InboundMessage, error: unknown): void {
    if (message.finished || this.#closed) return;
    message.finished = true;
    this.#busy--;
    if (message.ackRequested) {
      this.#windowUsed--;
      this.host.answer(message, error);
    } else if (error !== null && error !== undefined) this.handlerErrors++;
    if (this.#reading && this.#head === this.#parked.length) return;
    this.#drain();
  }

  // A loop, not recursion: synchronous handlers finishing inside #run would otherwise nest.
  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (!this.#closed && this.#busy < this.slots && this.#head < this.#parked.length) {
        const next = this.#parked[this.#head]!;
        this.#parked[this.#head++] = undefined as never;
        if (this.#head === this.#parked.length) {
          this.#parked = [];
          this.#head = 0;
        }
        this.#run(next);
      }
    } finally {
      this.#draining = false;
    }
    if (!this.#reading && !this.#closed && this.parked < this.slots) {
      this.#reading = true;
      this.host.setReading(true);
    }
  }
}

function noop(): void {}

function noHandler(): Error {
  const error = new Error("no message handler is installed");
  error.name = "no_handler";
  return error;
}
