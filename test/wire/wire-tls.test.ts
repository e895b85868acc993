import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createNodeReactor } from "../../src/reactor/node/node-reactor.js";
import { dialWire } from "../../src/wire/dial-wire.js";
import type { WireTls } from "../../src/wire/wire-endpoint.js";
import { listenWire } from "../../src/wire/wire-listener.js";

const reactor = createNodeReactor();
const QUIET = { pingIntervalMs: 0, idleMs: 0 };

/** A CA and certificates it signed (for 127.0.0.1), made with openssl in a temporary folder; null without openssl. */
function makeCertificates(): { node: (name: string) => WireTls; rogue: WireTls; cleanup: () => void } | null {
  const dir = mkdtempSync(join(tmpdir(), "chorus-wire-tls-"));
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  try {
    const selfSigned = (prefix: string) =>
      run(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        `/CN=${prefix}`,
        "-keyout",
        `${prefix}.key`,
        "-out",
        `${prefix}.crt`,
      );
    selfSigned("ca");
    selfSigned("rogue-ca");
    writeFileSync(join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    const signed = (name: string, caName: string) => {
      run(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        `/CN=${name}`,
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
      );
      run(
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        `${caName}.crt`,
        "-CAkey",
        `${caName}.key`,
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        `${name}.crt`,
      );
    };
    signed("server", "ca");
    signed("client", "ca");
    signed("rogue", "rogue-ca");
    const read = (file: string) => readFileSync(join(dir, file));
    const ca = read("ca.crt");
    return {
      node: (name) => ({ cert: read(`${name}.crt`), key: read(`${name}.key`), ca, servername: "localhost" }),
      rogue: { cert: read("rogue.crt"), key: read("rogue.key"), ca, servername: "localhost" },
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

test("TLS with mutual authentication: a node with a CA-signed certificate connects, a stranger does not", async (t) => {
  const certificates = makeCertificates();
  if (certificates === null) return t.skip("openssl is not available");
  const listener = await listenWire(
    reactor,
    { host: "127.0.0.1", port: 0, tls: certificates.node("server"), connection: QUIET },
    (connection) => {
      connection.onMessage = () => {};
    },
  );
  try {
    const client = await dialWire(reactor, {
      host: "127.0.0.1",
      port: listener.port!,
      tls: certificates.node("client"),
      connection: QUIET,
    });
    await client.send("over TLS");
    client.close();
    const stranger = dialWire(reactor, {
      host: "127.0.0.1",
      port: listener.port!,
      tls: certificates.rogue,
      connection: { ...QUIET, helloTimeoutMs: 2_000 },
    }).then((connection) => connection.send("let me in", { timeoutMs: 2_000 }));
    await assert.rejects(stranger);
  } finally {
    await listener.close();
    certificates.cleanup();
  }
});
