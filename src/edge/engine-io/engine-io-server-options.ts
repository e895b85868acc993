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
   * the `close` packet. Default 30000 (the reference transport's `closeTimeout`).
   */
  readonly closeTimeoutMs?: number;
  /**
   * Largest polling payload (POST body) or WebSocket message, in bytes. Default 1e6 (the
   * reference `maxHttpBufferSize`). A larger POST is answered 413.
   */
  readonly payloadBytesMax?: number;
  /** Allowed transports, in order. Default `["polling", "websocket"]`. */
  readonly transports?: readonly EngineIoTransportName[];
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
});

const DURATIONS = ["pingIntervalMs", "pingTimeoutMs", "upgradeTimeoutMs", "closeTimeoutMs"] as const;
const KNOWN_TRANSPORTS: readonly string[] = ["polling", "websocket"];

/**
 * Applies defaults and validates.
 * @throws TypeError for a missing reactor, a non-string path, a non-number duration or a
 *   transports value that is not an array; RangeError for a duration that is not an integer
 *   >= 1, a bad `payloadBytesMax`, an empty or unknown transport list, or a path without a
 *   leading `/`.
 */
export function resolveEngineIoServerOptions(options: EngineIoServerOptions): ResolvedEngineIoServerOptions {
  const merged = { ...ENGINE_IO_SERVER_DEFAULTS, ...stripUndefined(options) };
  const reactor = merged.reactor as Reactor | undefined;
  if (typeof reactor !== "object" || reactor === null || typeof reactor.setTimer !== "function") {
    throw new TypeError("reactor is required (a Reactor, e.g. createNodeReactor())");
  }
  for (const name of DURATIONS) {
    const value = merged[name];
    if (typeof value !== "number") throw new TypeError(`${name} must be a number of ms, got ${typeof value}`);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`${name} must be an integer number of ms >= 1, got ${value}`);
    }
  }
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
