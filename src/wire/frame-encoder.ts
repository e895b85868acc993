/**
 * Encodes one {@link WireFrame} into one freshly allocated Uint8Array. Every check runs before
 * the allocation: the id range, the parts the frame type allows, and `frameBytesMax` — so a
 * sender refuses an oversized message without touching the socket (T-SIZE-1).
 * Spec: docs/wire-protocol.md.
 */
import { WireError } from "./errors.js";
import {
  FIXED_HEADER_BYTES,
  FLAG_ACK_REQUESTED,
  HEADER_BYTES_MAX,
  MESSAGE_ID_MAX,
  WIRE_MAGIC,
  WIRE_VERSION,
  type WireFrame,
  type WireLimits,
  checkFrameParts,
  frameTypeRule,
  resolveWireLimits,
} from "./frame.js";

const EMPTY = new Uint8Array(0);

/** The parts of a frame as they go on the wire. */
interface FrameParts {
  readonly flags: number;
  readonly header: Uint8Array;
  readonly body: Uint8Array;
}

/** Encodes frames with fixed limits. Stateless apart from its limits; share one per connection. */
export class FrameEncoder {
  /** The resolved limits. */
  readonly limits: WireLimits;

  /**
   * @param limits - `frameBytesMax` (bytes, default 1 MiB).
   * @throws TypeError / RangeError for invalid limits.
   */
  constructor(limits: Partial<WireLimits> = {}) {
    this.limits = resolveWireLimits(limits);
  }

  /**
   * Returns the bytes of `frame`: one allocation of exactly the frame's size.
   * @throws WireError `invalid_frame` (id not a u32, header longer than 65,535 bytes),
   *   `bad_length` (a header or body its type does not allow), or `frame_too_large`
   *   (longer than `frameBytesMax`), all before allocating.
   */
  encode(frame: WireFrame): Uint8Array {
    return encodeFrame(frame, this.limits);
  }

  /**
   * The size `frame` would have on the wire, in bytes, after the same checks as {@link encode}.
   * @throws WireError as {@link encode}.
   */
  measure(frame: WireFrame): number {
    return checkedSize(frame, partsOf(frame), this.limits);
  }
}

/**
 * Encodes one frame with resolved limits (see {@link FrameEncoder.encode}).
 * @throws WireError `invalid_frame`, `bad_length` or `frame_too_large`, before allocating.
 */
export function encodeFrame(frame: WireFrame, limits: WireLimits): Uint8Array {
  const parts = partsOf(frame);
  const frameBytes = checkedSize(frame, parts, limits);
  const bytes = new Uint8Array(frameBytes);
  const view = new DataView(bytes.buffer);
  bytes[0] = WIRE_MAGIC[0];
  bytes[1] = WIRE_MAGIC[1];
  bytes[2] = WIRE_VERSION;
  bytes[3] = frameTypeRule(frame.type).code;
  view.setUint16(4, parts.flags);
  view.setUint16(6, parts.header.byteLength);
  view.setUint32(8, frame.id);
  view.setUint32(12, parts.body.byteLength);
  bytes.set(parts.header, FIXED_HEADER_BYTES);
  bytes.set(parts.body, FIXED_HEADER_BYTES + parts.header.byteLength);
  return bytes;
}

function checkedSize(frame: WireFrame, parts: FrameParts, limits: WireLimits): number {
  if (!Number.isInteger(frame.id) || frame.id < 0 || frame.id > MESSAGE_ID_MAX)
    throw new WireError("invalid_frame", `message id must be a u32, got ${String(frame.id)}`);
  if (parts.header.byteLength > HEADER_BYTES_MAX)
    throw new WireError("invalid_frame", `header of ${parts.header.byteLength} bytes exceeds ${HEADER_BYTES_MAX}`);
  return checkFrameParts(
    frameTypeRule(frame.type),
    parts.flags,
    parts.header.byteLength,
    parts.body.byteLength,
    limits,
  );
}

function partsOf(frame: WireFrame): FrameParts {
  switch (frame.type) {
    case "msg":
      return { flags: frame.ackRequested ? FLAG_ACK_REQUESTED : 0, header: frame.header, body: frame.body };
    case "hello":
    case "nack":
    case "close":
      return { flags: 0, header: EMPTY, body: frame.body };
    case "ack":
    case "ping":
    case "pong":
      return { flags: 0, header: EMPTY, body: EMPTY };
    default:
      // Only reachable from untyped callers.
      throw new WireError("invalid_frame", `unknown frame type "${String((frame as { type: unknown }).type)}"`);
  }
}
