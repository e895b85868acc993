/**
 * The outbound queue of one Engine.IO session: what it holds for the client until the transport
 * can take it (a poll arrives, an upgrade completes), counted in bytes and messages so the
 * session can apply its high-water mark. Counting costs O(1) per item and allocates nothing.
 */
import { type EngineIoOutbound, isEncodedMessages } from "./engine-io-transport.js";

/**
 * The size an item counts for, in bytes: a string's length (UTF-16 code units, about its
 * memory), bytes' `byteLength`; pre-encoded messages count their polling records' length (what
 * a poll would write; binary appears there as base64). Control packets count their data.
 */
export function outboundBytes(item: EngineIoOutbound): number {
  if (isEncodedMessages(item)) return item.pollingRecords.length;
  const data = item.data;
  if (data === undefined) return 1;
  return 1 + (typeof data === "string" ? data.length : data.byteLength);
}

/** The number of messages an item counts for: its frames when pre-encoded, else 1. */
export function outboundPackets(item: EngineIoOutbound): number {
  return isEncodedMessages(item) ? item.webSocketFrames.length : 1;
}

/** A FIFO of outbound items with running byte and message counts. */
export class OutboundQueue {
  #items: EngineIoOutbound[] = [];
  #bytes = 0;
  #packets = 0;

  /** Bytes queued (see {@link outboundBytes}). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Messages queued (see {@link outboundPackets}). */
  get packets(): number {
    return this.#packets;
  }

  /** Number of items queued. */
  get length(): number {
    return this.#items.length;
  }

  /** Appends an item. */
  push(item: EngineIoOutbound): void {
    this.#items.push(item);
    this.#bytes += outboundBytes(item);
    this.#packets += outboundPackets(item);
  }

  /** Removes and returns every item, in order; the queue is empty afterwards. */
  take(): EngineIoOutbound[] {
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    this.#packets = 0;
    return items;
  }
}
