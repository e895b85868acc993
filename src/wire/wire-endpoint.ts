/**
 * Where a wire node listens or dials: TCP (`host` + `port`) or a Unix domain socket (`path`),
 * optionally with TLS (mutual authentication: both sides present a certificate signed by the
 * cluster CA and verify the other's; TLS 1.2 or later).
 */
import type { SecureContextOptions } from "node:tls";

/** TLS settings of a node: its certificate and key, and the CA that signs every node's certificate. */
export interface WireTls {
  /** PEM certificate chain of this node. */
  readonly cert: string | Buffer;
  /** PEM private key of this node. */
  readonly key: string | Buffer;
  /** PEM certificate(s) of the cluster CA; peers must present a certificate it signed. */
  readonly ca: string | Buffer;
  /** Name to check the server's certificate against when dialing. Default: the host, or "localhost". */
  readonly servername?: string;
}

/** A TCP or Unix-socket address. */
export type WireAddress =
  | { readonly host: string; readonly port: number; readonly path?: undefined }
  | { readonly path: string; readonly host?: undefined; readonly port?: undefined };

/** The TLS options both sides use (mutual authentication, TLS ≥ 1.2). */
export function tlsContextOptions(tls: WireTls): SecureContextOptions & {
  requestCert: true;
  rejectUnauthorized: true;
} {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    minVersion: "TLSv1.2",
    requestCert: true,
    rejectUnauthorized: true,
  };
}

/** A printable form of an address ("host:port" or the socket path). */
export function addressText(address: WireAddress): string {
  return address.path !== undefined ? address.path : `${address.host}:${address.port}`;
}

/**
 * Parses an address as written on a command line: `unix:<path>` or a path starting with `/` or
 * `.` is a Unix domain socket; `host:port` (IPv6 as `[::1]:port`) is TCP.
 * @throws TypeError when it is neither (the message quotes it).
 */
export function parseWireAddress(text: string): WireAddress {
  if (text.startsWith("unix:")) {
    const path = text.slice("unix:".length);
    if (path.length > 0) return { path };
  } else if (text.startsWith("/") || text.startsWith(".")) return { path: text };
  else {
    const colon = text.lastIndexOf(":");
    const host = text.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
    const port = Number(text.slice(colon + 1));
    if (colon > 0 && host.length > 0 && Number.isInteger(port) && port >= 0 && port <= 65_535) return { host, port };
  }
  throw new TypeError(`not a wire address: "${text}" (expected host:port, unix:/path or /path)`);
}

/** The canonical text of an address, as {@link parseWireAddress} reads it back (`unix:` prefix for paths). */
export function canonicalAddress(address: WireAddress | string): string {
  const parsed = typeof address === "string" ? parseWireAddress(address) : address;
  if (parsed.path !== undefined) return `unix:${parsed.path}`;
  return parsed.host.includes(":") ? `[${parsed.host}]:${parsed.port}` : `${parsed.host}:${parsed.port}`;
}
