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
