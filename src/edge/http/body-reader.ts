/**
 * Reads a request body with a byte limit enforced as it streams: a chunked (or lying) body is
 * refused with 413 as soon as it crosses the limit, without buffering more than the limit.
 *
 * ```
 * chunk ─► count ─► ≤ bodyBytesMax: keep ─► end ─► Buffer
 *                 └► > bodyBytesMax: 413 "payload too large", connection closed ─► null
 * ```
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Body of the 413 written by {@link readBoundedBody}. */
export const BODY_TOO_LARGE_MESSAGE = "payload too large";

/**
 * Reads `req`'s body, at most `bodyBytesMax` bytes. On overflow it answers 413 (text
 * {@link BODY_TOO_LARGE_MESSAGE}, `Connection: close`), stops reading and resolves `null`; if the
 * client goes away mid-body it resolves `null` without answering.
 */
export function readBoundedBody(
  req: IncomingMessage,
  res: ServerResponse,
  bodyBytesMax: number,
): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const settle = (value: Buffer | null): void => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes <= bodyBytesMax) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      res.shouldKeepAlive = false;
      res.writeHead(413, {
        "content-type": "text/plain; charset=utf-8",
        "content-length": Buffer.byteLength(BODY_TOO_LARGE_MESSAGE),
        connection: "close",
      });
      // The rest of the body is not read: the connection closes once the 413 is written.
      res.end(BODY_TOO_LARGE_MESSAGE, () => req.socket.destroy());
      settle(null);
    };
    const onEnd = (): void => settle(Buffer.concat(chunks, bytes));
    const onClose = (): void => settle(null);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
  });
}
