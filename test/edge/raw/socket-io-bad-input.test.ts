/**
 * Bad input at the Socket.IO layer, over a raw WebSocket: binary attachment count mismatches and
 * malformed packets. The reference (`socket.io-parser` under `socket.io`) treats each as a
 * "parse error" and closes the connection; a well-behaved client keeps being served.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { healthyClient, type RawIo, rawWebSocket, serveEcho, startRawIo, waitFor } from "./raw-harness.js";

let server: RawIo;
let healthy: Awaited<ReturnType<typeof healthyClient>>;
const uploads: unknown[][] = [];
const reasons: string[] = [];

before(async () => {
  server = await startRawIo();
  serveEcho(server.io);
  server.io.on("connection", (socket) => {
    socket.on("up", (...args: unknown[]) => uploads.push(args));
    socket.on("disconnect", (reason: string) => reasons.push(reason));
  });
  healthy = await healthyClient(server.origin);
});

after(async () => {
  healthy.close();
  await server.close();
});

/** A raw WebSocket connected to the main namespace (`40` answered). */
async function connected(): Promise<Awaited<ReturnType<typeof rawWebSocket>>> {
  const raw = await rawWebSocket(server.origin);
  raw.ws.send("40");
  await waitFor(() => raw.frames.some((f) => typeof f === "string" && f.startsWith("40")));
  return raw;
}

test("a 51- event followed by two binary frames: the packet is delivered, the extra frame closes with parse error", async () => {
  uploads.length = 0;
  reasons.length = 0;
  const { ws, closed } = await connected();
  ws.send('451-["up",{"_placeholder":true,"num":0}]');
  ws.send(Buffer.from([1]));
  ws.send(Buffer.from([2]));
  const { code } = await closed;
  assert.equal(code, 1005);
  await waitFor(() => reasons.length === 1);
  assert.deepEqual(reasons, ["parse error"]);
  assert.equal(uploads.length, 1);
  assert.deepEqual([...(uploads[0]![0] as Buffer)], [1]);
  await healthy.roundTrip();
});

test("a 52- event followed by one binary frame and then a text packet closes with parse error, delivering nothing", async () => {
  uploads.length = 0;
  reasons.length = 0;
  const { ws, closed } = await connected();
  ws.send('452-["up",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
  ws.send(Buffer.from([1]));
  ws.send('42["up","text"]');
  await closed;
  await waitFor(() => reasons.length === 1);
  assert.deepEqual(reasons, ["parse error"]);
  assert.deepEqual(uploads, []);
  await healthy.roundTrip();
});

test("a binary frame with no packet awaiting attachments closes with parse error", async () => {
  reasons.length = 0;
  const { ws, closed } = await connected();
  ws.send(Buffer.from([9, 9]));
  await closed;
  await waitFor(() => reasons.length === 1);
  assert.deepEqual(reasons, ["parse error"]);
  await healthy.roundTrip();
});

const MALFORMED: ReadonlyArray<readonly [string, string]> = [
  ["truncated JSON", '42["up",'],
  ["an unknown packet type", '49["up"]'],
  ["an event whose payload is not an array", '42{"up":1}'],
  ["a placeholder count that is not a number", '45x-["up"]'],
];

for (const [what, frame] of MALFORMED) {
  test(`${what} (${frame}) closes the connection with parse error`, async () => {
    reasons.length = 0;
    const { ws, closed } = await connected();
    ws.send(frame);
    await closed;
    await waitFor(() => reasons.length === 1);
    assert.deepEqual(reasons, ["parse error"]);
    await healthy.roundTrip();
  });
}
