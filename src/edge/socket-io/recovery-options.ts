/**
 * Options of connection state recovery, resolved once. The reference server's
 * `connectionStateRecovery: { maxDisconnectionDuration, skipMiddlewares }` maps to
 * `{ maxDisconnectionDurationMs, skipMiddlewares }` here (units last); the three limits of the
 * missed-packet log and the session store are ours (the reference keeps both unbounded until its
 * once-a-minute sweep).
 */

/** Options of connection state recovery (`connectionStateRecovery` of the Socket.IO server). */
export interface ConnectionStateRecoveryOptions {
  /**
   * How long after a disconnection a client may come back and recover its socket, in ms
   * (integer ≥ 1). Also the age past which logged packets are dropped. Default 120000
   * (the reference's `maxDisconnectionDuration`).
   */
  readonly maxDisconnectionDurationMs?: number;
  /** Skip the namespace's middlewares when a socket is recovered. Default true. */
  readonly skipMiddlewares?: boolean;
  /**
   * Most packets kept in each namespace's missed-packet log (integer ≥ 1); the oldest is dropped
   * first. A client whose missed packets were dropped is not recovered (it connects afresh).
   * Default 10000.
   */
  readonly missedPacketsMax?: number;
  /**
   * Most bytes kept in each namespace's missed-packet log (integer ≥ 1), counted as the
   * packet's text length plus its attachments' bytes. Default 16 MiB (16777216).
   */
  readonly missedPacketBytesMax?: number;
  /** Most disconnected sessions kept per namespace (integer ≥ 1); the oldest goes first. Default 10000. */
  readonly sessionsMax?: number;
}

/** {@link ConnectionStateRecoveryOptions} with every default applied; frozen. */
export interface ResolvedRecoveryOptions {
  readonly maxDisconnectionDurationMs: number;
  readonly skipMiddlewares: boolean;
  readonly missedPacketsMax: number;
  readonly missedPacketBytesMax: number;
  readonly sessionsMax: number;
}

/** Defaults of {@link ConnectionStateRecoveryOptions}. */
export const CONNECTION_STATE_RECOVERY_DEFAULTS: ResolvedRecoveryOptions = Object.freeze({
  maxDisconnectionDurationMs: 120_000,
  skipMiddlewares: true,
  missedPacketsMax: 10_000,
  missedPacketBytesMax: 16 * 1024 * 1024,
  sessionsMax: 10_000,
});

const INTEGERS = ["maxDisconnectionDurationMs", "missedPacketsMax", "missedPacketBytesMax", "sessionsMax"] as const;

/**
 * Applies defaults and validates; `undefined` or `false` means recovery is off (null).
 * @throws TypeError for a non-object, a non-boolean `skipMiddlewares` or a non-number limit;
 *   RangeError for a limit that is not an integer ≥ 1.
 */
export function resolveRecoveryOptions(
  options: ConnectionStateRecoveryOptions | boolean | undefined,
): ResolvedRecoveryOptions | null {
  if (options === undefined || options === false) return null;
  const given = options === true ? {} : options;
  if (typeof given !== "object" || given === null) throw new TypeError("connectionStateRecovery must be an object");
  const merged: Record<string, unknown> = { ...CONNECTION_STATE_RECOVERY_DEFAULTS };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) merged[key] = value;
  for (const name of INTEGERS) {
    const value = merged[name];
    if (typeof value !== "number") throw new TypeError(`connectionStateRecovery.${name} must be a number`);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`connectionStateRecovery.${name} must be an integer >= 1, got ${value}`);
    }
  }
  if (typeof merged.skipMiddlewares !== "boolean") {
    throw new TypeError("connectionStateRecovery.skipMiddlewares must be a boolean");
  }
  return Object.freeze(merged as unknown as ResolvedRecoveryOptions);
}

/**
 * Disconnect reasons after which a socket's session is kept for recovery: the connection was
 * lost or cut by the server, not left on purpose. The reference's list, plus ours for the same
 * situations ("slow consumer", "payload too large" are not included: they would recur).
 */
export const RECOVERABLE_DISCONNECT_REASONS: ReadonlySet<string> = new Set([
  "transport error",
  "transport close",
  "forced close",
  "ping timeout",
  "server shutting down",
  "forced server close",
]);
