/**
 * Writes the reference server's refusals of a request, from the error table in `errors.ts`.
 *
 * - Polling (plain HTTP): status 400 (403 for Forbidden), `Content-Type: application/json`,
 *   body `{"code":N,"message":"…"}` (the reference's `abortRequest`).
 * - WebSocket upgrade: a raw `HTTP/1.1 400 Bad Request` with a `text/html` body holding only the
 *   message, then the socket is destroyed (the reference's `abortUpgrade`).
 */
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type EngineIoRequestErrorCode, requestErrorBody, requestErrorEntry } from "./errors.js";

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
  socket.on("error", ignore);
  const text = message ?? requestErrorEntry(code).message;
  if (socket.writable) {
    socket.write(
      "HTTP/1.1 400 Bad Request\r\n" +
        "Connection: close\r\n" +
        "Content-type: text/html\r\n" +
        `Content-Length: ${Buffer.byteLength(text)}\r\n` +
        "\r\n" +
        text,
    );
  }
  socket.destroy();
}

function ignore(): void {}
