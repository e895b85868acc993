/**
 * What the edge bench's processes say to each other: the server kinds, the requests a server
 * process and a load-generator process answer, and the event payloads the clients send.
 *
 * ```
 * edge.bench (parent) ──listen / mark / report / sockets / memory / stop──► edge-server (one per kind)
 *                     ──connect / fanout / echo / window / collect / quiet / disconnect──► edge-generator × N
 * edge-generator clients ──"msg" {t,s,n,p}──► server ──io.to("room").emit("msg", …)──► every client
 * edge-generator clients ──"echo" {t,p} + ack──► server ──ack(payload)──► client
 * ```
 */
import type { SparseCounts } from "./edge-histogram.js";

/**
 * The servers compared: Chorus, the stock `socket.io` server, and two bare references speaking
 * the minimal protocol: on `ws`, and on Chorus's own WebSocket layer (`frames`).
 */
export type ServerKind = "chorus" | "socket.io" | "ws" | "frames";

/** Every kind, in the order each round measures them. */
export const SERVER_KINDS: readonly ServerKind[] = ["ws", "frames", "socket.io", "chorus"];

/** The room every client joins on connection. */
export const ROOM = "room";

/** Event name of a fan-out message (client → server → every client of the room). */
export const FANOUT_EVENT = "msg";

/** Event name of an acknowledged echo (the server acks with the payload). */
export const ECHO_EVENT = "echo";

/** A fan-out message: sender time (ms, `performance.timeOrigin + now()`), sender id, sequence, padding. */
export interface FanoutPayload {
  readonly t: number;
  readonly s: number;
  readonly n: number;
  readonly p: string;
}

/** Padding of every fan-out and echo payload (the message is about 100 bytes on the wire). */
export const PADDING = "x".repeat(48);

/** The Engine.IO heartbeat every server advertises (the reference defaults), in ms. */
export const PING_INTERVAL_MS = 25_000;
/** See {@link PING_INTERVAL_MS}. */
export const PING_TIMEOUT_MS = 20_000;

/** What a server process measured over a window (between `mark` and `report`). */
export interface WindowReport {
  /** User + system CPU of the server process, in µs. */
  readonly cpuMicros: number;
  /** The system (kernel) part of `cpuMicros`: socket writes on loopback, mostly. */
  readonly systemMicros: number;
  /** Wall time of the window, in ms. */
  readonly elapsedMs: number;
  /** Fan-out messages received (each was broadcast once). */
  readonly broadcasts: number;
  /** Messages written by those broadcasts (broadcasts × room size). */
  readonly deliveries: number;
  /** Acknowledged echoes answered. */
  readonly echoes: number;
  /** Monotonic clock (CLOCK_MONOTONIC, as V8's CPU profiles use) at the window's start and end, in µs. */
  readonly startMicros: number;
  readonly endMicros: number;
}

/** The server process's memory after full garbage collections, in bytes. */
export interface MemoryReport {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
}

/** Arguments of a generator's `connect`. */
export interface ConnectRequest {
  /** Name of the client group (one per server). */
  readonly target: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly count: number;
  /** Handshakes in flight at once. */
  readonly concurrency: number;
  /** Source addresses to spread the connections over (empty: let the kernel choose). */
  readonly localAddresses: readonly string[];
  /**
   * `socket.io-client` (default), or `raw`: a bare `ws` client sending the same bytes as an idle
   * socket.io-client (CONNECT after the open packet, a pong per ping) at a fraction of its cost.
   */
  readonly client?: "socket.io-client" | "raw";
}

/** Answer of a generator's `connect`. */
export interface ConnectReply {
  readonly connected: number;
  readonly elapsedMs: number;
}

/**
 * Arguments of a generator's `fanout`: clients 0..senders-1 of the group send, closed-loop
 * (the next message when the previous came back) or, with `pace`, one message per interval.
 */
export interface FanoutRequest {
  readonly target: string;
  readonly senders: number;
  /** Sender ids are `senderBase + i` (unique across generators). */
  readonly senderBase: number;
  /** Open-loop pacing: sender i first sends after `firstMs + i × stepMs`, then every `intervalMs`. */
  readonly pace?: { readonly intervalMs: number; readonly firstMs: number; readonly stepMs: number };
}

/** Arguments of a generator's `echo`: clients 0..clients-1 of the group echo, closed-loop. */
export interface EchoRequest {
  readonly target: string;
  readonly clients: number;
}

/** What a generator saw since `window`. */
export interface CollectReply {
  /** Fan-out messages received, or echo round trips completed. */
  readonly received: number;
  readonly latency: SparseCounts;
}
