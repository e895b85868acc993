// Shared helpers of the wire codec tests: a fast-check arbitrary for every frame type, and a
// feeder that pushes a stream through a FrameDecoder in given chunk sizes.
import fc from "fast-check";
import type { WireError } from "../../src/wire/errors.js";
import type { WireFrame, WireLimits } from "../../src/wire/frame.js";
import { FrameDecoder, type FrameDecoderStatus } from "../../src/wire/frame-decoder.js";

const id = fc.nat({ max: 0xffff_ffff });
const bytes = fc.uint8Array({ maxLength: 64 });

/** Any valid frame of version 1, with small parts. */
export const frameArbitrary: fc.Arbitrary<WireFrame> = fc.oneof(
  fc.record({ type: fc.constant("hello" as const), id, body: bytes }),
  fc.record({ type: fc.constant("msg" as const), id, ackRequested: fc.boolean(), header: bytes, body: bytes }),
  fc.record({ type: fc.constant("ack" as const), id }),
  fc.record({ type: fc.constant("nack" as const), id, body: bytes }),
  fc.record({ type: fc.constant("ping" as const), id }),
  fc.record({ type: fc.constant("pong" as const), id }),
  fc.record({ type: fc.constant("close" as const), id, body: bytes }),
);

/** What feeding a stream reported. */
export interface FeedResult {
  readonly frames: WireFrame[];
  readonly errors: WireError[];
  readonly status: FrameDecoderStatus;
  /** The most bytes the decoder held at any point. */
  readonly bufferedBytesPeak: number;
}

/** Pushes `stream` cut at `cuts` (sorted offsets), then end(); returns everything reported. */
export function feedCut(stream: Uint8Array, cuts: readonly number[], limits: Partial<WireLimits> = {}): FeedResult {
  const frames: WireFrame[] = [];
  const errors: WireError[] = [];
  const decoder = new FrameDecoder((event) => {
    if (event.type === "frame") frames.push(event.frame);
    else errors.push(event.error);
  }, limits);
  let bufferedBytesPeak = 0;
  let from = 0;
  for (const cut of [...cuts, stream.byteLength]) {
    decoder.push(stream.subarray(from, cut));
    bufferedBytesPeak = Math.max(bufferedBytesPeak, decoder.bufferedBytes);
    from = cut;
  }
  decoder.end();
  return { frames, errors, status: decoder.status, bufferedBytesPeak };
}

/**
 * As {@link feedCut}, through the connection's decoder mode: `copy: false`, MSG frames to `onMsg`
 * (rebuilt here as frames, their bytes copied out of the input).
 */
export function feedCutZeroCopy(
  stream: Uint8Array,
  cuts: readonly number[],
  limits: Partial<WireLimits> = {},
): FeedResult {
  const frames: WireFrame[] = [];
  const errors: WireError[] = [];
  const decoder = new FrameDecoder(
    (event) => {
      if (event.type === "frame") frames.push(event.frame);
      else errors.push(event.error);
    },
    limits,
    {
      copy: false,
      onMsg: (id, ackRequested, source, headerStart, bodyStart, end) =>
        frames.push({
          type: "msg",
          id,
          ackRequested,
          header: source.slice(headerStart, bodyStart),
          body: source.slice(bodyStart, end),
        }),
    },
  );
  let bufferedBytesPeak = 0;
  let from = 0;
  for (const cut of [...cuts, stream.byteLength]) {
    decoder.push(stream.subarray(from, cut));
    bufferedBytesPeak = Math.max(bufferedBytesPeak, decoder.bufferedBytes);
    from = cut;
  }
  decoder.end();
  return { frames, errors, status: decoder.status, bufferedBytesPeak };
}

/** Pushes `stream` in chunks of `chunkBytes`, then end(). */
export function feed(stream: Uint8Array, chunkBytes: number, limits: Partial<WireLimits> = {}): FeedResult {
  const cuts: number[] = [];
  for (let at = chunkBytes; at < stream.byteLength; at += chunkBytes) cuts.push(at);
  return feedCut(stream, cuts, limits);
}

/** Joins byte arrays into one. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** Hex of any byte array. */
export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
