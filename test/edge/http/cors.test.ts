import assert from "node:assert/strict";
import { test } from "node:test";
import { send, startEdge } from "./http-harness.js";

const ALLOWED = "https://chat.example.com";

test("an allow-listed Origin gets Access-Control-Allow-Origin; another gets no CORS header", async () => {
  const server = await startEdge({ corsOrigins: [ALLOWED] });
  try {
    const allowed = await send(server.port, "/healthz", { headers: { origin: ALLOWED } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers["access-control-allow-origin"], ALLOWED);
    assert.match(allowed.headers.vary!, /Origin/);
    const refused = await send(server.port, "/healthz", { headers: { origin: "https://evil.example" } });
    assert.equal(refused.status, 200);
    assert.equal(refused.headers["access-control-allow-origin"], undefined);
    const none = await send(server.port, "/healthz");
    assert.equal(none.headers["access-control-allow-origin"], undefined);
  } finally {
    await server.close();
  }
});

test("no origin is allowed by default (no wildcard)", async () => {
  const server = await startEdge();
  try {
    const res = await send(server.port, "/healthz", { headers: { origin: ALLOWED } });
    assert.equal(res.headers["access-control-allow-origin"], undefined);
  } finally {
    await server.close();
  }
});

test("a preflight from an allowed origin gets 204 with methods and headers; others get 403 without CORS headers", async () => {
  const server = await startEdge({ corsOrigins: [ALLOWED], corsHeaders: ["content-type", "x-token"] });
  const preflight = (origin: string) =>
    send(server.port, "/api/messages", {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "x-token" },
    });
  try {
    const ok = await preflight(ALLOWED);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers["access-control-allow-origin"], ALLOWED);
    assert.match(ok.headers["access-control-allow-methods"]!, /POST/);
    assert.equal(ok.headers["access-control-allow-headers"], "content-type, x-token");
    assert.equal(ok.headers["access-control-max-age"], "600");
    const refused = await preflight("https://evil.example");
    assert.equal(refused.status, 403);
    assert.equal(refused.headers["access-control-allow-origin"], undefined);
    assert.equal(refused.headers["access-control-allow-methods"], undefined);
  } finally {
    await server.close();
  }
});
