/**
 * The chat's rules and limits, each with a unit and a default, and the pure checks that apply
 * them to user input (nickname, session key, room name, message text, client id). Shared by the session, the
 * rooms and the history store; {@link resolveChatLimits} resolves a partial override once.
 */

/** Longest nickname, in characters (code points), after trimming. */
export const NICKNAME_LENGTH_MAX = 24;
/** Longest room name, in characters (`[a-z0-9-]`). */
export const ROOM_NAME_LENGTH_MAX = 32;
/** Longest message text, in characters (code points), after trimming. */
export const TEXT_LENGTH_MAX = 2_000;
/** Longest `clientId`, in characters. */
export const CLIENT_ID_LENGTH_MAX = 64;
/** Shortest `sessionKey`, in characters: 128 bits as base64url (22) or hex (32) or more. */
export const SESSION_KEY_LENGTH_MIN = 22;
/** Longest `sessionKey`, in characters. */
export const SESSION_KEY_LENGTH_MAX = 128;
/** The room that always exists. */
export const DEFAULT_ROOM = "general";

/** Tunable limits of a chat server; every field has a default in {@link CHAT_LIMITS_DEFAULTS}. */
export interface ChatLimits {
  /** Token-bucket size of `message:send` per connection, in messages. Default 10. */
  readonly rateBurstMessages: number;
  /** Token-bucket refill of `message:send` per connection, in messages per second. Default 1. */
  readonly rateRefillPerSecond: number;
  /** Messages returned by `room:join` without `sinceId`. Default 50. */
  readonly joinHistoryLength: number;
  /** Most messages returned by `room:join` with `sinceId`. Default 500. */
  readonly sinceHistoryLengthMax: number;
  /** Default page of `history:before`, in messages. Default 50. */
  readonly beforeHistoryLengthDefault: number;
  /** Largest page of `history:before`, in messages. Default 100. */
  readonly beforeHistoryLengthMax: number;
  /** Typing is cleared after this much silence, in ms. Default 5,000. */
  readonly typingTimeoutMs: number;
  /** Least time between two `rooms` broadcasts (sent to every client), in ms. Default 1,000. */
  readonly roomsBroadcastThrottleMs: number;
  /** Most rooms on the server. Default 1,000. */
  readonly roomsMax: number;
  /** Most rooms one connection is in at once. Default 50. */
  readonly roomsPerConnectionMax: number;
  /** Most members of one room. Default 10,000. */
  readonly roomMembersMax: number;
  /**
   * How long the store collects appends before one transaction, in ms. Default 0: group commit,
   * every append already waiting goes into the next transaction at once, without a timer (see
   * `history-store.ts`). The only limit that may be 0.
   */
  readonly storeFlushDelayMs: number;
  /** Most appends in one transaction; a full batch is written at once. Default 256. */
  readonly storeBatchMessagesMax: number;
  /** How long a room keeps retrying an append while the store restarts, in ms. Default 3,000. */
  readonly storeRetryWindowMs: number;
}

/** Defaults of {@link ChatLimits}. */
export const CHAT_LIMITS_DEFAULTS: ChatLimits = Object.freeze({
  rateBurstMessages: 10,
  rateRefillPerSecond: 1,
  joinHistoryLength: 50,
  sinceHistoryLengthMax: 500,
  beforeHistoryLengthDefault: 50,
  beforeHistoryLengthMax: 100,
  typingTimeoutMs: 5_000,
  roomsBroadcastThrottleMs: 1_000,
  roomsMax: 1_000,
  roomsPerConnectionMax: 50,
  roomMembersMax: 10_000,
  storeFlushDelayMs: 0,
  storeBatchMessagesMax: 256,
  storeRetryWindowMs: 3_000,
});

/** Limits that may be 0 (every other one must be > 0). */
const ZERO_ALLOWED: ReadonlySet<string> = new Set(["storeFlushDelayMs"]);

/**
 * Applies the defaults to a partial override and validates it.
 * @throws TypeError for a non-number; RangeError for a value that is not a finite number > 0
 *   (>= 0 for `storeFlushDelayMs`; an integer >= 1 for counts), naming the field.
 */
export function resolveChatLimits(overrides: Partial<ChatLimits> = {}): ChatLimits {
  const merged: Record<string, unknown> = { ...CHAT_LIMITS_DEFAULTS };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) merged[key] = value;
  for (const [key, value] of Object.entries(merged)) {
    if (!(key in CHAT_LIMITS_DEFAULTS)) throw new TypeError(`limits.${key} is not a chat limit`);
    if (typeof value !== "number") throw new TypeError(`limits.${key} must be a number, got ${typeof value}`);
    const integer = !key.endsWith("Ms") && key !== "rateRefillPerSecond";
    const least = ZERO_ALLOWED.has(key) ? ">= 0" : "> 0";
    if (
      !Number.isFinite(value) ||
      value < 0 ||
      (value === 0 && least === "> 0") ||
      (integer && !Number.isSafeInteger(value))
    )
      throw new RangeError(`limits.${key} must be ${integer ? "an integer >= 1" : `a number ${least}`}, got ${value}`);
  }
  return Object.freeze(merged) as unknown as ChatLimits;
}

const NICKNAME_PATTERN = /^[\p{L}\p{M}\p{N}_.-]+$/u;
const ROOM_PATTERN = /^[a-z0-9-]+$/;

/** Number of code points of `text` (a surrogate pair counts once). */
export function characterCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) i++;
    count++;
  }
  return count;
}

/** The trimmed nickname if it follows the rules (1–24 letters, digits, `_`, `-`, `.`), else null. */
export function normalizeNickname(raw: unknown): string | null {
  if (typeof raw !== "string" || raw.length > NICKNAME_LENGTH_MAX * 4) return null;
  const nickname = raw.trim();
  const length = characterCount(nickname);
  if (length < 1 || length > NICKNAME_LENGTH_MAX || !NICKNAME_PATTERN.test(nickname)) return null;
  return nickname;
}

/** True for a room name of 1–32 characters of `[a-z0-9-]`. */
export function isRoomName(raw: unknown): raw is string {
  return typeof raw === "string" && raw.length >= 1 && raw.length <= ROOM_NAME_LENGTH_MAX && ROOM_PATTERN.test(raw);
}

/** Why a message text is refused: `empty` (nothing after trimming), `too_long`, or null when fine. */
export function textProblem(text: string): "empty" | "too_long" | null {
  if (text.length > TEXT_LENGTH_MAX * 2 + 1_024) return "too_long"; // cheap bound before counting
  const trimmed = text.trim();
  if (trimmed.length === 0) return "empty";
  return characterCount(trimmed) > TEXT_LENGTH_MAX ? "too_long" : null;
}

/** True for a `clientId` of 1–64 characters. */
export function isClientId(raw: unknown): raw is string {
  return typeof raw === "string" && raw.length >= 1 && raw.length <= CLIENT_ID_LENGTH_MAX;
}

const SESSION_KEY_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * The `sessionKey` a client sent in its handshake `auth` (a random per-tab secret, at least 128
 * bits: 22–128 characters of `[A-Za-z0-9_-]`), or null when it is absent or malformed — a client
 * without a valid key can never take over a nickname.
 */
export function normalizeSessionKey(raw: unknown): string | null {
  if (typeof raw !== "string" || raw.length < SESSION_KEY_LENGTH_MIN || raw.length > SESSION_KEY_LENGTH_MAX)
    return null;
  return SESSION_KEY_PATTERN.test(raw) ? raw : null;
}
