/**
 * The HTTP long-polling transport of one session: a GET is held until the session has packets
 * (or a ping) to write; a POST carries a batch of client packets. Behaviour follows the reference
 * server's `Polling` transport.
 *
 * ```
 * GET  ?sid=…  ──► held ─ drain ─► 200 text/plain; charset=UTF-8  "4hello\x1e2"
 * POST ?sid=…  ──► PayloadDecoder ──► packets to the sink ──► 200 text/html "ok"
 *                  > payloadBytesMax ──► 413 (empty body, and to a held GET), session closed
 *                                        "payload too large"
 * ```
 * Spec: https://github.com/socketio/engine.io-protocol#http-long-polling
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Reactor, TimerHandle } from "../../reactor/reactor.js";
import type { EngineIoCodecError } from "./errors.js";
import {
  type EngineIoOutbound,
  type EngineIoTransport,
  type EngineIoTransportSink,
  IGNORING_SINK,
  isEncodedMessages,
} from "./engine-io-transport.js";
import { type EngineIoPacket, RECORD_SEPARATOR } from "./packet.js";
import { encodeRecord } from "./packet-codec.js";
import { PayloadDecoder, type PayloadDecoderEvent } from "./payload-decoder.js";

const CLOSE_PACKET: EngineIoPacket = Object.freeze({ type: "close" });
const NOOP_PACKET: EngineIoPacket = Object.freeze({ type: "noop" });

/**
 * Encodes a polling payload: packets become records, pre-encoded messages contribute their shared
 * records unchanged.
 * @throws RangeError for an empty list; EngineIoCodecError as `encodeRecord`.
 */
function encodeBody(items: readonly EngineIoOutbound[]): string {
  if (items.length === 0) throw new RangeError("a polling payload needs at least one packet");
  let out = "";
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (i > 0) out += RECORD_SEPARATOR;
    out += isEncodedMessages(item) ? item.pollingRecords : encodeRecord(item);
  }
  return out;
}

/** Limits a {@link PollingTransport} enforces. */
export interface PollingTransportLimits {
  /** Largest POST body, bytes. */
  readonly payloadBytesMax: number;
  /** How long a polite close waits for the next GET, ms. */
  readonly closeTimeoutMs: number;
}

/** The long-polling transport of one session. Feed it every request that names its session. */
export class PollingTransport implements EngineIoTransport {
  /** Always `polling`. */
  readonly name = "polling" as const;
  /** Receives packets, drains and the close. */
  sink: EngineIoTransportSink = IGNORING_SINK;
  readonly #reactor: Reactor;
  readonly #limits: PollingTransportLimits;
  #poll: ServerResponse | null = null;
  #dataRequest: IncomingMessage | null = null;
  #closeDone: (() => void) | null = null;
  #closeTimer: TimerHandle | null = null;
  #closed = false;

  constructor(reactor: Reactor, limits: PollingTransportLimits) {
    this.#reactor = reactor;
    this.#limits = limits;
  }

  /** True while a GET is held and the transport is open. */
  get writable(): boolean {
    return this.#poll !== null && !this.#closed;
  }

  /** Always 0: a poll response is written whole, the session keeps what waits for the next poll. */
  get bufferedBytes(): number {
    return 0;
  }

  /** Always 0 (see `bufferedBytes`). */
  get bufferedPackets(): number {
    return 0;
  }

  /** See {@link EngineIoTransport.abort}: a pending poll is ended with `close`, nothing waits. */
  abort(): void {
    if (this.#closed) return;
    this.#closeDone = null;
    this.#shutdown();
  }

  /** Handles a GET (poll) or POST (data); any other method is answered 500, as the reference does. */
  onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === "GET") this.#onPoll(res);
    else if (req.method === "POST") this.#onData(req, res);
    else res.writeHead(500).end();
  }

  /** Writes packets in the pending poll (plus `close` when a close is pending). */
  send(items: readonly EngineIoOutbound[]): void {
    const res = this.#poll;
    if (res === null || this.#closed) return;
    this.#poll = null;
    const done = this.#closeDone;
    const all = done === null ? items : [...items, CLOSE_PACKET];
    let body: string;
    try {
      body = encodeBody(all);
    } catch (error) {
      res.writeHead(500).end();
      this.#fail("transport error", (error as Error).message);
      return;
    }
    res.writeHead(200, { "Content-Type": "text/plain; charset=UTF-8", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
    if (done !== null) {
      this.#shutdown();
      done();
    }
  }

  /** See {@link EngineIoTransport.sendOne}. */
  sendOne(item: EngineIoOutbound): void {
    this.send([item]);
  }

  /** See {@link EngineIoTransport.close}. */
  close(done: () => void, discard: boolean): void {
    if (this.#closed || this.#closeDone !== null) return;
    this.#closeDone = done;
    if (this.writable) {
      this.send([]);
    } else if (discard) {
      this.#closeDone = null;
      this.#shutdown();
      done();
    } else {
      this.#closeTimer = this.#reactor.setTimer(this.#limits.closeTimeoutMs, () => {
        this.#closeDone = null;
        this.#shutdown();
        done();
      });
    }
  }

  /** See {@link EngineIoTransport.discard}. */
  discard(): void {
    if (this.#closed) return;
    if (this.writable) this.send([NOOP_PACKET]);
    this.#shutdown();
  }

  #onPoll(res: ServerResponse): void {
    if (this.#closed) {
      res.writeHead(400).end();
      return;
    }
    if (this.#poll !== null) {
      res.writeHead(400).end();
      this.#fail("transport error", "overlap from client");
      return;
    }
    this.#poll = res;
    res.on("close", () => {
      if (this.#poll === res) {
        this.#poll = null;
        this.#fail("transport error", "poll connection closed prematurely");
      }
    });
    this.sink.drain();
    // A close waiting for this poll, with nothing else to say: `noop` carries the `close`.
    if (this.writable && this.#closeDone !== null) this.send([NOOP_PACKET]);
  }

  #onData(req: IncomingMessage, res: ServerResponse): void {
    if (this.#closed) {
      res.writeHead(400).end();
      return;
    }
    if (this.#dataRequest !== null) {
      res.writeHead(400).end();
      this.#fail("transport error", "data request overlap from client");
      return;
    }
    if (req.headers["content-type"] === "application/octet-stream") {
      // v4 payloads are always text; the reference refuses binary POST bodies.
      res.writeHead(400).end();
      this.#fail("transport error", "invalid content");
      return;
    }
    this.#dataRequest = req;
    const packets: EngineIoPacket[] = [];
    let failure: EngineIoCodecError | null = null;
    const decoder = new PayloadDecoder(
      (event: PayloadDecoderEvent) => {
        if (event.type === "packet") packets.push(event.packet);
        else if (event.type === "error") failure = event.error;
      },
      { payloadBytesMax: this.#limits.payloadBytesMax },
    );
    const finish = (): void => {
      req.removeAllListeners("data");
      req.removeAllListeners("end");
      if (this.#dataRequest === req) this.#dataRequest = null;
    };
    const refuse = (error: EngineIoCodecError): void => {
      finish();
      req.resume();
      res.writeHead(error.httpStatus, { Connection: "close", "Content-Length": 0 }).end();
      if (error.code === "payload_too_large") this.#fail("payload too large", error.message, 413);
      else this.#fail("parse error", error.message);
    };
    req.on("data", (chunk: Buffer) => {
      decoder.push(chunk);
      if (failure !== null) refuse(failure);
    });
    req.on("end", () => {
      decoder.end();
      if (failure !== null) return refuse(failure);
      finish();
      res.writeHead(200, { "Content-Type": "text/html", "Content-Length": 2 });
      res.end("ok");
      for (const packet of packets) this.sink.packet(packet);
    });
    res.on("close", () => {
      if (this.#dataRequest === req) {
        finish();
        this.#fail("transport error", "data request connection closed prematurely");
      }
    });
  }

  /** `pollStatus`: answer a held poll with this empty error status instead of a `close` packet. */
  #fail(
    reason: "transport error" | "parse error" | "payload too large",
    description: string,
    pollStatus?: number,
  ): void {
    if (this.#closed) return;
    const sink = this.sink;
    this.#shutdown(pollStatus);
    sink.closed(reason, description);
  }

  #shutdown(pollStatus?: number): void {
    this.#closed = true;
    this.#closeTimer?.cancel();
    this.#closeTimer = null;
    this.sink = IGNORING_SINK;
    const poll = this.#poll;
    this.#poll = null;
    if (poll !== null && pollStatus !== undefined) {
      // After a 413, the held poll fails the same way, so the client reliably reports the 413
      // ("transport error") rather than whichever of the two responses it reads first.
      poll.writeHead(pollStatus, { Connection: "close" }).end();
    } else if (poll !== null) {
      // A held poll learns of the end with a `close` packet rather than hanging (the reference
      // closes the transport of a closed session, which writes `1` in a pending poll).
      poll.writeHead(200, { "Content-Type": "text/plain; charset=UTF-8", "Content-Length": 1 });
      poll.end("1");
    }
  }
}
