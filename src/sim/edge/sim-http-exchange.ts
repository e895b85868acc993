/**
 * One HTTP exchange on the simulated edge server: the parts of Node's `IncomingMessage` and
 * `ServerResponse` that Chorus's Engine.IO server and `PollingTransport` use, over the
 * {@link SimStream} that carried the request. The real request routing (`handleRequest`, its
 * checks and refusals) and the real long-polling transport then run unchanged under the
 * simulator: a held GET is a response not yet ended, and a stream that closes first (a reset,
 * a crashed or departed client) is the response's premature `close`.
 *
 * ```
 * client ── {method,url,body?} ──► SimHttpRequest ──► engine.handleRequest(req, res)
 * client ◄── {status,body} ─────── SimHttpResponse.end(body), then the stream closes
 * ```
 */
import type { Reactor } from "../../reactor/reactor.js";
import type { SimHttpRequestMessage, SimHttpResponseMessage } from "./sim-edge-wire.js";
import type { SimStream } from "./sim-stream.js";

type Listener = (...args: never[]) => void;

/** Named listener lists, as an `EventEmitter` keeps them. */
class Listeners {
  readonly #byEvent = new Map<string, Listener[]>();

  add(event: string, listener: Listener): void {
    let list = this.#byEvent.get(event);
    if (list === undefined) this.#byEvent.set(event, (list = []));
    list.push(listener);
  }

  remove(event: string): void {
    this.#byEvent.delete(event);
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.#byEvent.get(event) ?? [])]) (listener as (...a: unknown[]) => void)(...args);
  }
}

/** The request side: method, url, headers, and the body as one `data` chunk then `end`. */
export class SimHttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly #body: string | undefined;
  readonly #listeners = new Listeners();

  constructor(message: SimHttpRequestMessage) {
    this.method = message.method;
    this.url = message.url;
    this.#body = message.body;
    this.headers = message.body === undefined ? {} : { "content-type": "text/plain;charset=UTF-8" };
  }

  /** Adds a listener (`data`, `end`). */
  on(event: string, listener: Listener): this {
    this.#listeners.add(event, listener);
    return this;
  }

  /** Removes every listener of `event`. */
  removeAllListeners(event: string): this {
    this.#listeners.remove(event);
    return this;
  }

  /** Nothing to resume: the body is delivered whole. */
  resume(): this {
    return this;
  }

  /** Delivers the body: one `data` chunk (if any), then `end`. Call once, after routing. */
  deliverBody(): void {
    if (this.#body !== undefined && this.#body.length > 0)
      this.#listeners.emit("data", Buffer.from(this.#body, "utf8"));
    this.#listeners.emit("end");
  }
}

/** The response side: `writeHead`, `end`, and `close` (after the end, or when the stream drops). */
export class SimHttpResponse {
  /** The status set by `writeHead` (200 until then). */
  statusCode = 200;
  readonly #stream: SimStream;
  readonly #reactor: Reactor;
  readonly #listeners = new Listeners();
  #ended = false;
  #closed = false;

  constructor(stream: SimStream, reactor: Reactor) {
    this.#stream = stream;
    this.#reactor = reactor;
    stream.onMessage = null;
    stream.onClose = () => this.#close();
  }

  /** True once `end` was called. */
  get writableEnded(): boolean {
    return this.#ended;
  }

  /** True once the status line would have been sent (here: at `end`). */
  get headersSent(): boolean {
    return this.#ended;
  }

  /** Sets the status; headers are not modelled. */
  writeHead(status: number, _headers?: unknown): this {
    this.statusCode = status;
    return this;
  }

  /** Sends the response and closes the stream; `close` listeners run later. */
  end(body?: string | Uint8Array): this {
    if (this.#ended) return this;
    this.#ended = true;
    const text = body === undefined ? "" : typeof body === "string" ? body : Buffer.from(body).toString("utf8");
    this.#stream.send({ status: this.statusCode, body: text } satisfies SimHttpResponseMessage);
    this.#stream.close("response sent");
    this.#reactor.defer(() => this.#close());
    return this;
  }

  /** Adds a listener (`close`). */
  on(event: string, listener: Listener): this {
    this.#listeners.add(event, listener);
    return this;
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.emit("close");
  }
}
