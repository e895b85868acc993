/**
 * Interop with Chromium's own WebSocket (Debian's `/usr/bin/chromium` through playwright-core) as
 * the client of Chorus's server-side WebSocket, over TCP on 127.0.0.1: the handshake, masked
 * frames of every length encoding both ways, binary messages, the payload limit's close code and
 * reason as the browser reports them, and the closing handshake from both sides. Skips loudly
 * when chromium is missing.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, test, type TestContext } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { EngineIoSocket } from "../../../src/edge/engine-io/engine-io-socket.js";
import { chromiumPath, launchChromium, missingChromium } from "../../chat-e2e/chat-browser.js";
import { type TestServer, startServer } from "../engine-io/server-harness.js";

let browser: Browser | undefined;
before(async () => {
  if (existsSync(chromiumPath)) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

function haveChromium(t: TestContext): boolean {
  if (browser !== undefined) return true;
  console.error(`\n!!! ${missingChromium} !!!\n`);
  t.skip(missingChromium);
  return false;
}

/** An Engine.IO server (WebSocket only) whose sessions echo every message back. */
async function echoServer(payloadBytesMax?: number) {
  const server = await startServer({ transports: ["websocket"], ...(payloadBytesMax ? { payloadBytesMax } : {}) });
  const sessions: EngineIoSocket[] = [];
  server.engine.onConnection((socket) => {
    sessions.push(socket);
    socket.on("message", (data) => socket.send(data));
  });
  return { server, sessions };
}

/** The browser's WebSocket, as far as these tests use it (the compile has no DOM types). */
interface BrowserSocket {
  binaryType: string;
  onmessage: (event: { data: unknown }) => void;
  onclose: (event: { code: number; reason: string; wasClean: boolean }) => void;
  send(data: unknown): void;
  close(code?: number, reason?: string): void;
}

/** What `blankPage` leaves on the page's global object. */
interface PageGlobals {
  WebSocket: new (url: string) => BrowserSocket;
  ws: BrowserSocket;
  next(): Promise<unknown>;
}

/** A page of the server's origin holding one socket to the server, whose events are queued for {@link next}. */
async function blankPage(server: TestServer): Promise<Page> {
  const page = await browser!.newPage();
  // A page of the server's own origin (here its 400 answer to a bare GET): Chromium refuses a
  // loopback WebSocket from about:blank (local network access checks).
  await page.goto(`${server.origin}/engine.io/`);
  await page.evaluate(
    (url) => {
      const g = globalThis as unknown as PageGlobals;
      const events: unknown[] = [];
      const waiting: Array<(event: unknown) => void> = [];
      const push = (event: unknown) => (waiting.length > 0 ? waiting.shift()!(event) : events.push(event));
      const ws = new g.WebSocket(url);
      ws.binaryType = "arraybuffer";
      ws.onmessage = (e) =>
        push(
          typeof e.data === "string" ? { text: e.data } : { bytes: Array.from(new Uint8Array(e.data as ArrayBuffer)) },
        );
      ws.onclose = (e) => push({ close: e.code, reason: e.reason, clean: e.wasClean });
      g.ws = ws;
      g.next = () => (events.length > 0 ? Promise.resolve(events.shift()) : new Promise((r) => waiting.push(r)));
    },
    `${server.origin.replace("http", "ws")}/engine.io/?EIO=4&transport=websocket`,
  );
  return page;
}

/** The page socket's next event: `{ text }`, `{ bytes }` or `{ close, reason, clean }`. */
const next = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobals).next());

test("chromium's WebSocket opens a session and text of 1, 125, 126, 65,535 and 65,536+ bytes round-trips", async (t) => {
  if (!haveChromium(t)) return;
  const { server } = await echoServer();
  try {
    const page = await blankPage(server);
    const open = (await next(page)) as { text: string };
    assert.match(open.text, /^0\{"sid":/);
    for (const length of [1, 125, 126, 65_535, 65_536, 300_000]) {
      const text = "é".repeat(Math.floor(length / 2)) + "x".repeat(length % 2); // `length` bytes of UTF-8
      await page.evaluate((body) => (globalThis as unknown as PageGlobals).ws.send("4" + body), text);
      assert.deepEqual(await next(page), { text: "4" + text }, `${length} bytes`);
    }
    await page.close();
  } finally {
    await server.close();
  }
});

test("chromium's binary messages arrive as binary and come back byte for byte", async (t) => {
  if (!haveChromium(t)) return;
  const { server } = await echoServer();
  try {
    const page = await blankPage(server);
    await next(page);
    const bytes = Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff);
    await page.evaluate((b) => (globalThis as unknown as PageGlobals).ws.send(new Uint8Array(b)), bytes);
    assert.deepEqual(await next(page), { bytes });
    await page.close();
  } finally {
    await server.close();
  }
});

test("chromium sees close 1009 with the reason 'payload too large' for a message over payloadBytesMax", async (t) => {
  if (!haveChromium(t)) return;
  const { server } = await echoServer(1_000);
  try {
    const page = await blankPage(server);
    await next(page);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).ws.send("4" + "x".repeat(2_000)));
    assert.deepEqual(await next(page), { close: 1009, reason: "payload too large", clean: true });
    await page.close();
  } finally {
    await server.close();
  }
});

test("the closing handshake works both ways with chromium: its close(4000) is echoed, the server's close is clean", async (t) => {
  if (!haveChromium(t)) return;
  const { server, sessions } = await echoServer();
  try {
    const page = await blankPage(server);
    await next(page);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).ws.close(4000, "done"));
    assert.deepEqual(await next(page), { close: 4000, reason: "", clean: true });

    const second = await blankPage(server);
    await next(second);
    sessions.at(-1)!.close();
    const closed = (await next(second)) as { close: number; clean: boolean };
    assert.equal(closed.clean, true, "a clean close: close frames exchanged");
    assert.equal(closed.close, 1005, "no status, as the reference server sends");
    await page.close();
    await second.close();
  } finally {
    await server.close();
  }
});
