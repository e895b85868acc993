/**
 * Options of the Engine.IO v4 server, resolved once: defaults first, then validation that names
 * the bad option. Defaults are the reference `engine.io` server's.
 */
import type { Reactor } from "../../reactor/reactor.js";
import { resolvePayloadLimits } from "./packet-codec.js";

/** The transports the server speaks. */
export type EngineIoTransportName = "polling" | "websocket";

/** Options of {@link createEngineIoServer}. Every field but `reactor` is optional. */
export interface EngineIoServerOptions {
  /** The only source of time, timers and ids (required; `createNodeReactor()` in production). */
  readonly reactor: Reactor;
  /** Path the server answers under (a trailing `/` is added). Default `"/engine.io/"`. */
  readonly path?: string;
  /** Milliseconds between two server pings. Default 25000 (reference `pingInterval`). */
  readonly pingIntervalMs?: number;
  /** Milliseconds to wait for a pong before closing with "ping timeout". Default 20000. */
  readonly pingTimeoutMs?: number;
  /** Milliseconds an upgrade (probe → `5`) may take before the probe transport is closed. Default 10000. */
  readonly upgradeTimeoutMs?: number;
  /**
   * Milliseconds a polite close of a polling session waits for the client's next GET to carry
   * the `close` packet, and a closing WebSocket waits for the client to close the connection
   * before it is destroyed. Default 30000 (the reference's `closeTimeout`, and `ws`'s).
   */
  readonly closeTimeoutMs?: number;
  /**
   * Largest polling payload (POST body) or WebSocket message, in bytes. Default 1e6 (the
   * reference `maxHttpBufferSize`). A larger POST is answered 413.
   */
  readonly payloadBytesMax?: number;
  /** Allowed transports, in order. Default `["polling", "websocket"]`. */
  readonly transports?: readonly EngineIoTransportName[];
  /**
   * High-water mark of one session's outbound buffer, in bytes: what is queued for the client and
   * not yet handed to the OS (or to a poll response). At or over it, `send` returns false and
   * `needsDrain` is true. Default 1048576 (1 MiB).
   */
  readonly outboundBytesMax?: number;
  /** High-water mark of one session's outbound buffer, in packets. Default 1000. */
  readonly outboundPacketsMax?: number;
  /**
   * Milliseconds a session may stay over its high-water mark before it is closed with
   * "slow consumer". A buffer reaching {@link SLOW_CONSUMER_CAP_FACTOR} times the mark closes it
   * at once. Default 10000.
   */
  readonly slowConsumerGraceMs?: number;
  /**
   * Receives one line per notable session end ("slow consumer", "payload too large"), without a
   * trailing newline. Default: writes the line to stderr.
   */
  readonly log?: (line: string) => void;
}

/**
 * A session whose outbound buffer would grow past this many times its high-water mark
 * (`outboundBytesMax` or `outboundPacketsMax`) is closed with "slow consumer" instead.
 */
export const SLOW_CONSUMER_CAP_FACTOR = 4;

/** The default `log`: one line on stderr. */
export function logToStderr(line: string): void {
  process.stderr.write(line + "\n");
}

/** {@link EngineIoServerOptions} with every default applied; frozen. */
export interface ResolvedEngineIoServerOptions {
  readonly reactor: Reactor;
  readonly path: string;
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  readonly upgradeTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly payloadBytesMax: number;
  readonly transports: readonly EngineIoTransportName[];
  readonly outboundBytesMax: number;
  readonly outboundPacketsMax: number;
  readonly slowConsumerGraceMs: number;
  readonly log: (line: string) => void;
}

/** Defaults of {@link EngineIoServerOptions} (all but `reactor`). */
export const ENGINE_IO_SERVER_DEFAULTS: Omit<ResolvedEngineIoServerOptions, "reactor"> = Object.freeze({
  path: "/engine.io/",
  pingIntervalMs: 25_000,
  pingTimeoutMs: 20_000,
  upgradeTimeoutMs: 10_000,
  closeTimeoutMs: 30_000,
  payloadBytesMax: 1_000_000,
  transports: Object.freeze(["polling", "websocket"] as const),
  outboundBytesMax: 1_048_576,
  outboundPacketsMax: 1000,
  slowConsumerGraceMs: 10_000,
  log: logToStderr,
});

const POSITIVE_INTEGERS = [
  "pingIntervalMs",
  "pingTimeoutMs",
  "upgradeTimeoutMs",
  "closeTimeoutMs",
  "slowConsumerGraceMs",
  "outboundBytesMax",
  "outboundPacketsMax",
] as const;
const KNOWN_TRANSPORTS: readonly string[] = ["polling", "websocket"];

/**
 * Applies defaults and validates.
 * @throws TypeError for a missing reactor, a non-string path, a non-number duration or limit, a
 *   non-function `log` or a transports value that is not an array; RangeError for a duration or
 *   outbound limit that is not an integer >= 1, a bad `payloadBytesMax`, an empty or unknown
 *   transport list, or a path without a leading `/`.
 */
export function resolveEngineIoServerOptions(options: EngineIoServerOptions): ResolvedEngineIoServerOptions {
  const merged = { ...ENGINE_IO_SERVER_DEFAULTS, ...stripUndefined(options) };
  const reactor = merged.reactor as Reactor | undefined;
  if (typeof reactor !== "object" || reactor === null || typeof reactor.setTimer !== "function") {
    throw new TypeError("reactor is required (a Reactor, e.g. createNodeReactor())");
  }
  for (const name of POSITIVE_INTEGERS) {
    const value = merged[name];
    if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${typeof value}`);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
    }
  }
  if (typeof merged.log !== "function") throw new TypeError(`log must be a function, got ${typeof merged.log}`);
  const { payloadBytesMax } = resolvePayloadLimits({ payloadBytesMax: merged.payloadBytesMax });
  if (typeof merged.path !== "string") throw new TypeError(`path must be a string, got ${typeof merged.path}`);
  if (!merged.path.startsWith("/"))
    throw new RangeError(`path must start with "/", got ${JSON.stringify(merged.path)}`);
  const path = merged.path.endsWith("/") ? merged.path : merged.path + "/";
  if (!Array.isArray(merged.transports)) throw new TypeError("transports must be an array");
  if (merged.transports.length === 0 || !merged.transports.every((t) => KNOWN_TRANSPORTS.includes(t))) {
    throw new RangeError(`transports must be a non-empty list of "polling" and "websocket"`);
  }
  return Object.freeze({
    ...merged,
    reactor,
    path,
    payloadBytesMax,
    transports: Object.freeze([...merged.transports]),
  });
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
