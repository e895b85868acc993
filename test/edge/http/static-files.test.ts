import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { parseByteRange } from "../../../src/edge/http/byte-range.js";
import { negotiateEncoding } from "../../../src/edge/http/static-files.js";
import { PUBLIC, send, startEdge } from "./http-harness.js";

const APP_JS = readFileSync(join(PUBLIC, "app.js"));
const LOGO = readFileSync(join(PUBLIC, "logo.png"));

test("a static file is served with its content type, length, ETag and Accept-Ranges; / serves index.html", async () => {
  const server = await startEdge({ staticRoot: PUBLIC });
  try {
    const js = await send(server.port, "/app.js");
    assert.equal(js.status, 200);
    assert.equal(js.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(js.headers["content-length"], String(APP_JS.length));
    assert.equal(js.headers["accept-ranges"], "bytes");
    assert.match(js.headers.etag!, /^"[\w-]+"$/);
    assert.deepEqual(js.body, APP_JS);
    const css = await send(server.port, "/css/site.css?v=1");
    assert.equal(css.headers["content-type"], "text/css; charset=utf-8");
    const png = await send(server.port, "/logo.png");
    assert.equal(png.headers["content-type"], "image/png");
    assert.deepEqual(png.body, LOGO);
    const index = await send(server.port, "/");
    assert.equal(index.status, 200);
    assert.equal(index.headers["content-type"], "text/html; charset=utf-8");
    assert.match(index.body.toString(), /<title>Chorus<\/title>/);
    assert.equal((await send(server.port, "/missing.js")).status, 404);
  } finally {
    await server.close();
  }
});

test("HEAD returns the headers of GET without a body", async () => {
  const server = await startEdge({ staticRoot: PUBLIC });
  try {
    const res = await send(server.port, "/app.js", { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-length"], String(APP_JS.length));
    assert.equal(res.body.length, 0);
  } finally {
    await server.close();
  }
});

test("traversal attempts never reach a file outside the root", async () => {
  const server = await startEdge({ staticRoot: PUBLIC });
  try {
    const attempts = [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/..%2Fsecret.txt",
      "/css/..%2F..%2Fsecret.txt",
      "/..%5Csecret.txt",
      "/%2E%2E%2F%2E%2E%2Fpackage.json",
      "/app.js%00.png",
      "/%E0%A4%A",
    ];
    for (const path of attempts) {
      const res = await send(server.port, path);
      assert.ok([400, 403, 404].includes(res.status), `${path} → ${res.status}`);
      assert.doesNotMatch(res.body.toString(), /top secret|"name"/, path);
    }
    assert.equal((await send(server.port, "/..%2Fsecret.txt")).status, 403);
    assert.equal((await send(server.port, "/app.js%00.png")).status, 400);
  } finally {
    await server.close();
  }
});

test("If-None-Match with the current ETag gives 304 without a body; another tag gives 200", async () => {
  const server = await startEdge({ staticRoot: PUBLIC });
  try {
    const first = await send(server.port, "/app.js");
    const etag = first.headers.etag!;
    const again = await send(server.port, "/app.js", { headers: { "if-none-match": `"other", ${etag}` } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, etag);
    const weak = await send(server.port, "/app.js", { headers: { "if-none-match": `W/${etag}` } });
    assert.equal(weak.status, 304);
    const stale = await send(server.port, "/app.js", { headers: { "if-none-match": '"stale"' } });
    assert.equal(stale.status, 200);
  } finally {
    await server.close();
  }
});

test("Range requests: bytes=a-b, a- and -n give 206 with Content-Range; beyond the end gives 416", async () => {
  const server = await startEdge({ staticRoot: PUBLIC });
  const size = APP_JS.length;
  try {
    const mid = await send(server.port, "/app.js", { headers: { range: "bytes=10-19" } });
    assert.equal(mid.status, 206);
    assert.equal(mid.headers["content-range"], `bytes 10-19/${size}`);
    assert.equal(mid.headers["content-length"], "10");
    assert.deepEqual(mid.body, APP_JS.subarray(10, 20));
    const open = await send(server.port, "/app.js", { headers: { range: `bytes=${size - 5}-` } });
    assert.deepEqual(open.body, APP_JS.subarray(size - 5));
    const suffix = await send(server.port, "/app.js", { headers: { range: "bytes=-7", "accept-encoding": "gzip" } });
    assert.equal(suffix.status, 206);
    assert.equal(suffix.headers["content-encoding"], undefined);
    assert.deepEqual(suffix.body, APP_JS.subarray(size - 7));
    const beyond = await send(server.port, "/app.js", { headers: { range: `bytes=${size}-` } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers["content-range"], `bytes */${size}`);
    const multi = await send(server.port, "/app.js", { headers: { range: "bytes=0-1,5-6" } });
    assert.equal(multi.status, 200);
    assert.deepEqual(multi.body, APP_JS);
    const staleIfRange = await send(server.port, "/app.js", { headers: { range: "bytes=0-1", "if-range": '"old"' } });
    assert.equal(staleIfRange.status, 200);
  } finally {
    await server.close();
  }
});

test("gzip and br bodies of compressible files decompress to the file; binaries are not compressed", async () => {
  const server = await startEdge({ staticRoot: PUBLIC });
  try {
    const gz = await send(server.port, "/app.js", { headers: { "accept-encoding": "gzip" } });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers["content-encoding"], "gzip");
    assert.match(gz.headers.vary!, /Accept-Encoding/);
    assert.ok(gz.body.length < APP_JS.length);
    assert.deepEqual(gunzipSync(gz.body), APP_JS);
    const br = await send(server.port, "/app.js", { headers: { "accept-encoding": "gzip, deflate, br" } });
    assert.equal(br.headers["content-encoding"], "br");
    assert.deepEqual(brotliDecompressSync(br.body), APP_JS);
    assert.notEqual(br.headers.etag, gz.headers.etag);
    const png = await send(server.port, "/logo.png", { headers: { "accept-encoding": "gzip, br" } });
    assert.equal(png.headers["content-encoding"], undefined);
    assert.deepEqual(png.body, LOGO);
    const refused = await send(server.port, "/app.js", { headers: { "accept-encoding": "br;q=0, gzip;q=0" } });
    assert.equal(refused.headers["content-encoding"], undefined);
    assert.deepEqual(refused.body, APP_JS);
  } finally {
    await server.close();
  }
});

test("without staticRoot, GET of any other path goes to onUnhandled", async () => {
  const server = await startEdge({
    onUnhandled: (_req, res) => res.writeHead(418).end("teapot"),
  });
  try {
    const res = await send(server.port, "/app.js");
    assert.equal(res.status, 418);
  } finally {
    await server.close();
  }
});

test("parseByteRange and negotiateEncoding edge cases", () => {
  assert.deepEqual(parseByteRange("bytes=0-1000", 10), { type: "range", range: { start: 0, end: 9 } });
  assert.deepEqual(parseByteRange("bytes=-100", 10), { type: "range", range: { start: 0, end: 9 } });
  assert.deepEqual(parseByteRange("bytes=-0", 10), { type: "unsatisfiable" });
  assert.deepEqual(parseByteRange("bytes=0-", 0), { type: "unsatisfiable" });
  assert.deepEqual(parseByteRange("items=0-1", 10), { type: "ignore" });
  assert.deepEqual(parseByteRange("bytes=5-2", 10), { type: "ignore" });
  assert.equal(negotiateEncoding(undefined), null);
  assert.equal(negotiateEncoding("gzip;q=0.8, br;q=0.5"), "gzip");
  assert.equal(negotiateEncoding("*"), "br");
  assert.equal(negotiateEncoding("identity"), null);
});
