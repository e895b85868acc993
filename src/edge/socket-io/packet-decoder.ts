/**
 * The Socket.IO v5 decoder: a push state machine. Feed it the payloads of Engine.IO `message`
 * packets one at a time (text as strings, binary as Uint8Arrays); it emits each complete packet
 * through its sink, putting binary attachments back where their placeholders were.
 *
 * ```
 *            text, not binary type ──► emit packet
 *   idle ──► text, BINARY_EVENT/ACK ──► awaiting_attachments ──(last attachment)──► emit ──► idle
 *     │                                   │
 *     └─ binary ──┐          text ────────┤
 *                 ▼                       ▼
 *               failed ◄──────── any error (reported once; later input ignored until reset())
 * ```
 * Spec: https://github.com/socketio/socket.io-protocol#packet-encoding
 */
import { SocketIoCodecError } from "./errors.js";
import { type SocketIoPacket, ackIdProblem, payloadProblem } from "./packet.js";
import { type PacketText, type PacketTextLimits, parsePacketText } from "./packet-text.js";
import { type PlaceholderSlot, fillPlaceholders, findPlaceholders } from "./placeholders.js";

/** Limits of a {@link SocketIoPacketDecoder}. */
export interface DecoderLimits extends PacketTextLimits {
  /**
   * Most binary attachments one BINARY_EVENT / BINARY_ACK may announce (count). A larger count is
   * rejected with `too_many_attachments` before any attachment is buffered. Default 10, the
   * reference parser's `maxAttachments`. Integer ≥ 1.
   */
  readonly attachmentsPerPacketMax: number;
  /**
   * Longest namespace accepted, in UTF-16 code units; longer is `invalid_namespace`. Default 1024
   * (the reference has no limit; real namespaces are short paths). Integer ≥ 1.
   */
  readonly namespaceLengthMax: number;
}

/** Defaults of {@link DecoderLimits}. */
export const DECODER_LIMITS_DEFAULTS: DecoderLimits = Object.freeze({
  attachmentsPerPacketMax: 10,
  namespaceLengthMax: 1024,
});

/** Limits objects made by {@link resolveDecoderLimits} (frozen): passed again, they are shared. */
const RESOLVED_LIMITS = new WeakSet<object>([DECODER_LIMITS_DEFAULTS]);

/**
 * Resolves decoder limits once: defaults first, then validation naming the bad option.
 * @throws TypeError for a non-number; RangeError for a number that is not an integer ≥ 1.
 */
export function resolveDecoderLimits(options: Partial<DecoderLimits> = {}): DecoderLimits {
  // Already resolved (every connection of a server passes the same object): shared, not copied.
  if (RESOLVED_LIMITS.has(options)) return options as DecoderLimits;
  if (Object.keys(options).length === 0) return DECODER_LIMITS_DEFAULTS;
  const limits = { ...DECODER_LIMITS_DEFAULTS, ...options };
  for (const name of ["attachmentsPerPacketMax", "namespaceLengthMax"] as const) {
    const value: unknown = limits[name];
    if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${typeof value}`);
    if (!Number.isSafeInteger(value) || value < 1)
      throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
  }
  const resolved = Object.freeze(limits);
  RESOLVED_LIMITS.add(resolved);
  return resolved;
}

/** What a {@link SocketIoPacketDecoder} reports, discriminated on `type`. */
export type SocketIoDecoderEvent =
  /** A complete packet, attachments in place. */
  | { readonly type: "packet"; readonly packet: SocketIoPacket }
  /** The input is not valid Socket.IO; the connection should close (reason `"parse error"`). */
  | { readonly type: "error"; readonly error: SocketIoCodecError };

/** Receives a {@link SocketIoPacketDecoder}'s events. */
export type SocketIoDecoderSink = (event: SocketIoDecoderEvent) => void;

/** Lifecycle of a {@link SocketIoPacketDecoder}. */
export type SocketIoDecoderStatus = "idle" | "awaiting_attachments" | "failed";

/** A binary packet whose attachments are still arriving. */
interface Pending {
  readonly parts: PacketText;
  readonly slots: readonly PlaceholderSlot[];
  readonly attachments: Uint8Array[];
}

/** Decodes the Socket.IO packets of one connection. */
export class SocketIoPacketDecoder {
  readonly #sink: SocketIoDecoderSink;
  readonly #limits: DecoderLimits;
  #status: SocketIoDecoderStatus = "idle";
  #pending: Pending | null = null;

  /**
   * @param sink - receives packets and, at most once, an error.
   * @param limits - see {@link DecoderLimits}.
   * @throws TypeError / RangeError for invalid limits.
   */
  constructor(sink: SocketIoDecoderSink, limits: Partial<DecoderLimits> = {}) {
    this.#sink = sink;
    this.#limits = resolveDecoderLimits(limits);
  }

  /** Where the decoder is in its lifecycle. */
  get status(): SocketIoDecoderStatus {
    return this.#status;
  }

  /** Attachments still expected by the pending binary packet (0 when none is pending). */
  get attachmentsExpected(): number {
    const pending = this.#pending;
    return pending === null ? 0 : pending.parts.attachmentCount - pending.attachments.length;
  }

  /**
   * Feeds the payload of one Engine.IO `message` packet. Ignored after a failure.
   * @throws TypeError if `message` is neither a string nor a Uint8Array (a caller bug, not input).
   */
  push(message: string | Uint8Array): void {
    if (this.#status === "failed") return;
    if (typeof message !== "string" && !(message instanceof Uint8Array)) {
      throw new TypeError(`a Socket.IO message is a string or a Uint8Array, got ${typeof message}`);
    }
    let packet: SocketIoPacket | null;
    try {
      packet = typeof message === "string" ? this.#onText(message) : this.#onBinary(message);
    } catch (error) {
      if (!(error instanceof SocketIoCodecError)) throw error;
      this.#status = "failed";
      this.#pending = null;
      this.#sink({ type: "error", error });
      return;
    }
    // Outside the try: an exception thrown by the sink is the sink's, not a decoding error.
    if (packet !== null) this.#sink({ type: "packet", packet });
  }

  /** Drops any half-received binary packet and clears a failure: back to `idle`. */
  reset(): void {
    this.#status = "idle";
    this.#pending = null;
  }

  /** Parses a text message: the packet if complete, null if attachments must follow. */
  #onText(text: string): SocketIoPacket | null {
    const pending = this.#pending;
    if (pending !== null) {
      throw new SocketIoCodecError(
        "attachment_mismatch",
        `got a text message while ${this.attachmentsExpected} of ${pending.parts.attachmentCount} attachments are missing`,
      );
    }
    const parts = parsePacketText(text, this.#limits);
    const idProblem = ackIdProblem(parts.type, parts.id);
    if (idProblem !== null) throw new SocketIoCodecError("invalid_ack_id", `ack id: ${idProblem}`);
    const problem = payloadProblem(parts.type, parts.data);
    if (problem !== null) throw new SocketIoCodecError("invalid_payload", problem);
    if (parts.attachmentCount === 0) return packetOf(parts);
    const slots = findPlaceholders(parts.data, parts.attachmentCount);
    this.#pending = { parts, slots, attachments: [] };
    this.#status = "awaiting_attachments";
    return null;
  }

  /** Takes one attachment: the packet once the last one is in, else null. */
  #onBinary(bytes: Uint8Array): SocketIoPacket | null {
    const pending = this.#pending;
    if (pending === null) {
      throw new SocketIoCodecError(
        "attachment_mismatch",
        "got a binary message with no BINARY_EVENT or BINARY_ACK pending",
      );
    }
    pending.attachments.push(bytes);
    if (pending.attachments.length < pending.parts.attachmentCount) return null;
    fillPlaceholders(pending.slots, pending.attachments);
    this.#pending = null;
    this.#status = "idle";
    return packetOf(pending.parts);
  }
}

/** Builds the packet from checked parts, with only the fields its type has. */
function packetOf(parts: PacketText): SocketIoPacket {
  const { nsp, id, data } = parts;
  switch (parts.type) {
    case "connect":
      return data === undefined
        ? { type: "connect", nsp }
        : { type: "connect", nsp, data: data as Record<string, unknown> };
    case "disconnect":
      return { type: "disconnect", nsp };
    case "event": {
      const eventData = data as [string | number, ...unknown[]];
      return id === undefined ? { type: "event", nsp, data: eventData } : { type: "event", nsp, data: eventData, id };
    }
    case "ack":
      return { type: "ack", nsp, data: data as unknown[], id: id! };
    case "connect_error":
      return { type: "connect_error", nsp, data: data as Record<string, unknown> | string };
  }
}
