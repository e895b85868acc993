/**
 * The server side of the WebSocket opening handshake (RFC 6455 §4.2): checks an HTTP upgrade
 * request and answers it with `101 Switching Protocols`, or refuses it with a status and a plain
 * message, then destroys the socket.
 *
 * ```
 * GET /socket.io/?EIO=4&transport=websocket HTTP/1.1     HTTP/1.1 101 Switching Protocols
 * Upgrade: websocket                                 ─►  Upgrade: websocket
 * Connection: Upgrade                                    Connection: Upgrade
 * Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
 * Sec-WebSocket-Version: 13
 * ```
 * No extension is accepted (a `Sec-WebSocket-Extensions` offer such as permessage-deflate is
 * declined by not answering it); the first subprotocol offered, if any, is selected, as `ws` does.
 *
 * Spec: https://www.rfc-editor.org/rfc/rfc6455#section-4.2
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/** The GUID every `Sec-WebSocket-Accept` is derived with (RFC 6455 §1.3). */
const HANDSHAKE_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** A base64 encoding of 16 bytes: 22 characters then `==`. */
const KEY_PATTERN = /^[+/0-9A-Za-z]{22}==$/;

/** A handshake that can be accepted: the key to answer and the subprotocol selected (or null). */
export interface AcceptableUpgrade {
  readonly key: string;
  readonly protocol: string | null;
}

/** Why a handshake is refused: the HTTP status and a message for the body. */
export interface UpgradeRefusal {
  readonly status: 400 | 405 | 426;
  readonly message: string;
}

/** The `Sec-WebSocket-Accept` value answering `key`. */
export function acceptValue(key: string): string {
  return createHash("sha1")
    .update(key + HANDSHAKE_GUID)
    .digest("base64");
}

/** Checks a WebSocket upgrade request (RFC 6455 §4.2.1). */
export function checkUpgrade(req: IncomingMessage): AcceptableUpgrade | UpgradeRefusal {
  if (req.method !== "GET") return { status: 405, message: "Invalid HTTP method" };
  if (req.headers.upgrade?.toLowerCase() !== "websocket") return { status: 400, message: "Invalid Upgrade header" };
  if (!hasToken(req.headers.connection, "upgrade")) return { status: 400, message: "Invalid Connection header" };
  const key = req.headers["sec-websocket-key"];
  if (key === undefined || !KEY_PATTERN.test(key)) {
    return { status: 400, message: "Missing or invalid Sec-WebSocket-Key header" };
  }
  if (req.headers["sec-websocket-version"] !== "13") {
    return { status: 426, message: "Unsupported Sec-WebSocket-Version (this server speaks 13)" };
  }
  const offered = req.headers["sec-websocket-protocol"];
  const protocol = offered === undefined ? null : (offered.split(",")[0]?.trim() ?? null);
  return { key, protocol: protocol === "" ? null : protocol };
}

/** True when `check` refused the handshake. */
export function isRefusal(check: AcceptableUpgrade | UpgradeRefusal): check is UpgradeRefusal {
  return "status" in check;
}

/**
 * Writes the `101` answer on `socket`; the caller then owns the connection. Returns false (and
 * destroys the socket) when the client is already gone.
 */
export function acceptUpgrade(socket: Duplex, upgrade: AcceptableUpgrade): boolean {
  if (!socket.readable || !socket.writable) {
    socket.destroy();
    return false;
  }
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\n" +
      "Upgrade: websocket\r\n" +
      "Connection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${acceptValue(upgrade.key)}\r\n` +
      (upgrade.protocol === null ? "" : `Sec-WebSocket-Protocol: ${upgrade.protocol}\r\n`) +
      "\r\n",
  );
  return true;
}

/** Refuses a handshake as `check` says (426 names the version this server speaks) and destroys the socket. */
export function refuseUpgrade(socket: Duplex, refusal: UpgradeRefusal): void {
  const status = STATUS_LINES[refusal.status];
  const extra = refusal.status === 426 ? "Sec-WebSocket-Version: 13\r\n" : "";
  writeRefusal(socket, status, "text/plain; charset=UTF-8", refusal.message, extra);
}

const STATUS_LINES: Readonly<Record<UpgradeRefusal["status"], string>> = {
  400: "400 Bad Request",
  405: "405 Method Not Allowed",
  426: "426 Upgrade Required",
};

/**
 * Writes a raw HTTP refusal on an upgrade's socket (`Connection: close`, the given content type
 * and text, `extraHeaders` as complete header lines) and destroys the socket.
 */
export function writeRefusal(socket: Duplex, statusLine: string, type: string, text: string, extraHeaders = ""): void {
  socket.on("error", ignore);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${statusLine}\r\n` +
        "Connection: close\r\n" +
        `Content-type: ${type}\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\n` +
        extraHeaders +
        "\r\n" +
        text,
    );
  }
  socket.destroy();
}

function hasToken(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  for (const part of header.split(",")) if (part.trim().toLowerCase() === token) return true;
  return false;
}

function ignore(): void {}
