/**
 * Engine.IO session ids: 20 base64url characters, like the reference server's `base64id`
 * (15 bytes, `+`/`/` replaced by `-`/`_`). The bytes come from the Reactor, never from ambient
 * randomness, so a simulation reproduces its ids.
 */
import type { Reactor } from "../../reactor/reactor.js";

/** Length of a session id in characters. */
export const SESSION_ID_LENGTH = 20;

/** Bytes of entropy in a session id (20 base64 characters carry exactly 15 bytes). */
const SESSION_ID_BYTES = 15;

/** A fresh session id derived from `reactor.uniqueId()` (128 random bits, 120 of them used). */
export function createSessionId(reactor: Reactor): string {
  const bytes = Buffer.from(reactor.uniqueId(), "hex").subarray(0, SESSION_ID_BYTES);
  return bytes.toString("base64url");
}
