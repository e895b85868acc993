/**
 * What simulated Engine.IO clients and the simulated edge server put on their
 * {@link SimStream}s. HTTP long-polling: one stream per request, carrying the request and, back,
 * the response. WebSocket: one stream per socket, carrying the upgrade request first, then one
 * message per frame either way, plus the client's read credits (flow control, so a client that
 * stops reading backs the server up as a full TCP window would).
 *
 * ```
 * HTTP       client ── {method,url,body?} ──► server ── {status,body} ──► client, then closed
 * WebSocket  client ── {url} {f:"2probe"} {f:"3"} {c:4096} … ──► server ── {f:"0{…}"} {f:"42[…]"} … ──►
 * ```
 */

/** Port of the simulated edge server's HTTP endpoint (long-polling). */
export const EDGE_HTTP_PORT = "http";
/** Port of the simulated edge server's WebSocket endpoint. */
export const EDGE_WS_PORT = "ws";

/** An HTTP request (client → server): the first and only message of an HTTP stream. */
export interface SimHttpRequestMessage {
  readonly method: "GET" | "POST";
  /** Path and query, e.g. `/socket.io/?EIO=4&transport=polling&sid=…`. */
  readonly url: string;
  /** The POST body (a polling payload); absent for a GET. */
  readonly body?: string;
}

/** An HTTP response (server → client), after which the server closes the stream. */
export interface SimHttpResponseMessage {
  readonly status: number;
  readonly body: string;
}

/** The WebSocket upgrade request: the first message of a WebSocket stream (client → server). */
export interface SimUpgradeMessage {
  /** Path and query, e.g. `/socket.io/?EIO=4&transport=websocket&sid=…`. */
  readonly url: string;
}

/** One WebSocket frame, either way: text, or bytes for a binary frame. */
export interface SimFrameMessage {
  readonly f: string | Uint8Array;
}

/** Client → server: bytes of frames the client has read since its last credit. */
export interface SimCreditMessage {
  readonly c: number;
}

/** Any message a client sends on a WebSocket stream after the upgrade request. */
export type SimWebSocketClientMessage = SimFrameMessage | SimCreditMessage;

/** Flow-control size of one frame, in bytes (UTF-16 code units for text: close enough, and cheap). */
export function frameBytes(frame: string | Uint8Array): number {
  return typeof frame === "string" ? frame.length : frame.byteLength;
}

/** The query parameters of a request URL. */
export function queryOf(url: string): URLSearchParams {
  const at = url.indexOf("?");
  return new URLSearchParams(at === -1 ? "" : url.slice(at + 1));
}
