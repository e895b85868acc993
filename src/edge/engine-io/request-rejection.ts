/**
 * Writes the reference server's refusals of a request, from the error table in `errors.ts`.
 *
 * - Polling (plain HTTP): status 400 (403 for Forbidden), `Content-Type: application/json`,
 *   body `{"code":N,"message":"…"}` (the reference's `abortRequest`).
 * - WebSocket upgrade: a raw `HTTP/1.1 400 Bad Request` with a `text/html` body holding only the
 *   message, then the socket is destroyed (the reference's `abortUpgrade`).
 * - A handshake while the server drains (ours; the reference has no drain): 503 with a
 *   `text/plain` body {@link SHUTTING_DOWN_MESSAGE} and `Retry-After`, on polling and WebSocket.
 */
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { writeRefusal } from "../websocket/handshake.js";
import { type EngineIoRequestErrorCode, requestErrorBody, requestErrorEntry } from "./errors.js";

/** Body of the 503 answering a handshake while the server drains. */
export const SHUTTING_DOWN_MESSAGE = "Server shutting down";

/** Seconds announced in `Retry-After` with {@link SHUTTING_DOWN_MESSAGE}. */
export const SHUTTING_DOWN_RETRY_AFTER_SECONDS = 1;

/** Answers a handshake (polling) with 503 {@link SHUTTING_DOWN_MESSAGE}: the server is draining. */
export function rejectRequestUnavailable(res: ServerResponse): void {
  res.writeHead(503, {
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Length": Buffer.byteLength(SHUTTING_DOWN_MESSAGE),
    "Retry-After": String(SHUTTING_DOWN_RETRY_AFTER_SECONDS),
  });
  res.end(SHUTTING_DOWN_MESSAGE);
}

/** Refuses a WebSocket handshake with 503 {@link SHUTTING_DOWN_MESSAGE} and destroys the socket. */
export function rejectUpgradeUnavailable(socket: Duplex): void {
  writeRefusal(
    socket,
    "503 Service Unavailable",
    "text/plain; charset=UTF-8",
    SHUTTING_DOWN_MESSAGE,
    `Retry-After: ${SHUTTING_DOWN_RETRY_AFTER_SECONDS}\r\n`,
  );
}

/** Answers a polling request with the reference's JSON error body and status. */
export function rejectRequest(res: ServerResponse, code: EngineIoRequestErrorCode, message?: string): void {
  const body = requestErrorBody(code, message);
  res.writeHead(requestErrorEntry(code).httpStatus, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** Refuses a WebSocket upgrade as the reference does (always 400) and destroys the socket. */
export function rejectUpgrade(socket: Duplex, code: EngineIoRequestErrorCode, message?: string): void {
  writeRefusal(socket, "400 Bad Request", "text/html", message ?? requestErrorEntry(code).message, "");
}
