/**
 * Input rules the UI checks before asking the server, with sentences a user can act on. The rules
 * themselves come from the server's `limits.ts` (pure, no Node APIs), so both sides agree.
 */
import {
  NICKNAME_LENGTH_MAX,
  ROOM_NAME_LENGTH_MAX,
  TEXT_LENGTH_MAX,
  characterCount,
  isRoomName,
  normalizeNickname,
  textProblem,
} from "../server/limits.js";

/** Longest message text, in characters (code points) after trimming. */
export const messageLengthMax = TEXT_LENGTH_MAX;

/** The outcome of checking one input: the normalised value, or a sentence saying what is wrong. */
export type Checked = { ok: true; value: string } | { ok: false; error: string };

/** Checks a nickname: trimmed, 1–24 letters (any script), digits, `_`, `-` or `.`. */
export function checkNickname(raw: string): Checked {
  const value = normalizeNickname(raw);
  if (value !== null) return { ok: true, value };
  const trimmed = raw.trim();
  if (trimmed.length === 0) return { ok: false, error: "Pick a nickname to start chatting." };
  if (characterCount(trimmed) > NICKNAME_LENGTH_MAX) {
    return { ok: false, error: `Nicknames are at most ${NICKNAME_LENGTH_MAX} characters.` };
  }
  return { ok: false, error: "Use only letters, digits, _, - and . (no spaces)." };
}

/** Checks a room name: trimmed and lower-cased, then 1–32 characters of `a–z`, `0–9` and `-`. */
export function checkRoomName(raw: string): Checked {
  const value = raw.trim().toLowerCase();
  if (isRoomName(value as unknown)) return { ok: true, value };
  if (value.length === 0) return { ok: false, error: "Type a room name." };
  if (value.length > ROOM_NAME_LENGTH_MAX) {
    return { ok: false, error: `Room names are at most ${ROOM_NAME_LENGTH_MAX} characters.` };
  }
  return { ok: false, error: "Room names use only a–z, 0–9 and -." };
}

/** Checks message text: 1–2,000 characters after trimming (an empty text is refused silently). */
export function checkMessageText(raw: string): Checked {
  const problem = textProblem(raw);
  if (problem === null) return { ok: true, value: raw.trim() };
  if (problem === "empty") return { ok: false, error: "" };
  const length = characterCount(raw.trim());
  return { ok: false, error: `Messages can be at most 2,000 characters (this one has ${length}).` };
}

/** Characters (code points) in the trimmed text, as the server counts them. */
export function textLength(raw: string): number {
  return characterCount(raw.trim());
}
