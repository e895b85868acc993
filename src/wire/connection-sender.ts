/**
 * The sending half of a {@link WireConnection}: encodes MSGs (straight into the write batch when
 * nothing is queued ahead), keeps them in order in the bounded {@link OutboundQueue} otherwise,
 * pipelines ack-requested MSGs up to the peer's slots, writes each tick's frames as one write,
 * stops at the byte stream's high-water mark until it drains, and enforces per-send deadlines
 * with one Reactor timer for the whole connection.
 */
import type { Reactor } from "../reactor/reactor.js";
import type { BodyCodec } from "./body-codec.js";
import type { ResolvedConnectionOptions } from "./connection-options.js";
import { FIXED_HEADER_BYTES, HEADER_BYTES_MAX } from "./frame.js";
import { FrameWriter, patchFrameId, writeFixedHeader, writeMsgFrame } from "./frame-writer.js";
import { OutboundEntry, type SendOptions } from "./outbound-entry.js";
import { OutboundQueue } from "./outbound-queue.js";
import { SendDeadlines } from "./send-deadlines.js";
import { WireSendError } from "./send-error.js";
import type { TrySendStatus } from "./try-send-status.js";
import type { WireDuplex } from "./wire-duplex.js";

/** What the sender needs from its connection. */
export interface SenderHost {
  /** The peer's advertised receive slots (the ack window). */
  peerSlots(): number;
  /** True when messages must wait for an idle probe; `resume` runs when they may go. */
  needsProbe(resume: () => void): boolean;
  /** A batch with messages was written now. */
  messagesWritten(): void;
}

const EMPTY = new Uint8Array(0);

/** Sends, the ack window, the write batch and the deadlines of one connection. */
export class ConnectionSender {
  /** Frame size limit: ours, then the smaller of ours and the peer's once open. */
  frameLimit: number;
  /** True while the connection is open (set by the connection; read on every send). */
  open = false;
  /** Set when the peer answers pings faster than it reads (control frames owed while blocked). */
  pongsOwed = 0;
  sent = 0;
  acksLate = 0;
  readonly queue: OutboundQueue;
  readonly inFlight = new Map<number, OutboundEntry>();
  readonly #writer = new FrameWriter();
  readonly #deadlines: SendDeadlines;
  #nextId = 1;
  #writeBlocked = false;
  #flushScheduled = false;
  #batchMessages = 0;
  #batchBytes = 0;
  #batchWritten: OutboundEntry[] = [];
  /** The promise every fire-and-forget send of the current batch shares (they settle together). */
  #batchPromise: Promise<void> | null = null;
  #batchResolve: (() => void) | null = null;
  #batchReject: ((error: WireSendError) => void) | null = null;
  #stopped = false;
  /** The msgpack encoding of the body being sent (codec scratch), or null for a byte array. */
  #encoded: Uint8Array | null = null;
  #writableWaiters: Array<() => void> = [];

  constructor(
    readonly reactor: Reactor,
    readonly duplex: WireDuplex,
    readonly codec: BodyCodec,
    readonly options: ResolvedConnectionOptions,
    readonly host: SenderHost,
  ) {
    this.frameLimit = options.frameBytesMax;
    this.queue = new OutboundQueue(options.outboundMessagesMax, options.outboundBytesMax);
    this.#deadlines = new SendDeadlines(reactor, this.queue, this.inFlight, this.pump);
  }

  /** See {@link WireConnection.trySend}. @throws WireSendError `message_too_large` or `unencodable_body`. */
  trySend(body: unknown, header: Uint8Array): TrySendStatus {
    if (this.#stopped) return "closed";
    const frameBytes = this.#measure(body, header);
    if (!this.#canWriteNow(false, frameBytes)) return "blocked";
    this.#writeFireAndForget(header, body, frameBytes);
    return "sent";
  }

  /** See {@link WireConnection.send}. */
  send(body: unknown, options?: SendOptions): Promise<void> {
    if (this.#stopped) return Promise.reject(new WireSendError("closed", "the connection is closed"));
    const ack = options?.ack ?? true;
    const header = options?.header ?? EMPTY;
    let frameBytes: number;
    try {
      frameBytes = this.#measure(body, header);
    } catch (error) {
      return Promise.reject(error as WireSendError);
    }
    // The hot path of fire-and-forget: no entry and no promise per message, one shared per batch.
    // (No closure in this method either: a captured variable would cost a context per call.)
    if (!ack && this.#canWriteNow(false, frameBytes)) {
      this.#writeFireAndForget(header, body, frameBytes);
      return this.#batchPromise ?? this.#newBatchPromise();
    }
    return this.#enqueue(body, header, ack, frameBytes, options);
  }

  /**
   * Encodes a non-byte-array body into the codec's scratch ({@link #encoded}, else null) and
   * returns the frame's size after the size checks.
   * @throws WireSendError `unencodable_body` or `message_too_large`.
   */
  #measure(body: unknown, header: Uint8Array): number {
    const prefix = this.codec.binPrefixBytes(body);
    let bodyBytes: number;
    if (prefix >= 0) {
      this.#encoded = null;
      bodyBytes = prefix + (body as Uint8Array).byteLength;
    } else {
      try {
        this.#encoded = this.codec.encodeShared(body);
      } catch (error) {
        throw new WireSendError("unencodable_body", "the body cannot be encoded as msgpack", { cause: error });
      }
      bodyBytes = this.#encoded.byteLength;
    }
    const frameBytes = FIXED_HEADER_BYTES + header.byteLength + bodyBytes;
    if (frameBytes > this.frameLimit || header.byteLength > HEADER_BYTES_MAX)
      throw new WireSendError(
        "message_too_large",
        `frame of ${frameBytes} bytes exceeds frameBytesMax (${this.frameLimit})`,
      );
    return frameBytes;
  }

  /** The slow path: an entry with its own promise, written now (ack-requested) or queued. */
  #enqueue(
    body: unknown,
    header: Uint8Array,
    ack: boolean,
    frameBytes: number,
    options: SendOptions | undefined,
  ): Promise<void> {
    const encoded = this.#encoded;
    const deadlineMs = this.reactor.nowMs() + (options?.timeoutMs ?? this.options.sendTimeoutMs);
    const whenFull = options?.whenFull ?? this.options.whenFull;
    return new Promise<void>((resolve, reject) => {
      if (this.#canWriteNow(ack, frameBytes)) {
        const entry = new OutboundEntry(null, frameBytes, ack, deadlineMs, resolve, reject);
        this.queue.charge(entry);
        const out = this.#writer.reserve(frameBytes);
        const id = this.#takeId(entry);
        writeMsgFrame(out, this.#writer.offset, ack, id, header, body, encoded);
        this.#writer.commit(frameBytes);
        this.#written(entry);
        return;
      }
      const frame = new Uint8Array(frameBytes);
      writeMsgFrame(frame, 0, ack, 0, header, body, encoded);
      const entry = new OutboundEntry(frame, frameBytes, ack, deadlineMs, resolve, reject);
      if (this.queue.hasRoom(frameBytes)) {
        this.queue.charge(entry);
        this.queue.push(entry);
      } else if (whenFull === "reject") {
        entry.fail(new WireSendError("queue_full", `outbound queue is full (${this.queue.messages} messages)`));
        return;
      } else this.queue.wait(entry);
      this.#deadlines.arm(deadlineMs);
      this.pump();
    });
  }

  /** Encodes a fire-and-forget MSG (measured by {@link #measure} just before) into the write batch. */
  #writeFireAndForget(header: Uint8Array, body: unknown, frameBytes: number): void {
    this.queue.chargeBytes(frameBytes);
    const out = this.#writer.reserve(frameBytes);
    const id = this.#nextId;
    this.#nextId = id === 0xffff_ffff ? 1 : id + 1;
    writeMsgFrame(out, this.#writer.offset, false, id, header, body, this.#encoded);
    this.#writer.commit(frameBytes);
    this.#batchMessages++;
    this.#batchBytes += frameBytes;
    this.sent++;
    this.#scheduleFlush();
  }

  /** The promise every fire-and-forget send of the current batch shares (made once per batch). */
  #newBatchPromise(): Promise<void> {
    return (this.#batchPromise = new Promise<void>((resolve, reject) => {
      this.#batchResolve = resolve;
      this.#batchReject = reject;
    }));
  }

  /** True when a fire-and-forget send would go straight into the write batch (nothing queued, stream not full). */
  get writable(): boolean {
    return (
      !this.#stopped &&
      this.open &&
      !this.#writeBlocked &&
      this.queue.queued === 0 &&
      this.queue.waiting === 0 &&
      !this.#needsProbe()
    );
  }

  /** Resolves once {@link writable} (or the connection stopped: the next send then rejects). */
  whenWritable(): Promise<void> {
    if (this.writable || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => this.#writableWaiters.push(resolve));
  }

  /** Adopts unsent entries from a closed connection, in order (they keep their deadlines). */
  adopt(entries: readonly OutboundEntry[]): void {
    for (const entry of entries) {
      if (entry.settled) continue;
      if (entry.frame === null || entry.frameBytes > this.frameLimit) {
        entry.fail(new WireSendError("message_too_large", "frame exceeds the new connection's frameBytesMax"));
        continue;
      }
      if (this.queue.hasRoom(entry.frameBytes)) {
        this.queue.charge(entry);
        this.queue.push(entry);
      } else this.queue.wait(entry);
      this.#deadlines.arm(entry.deadlineMs);
    }
    this.pump();
  }

  /** An ACK (nack null) or NACK for MSG `id` arrived. */
  answered(id: number, nack: WireSendError | null): void {
    const entry = this.inFlight.get(id);
    if (entry === undefined) return;
    this.inFlight.delete(id);
    if (entry.settled) this.acksLate++;
    else if (nack === null) entry.succeed();
    else entry.fail(nack);
    this.pump();
  }

  /** Appends a control frame without body (ACK, PING, PONG) to the batch. */
  control(typeCode: number, id: number): void {
    this.#writer.control(typeCode, id);
    this.#scheduleFlush();
  }

  /** Appends a frame with a body and no header (HELLO, NACK, CLOSE) to the batch. */
  frame(typeCode: number, id: number, body: Uint8Array): void {
    const out = this.#writer.reserve(FIXED_HEADER_BYTES + body.byteLength);
    const at = writeFixedHeader(out, this.#writer.offset, typeCode, 0, 0, id, body.byteLength);
    out.set(body, at);
    this.#writer.commit(FIXED_HEADER_BYTES + body.byteLength);
    this.#scheduleFlush();
  }

  /** Moves queued sends into the batch while the window, the byte stream and probes allow. */
  readonly pump = (): void => {
    while (!this.#stopped && this.open && !this.#writeBlocked) {
      const head = this.queue.peek();
      if (head === undefined) {
        if (this.queue.admitWaiters() > 0) continue;
        if (this.#writableWaiters.length > 0 && this.writable) this.#wakeWritable();
        return;
      }
      if (head.ack && this.inFlight.size >= this.host.peerSlots()) return;
      if (this.#needsProbe()) return;
      this.queue.shift();
      if (head.settled || head.frameBytes > this.frameLimit) {
        head.admitted = false;
        this.queue.discharge(1, head.frameBytes);
        head.fail(
          new WireSendError("message_too_large", `frame exceeds the peer's frameBytesMax (${this.frameLimit})`),
        );
        continue;
      }
      patchFrameId(head.frame!, this.#takeId(head));
      this.#writer.append(head.frame!);
      this.#written(head);
    }
  };

  /** Writes the batch now (one write, cut at `writeBytesMax`). */
  flush(): void {
    if (this.#writer.length === 0) return;
    const bytes = this.#writer.take();
    const max = this.options.writeBytesMax;
    let ok = true;
    if (bytes.byteLength <= max) ok = this.duplex.write(bytes);
    else for (let at = 0; at < bytes.byteLength; at += max) ok = this.duplex.write(bytes.subarray(at, at + max)) && ok;
    if (this.#batchMessages > 0) {
      this.queue.discharge(this.#batchMessages, this.#batchBytes);
      this.#batchMessages = 0;
      this.#batchBytes = 0;
      this.host.messagesWritten();
    }
    const written = this.#batchWritten;
    if (written.length > 0) {
      this.#batchWritten = [];
      for (let i = 0; i < written.length; i++) written[i]!.succeed();
    }
    if (this.#batchPromise !== null) {
      const resolve = this.#batchResolve!;
      this.#batchPromise = this.#batchResolve = this.#batchReject = null;
      resolve();
    }
    if (!ok) this.#writeBlocked = true;
    else this.pongsOwed = 0;
    this.pump();
  }

  /** The byte stream drained. */
  drained(): void {
    this.#writeBlocked = false;
    this.pongsOwed = 0;
    this.pump();
  }

  /**
   * Stops: every unfinished send rejects with `lost`, except queued ones when `keepUnsent` (they
   * are returned for a new connection to adopt).
   */
  stop(lost: WireSendError, keepUnsent: boolean): OutboundEntry[] {
    this.#stopped = true;
    this.#deadlines.stop();
    for (const entry of this.inFlight.values()) entry.fail(lost);
    this.inFlight.clear();
    for (const entry of this.#batchWritten) entry.fail(lost);
    this.#batchWritten = [];
    if (this.#batchPromise !== null) {
      const reject = this.#batchReject!;
      this.#batchPromise = this.#batchResolve = this.#batchReject = null;
      reject(lost);
    }
    this.#wakeWritable();
    const unsent = this.queue.takeAll();
    if (keepUnsent) return unsent.filter((entry) => entry.frame !== null);
    for (const entry of unsent) entry.fail(lost);
    return [];
  }

  #wakeWritable(): void {
    const waiters = this.#writableWaiters;
    this.#writableWaiters = [];
    for (const wake of waiters) wake();
  }

  #canWriteNow(ack: boolean, frameBytes: number): boolean {
    return (
      this.open &&
      !this.#writeBlocked &&
      this.queue.queued === 0 &&
      this.queue.waiting === 0 &&
      (!ack || this.inFlight.size < this.host.peerSlots()) &&
      this.queue.hasRoom(frameBytes) &&
      !this.#needsProbe()
    );
  }

  #needsProbe(): boolean {
    return this.options.idleMs > 0 && this.host.needsProbe(this.pump);
  }

  #takeId(entry: OutboundEntry): number {
    const id = this.#nextId;
    this.#nextId = id === 0xffff_ffff ? 1 : id + 1;
    entry.id = id;
    return id;
  }

  #written(entry: OutboundEntry): void {
    this.#batchMessages++;
    this.#batchBytes += entry.frameBytes;
    this.sent++;
    if (entry.ack) {
      this.inFlight.set(entry.id, entry);
      this.#deadlines.arm(entry.deadlineMs);
    } else this.#batchWritten.push(entry);
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.reactor.defer(this.#flushTask);
  }

  readonly #flushTask = (): void => {
    this.#flushScheduled = false;
    if (!this.#stopped) this.flush();
  };
}
