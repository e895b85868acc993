// Browser end-to-end tests of the chat: the real chat server on port 0 with a temporary data
// dir, its bundled UI, and chromium pages at desktop and phone widths. Screenshots go to
// test-artifacts/chat-e2e-*.png.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test, type TestContext } from "node:test";
import type { Browser } from "playwright-core";
import { io, type Socket } from "socket.io-client";
import { startChat } from "../../examples/chat/server/chat-app.js";
import type { ChatLimits } from "../../examples/chat/server/limits.js";
import {
  artifactsDir,
  chromiumPath,
  ensureUiBuilt,
  launchChromium,
  login,
  messageRow,
  missingChromium,
  openPage,
  recordStatuses,
  send,
  shownIds,
  statusesOf,
  stepTimeoutMs,
  waitForStatus,
} from "./chat-browser.js";

/** Skips loudly when Debian's chromium is not installed; true when the test can run. */
function haveChromium(t: TestContext): boolean {
  if (existsSync(chromiumPath)) return true;
  console.error(`\n!!! ${missingChromium} !!!\n`);
  t.skip(missingChromium);
  return false;
}

// One chromium for all the tests here (each page gets its own context); none when it is missing.
let browser: Browser | undefined;
before(async () => {
  if (!existsSync(chromiumPath)) return;
  ensureUiBuilt();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** A chat server with a temp data dir and the shared browser; `close()` tears it down. */
async function setUp(limits: Partial<ChatLimits> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "chorus-chat-e2e-"));
  const world = {
    dataDir,
    server: await startChat({ port: 0, host: "127.0.0.1", dataDir, log: () => {}, limits }),
    browser: browser!,
    async close() {
      for (const context of world.browser.contexts()) await context.close();
      await world.server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}

test(
  "two browsers chat in a room: presence, typing, pending → delivered, escaping, history after reload",
  { timeout: 60_000 },
  async (t) => {
    if (!haveChromium(t)) return;
    const world = await setUp();
    const shots = artifactsDir();
    const errors: string[] = [];
    try {
      const url = world.server.url;
      const ana = await openPage(world.browser, "ana", { width: 1280, height: 800, colorScheme: "light" }, errors);
      const bo = await openPage(world.browser, "bo", { width: 375, height: 740, colorScheme: "dark" }, errors);

      await ana.goto(url);
      await ana.locator("#nickname").fill("not valid!");
      await ana.locator("#nickname").press("Enter");
      await ana.locator("#login-error", { hasText: "letters, digits" }).waitFor();
      await ana.screenshot({ path: join(shots, "chat-e2e-login.png") });

      await login(ana, url, "ana");
      await login(bo, url, "bo");
      const twin = await openPage(world.browser, "twin", { width: 800, height: 600, colorScheme: "light" }, errors);
      await twin.goto(url);
      await twin.locator("#nickname").fill("ana");
      await twin.locator("#nickname").press("Enter");
      await twin.locator("#login-error", { hasText: "already in use in #general" }).waitFor();
      await twin.close();
      assert.match((await ana.locator("#status").getAttribute("data-transport")) ?? "", /^(websocket|polling)$/);

      // ana creates a room; bo finds it in the room list (with its member count) and joins it.
      await ana.locator("#room-input").fill("e2e-room");
      await ana.locator("#room-input").press("Enter");
      await ana.locator("#room-title", { hasText: "#e2e-room" }).waitFor();
      await bo.locator("#show-rooms").click();
      const listed = bo.locator('#all-rooms [data-room="e2e-room"]');
      await listed.locator(".room-count", { hasText: "1" }).waitFor();
      await listed.click();
      await bo.locator("#room-title", { hasText: "#e2e-room" }).waitFor();

      // Presence and the join notice.
      await ana.locator('#member-list [data-nickname="bo"]').waitFor({ state: "attached" });
      await bo.locator('#member-list [data-nickname="ana"]').waitFor({ state: "attached" });
      await ana.locator("#message-list .notice", { hasText: "bo joined" }).waitFor();
      await bo.locator("#toggle-members").click();
      await bo.locator('#member-list [data-nickname="ana"]').waitFor();
      await bo.screenshot({ path: join(shots, "chat-e2e-mobile-members.png") });
      await bo.locator("#close-members").click();
      await bo.locator("#member-list").waitFor({ state: "hidden" });

      // Typing indicator.
      await bo.locator("#message-input").pressSequentially("hel");
      await ana.locator("#typing", { hasText: "bo is typing…" }).waitFor();

      // ana's message goes pending → delivered; bo receives it.
      await recordStatuses(ana);
      await send(ana, "Hello bo, welcome to the room");
      const sent = messageRow(ana, "Hello bo, welcome to the room");
      await sent.and(ana.locator('[data-status="delivered"]')).waitFor();
      const statuses = await statusesOf(ana, sent);
      assert.deepEqual([statuses[0], statuses.at(-1)], ["pending", "delivered"], `statuses seen: ${statuses}`);
      await messageRow(bo, "Hello bo, welcome to the room").waitFor();

      // bo answers; ana receives it and bo's typing indicator goes away.
      await send(bo, "Hi ana! Glad to be here.");
      await messageRow(ana, "Hi ana! Glad to be here.").waitFor();
      await ana
        .locator("#typing", { hasText: "bo is typing" })
        .waitFor({ state: "detached" })
        .catch(() => {});
      assert.equal(await ana.locator("#typing").textContent(), "");

      // Markup in a message is shown as text, never parsed.
      const markup = `<img src=x onerror="window.__xss=1"> <b>not bold</b>`;
      await send(ana, markup);
      await messageRow(bo, "not bold").waitFor();
      assert.equal(await messageRow(bo, "not bold").locator(".msg-text").textContent(), markup);
      assert.equal(await bo.locator("#message-list img, #message-list b").count(), 0);
      assert.equal(await bo.evaluate("window.__xss"), undefined);
      assert.equal(await ana.evaluate("window.__xss"), undefined);

      await ana.screenshot({ path: join(shots, "chat-e2e-desktop.png") });
      await bo.screenshot({ path: join(shots, "chat-e2e-mobile.png") });

      // bo reloads: the session rejoins the room at once (the tab's sessionKey takes the nickname
      // over from the previous page's connection) and the history is there, once each.
      const reloadStartedMs = Date.now();
      await bo.reload();
      await waitForStatus(bo, "connected");
      await bo.locator("#room-title", { hasText: "#e2e-room" }).waitFor();
      t.diagnostic(`reload to rejoined: ${Date.now() - reloadStartedMs} ms`);
      assert.equal(await bo.locator("#room-error").textContent(), "", "no nickname_taken on the way back");
      assert.equal(await bo.locator("#message-input").getAttribute("placeholder"), "Message #e2e-room");
      for (const text of ["Hello bo, welcome to the room", "Hi ana! Glad to be here.", "not bold"]) {
        await messageRow(bo, text).waitFor();
        assert.equal(await messageRow(bo, text).count(), 1, `"${text}" shown once after reload`);
      }
      await bo.screenshot({ path: join(shots, "chat-e2e-mobile-reloaded.png") });
      await bo.locator("#show-rooms").click();
      await bo.screenshot({ path: join(shots, "chat-e2e-mobile-rooms.png") });

      // bo duplicates the tab (sessionStorage, the key with it, is copied): the copy takes bo's
      // nickname over in both rooms at once, and the original is told and drops them.
      const saved = (await bo.evaluate("JSON.stringify(sessionStorage)")) as string;
      const copy = await bo.context().newPage();
      copy.setDefaultTimeout(stepTimeoutMs);
      copy.on("pageerror", (error) => errors.push(`bo's copy: ${error.message}`));
      await copy.addInitScript(`for (const [k, v] of Object.entries(${saved})) sessionStorage.setItem(k, v);`);
      await copy.goto(url);
      await waitForStatus(copy, "connected");
      await copy.locator("#room-title", { hasText: "#e2e-room" }).waitFor();
      await bo.locator("#room-error", { hasText: "in another tab" }).waitFor();
      assert.equal(await bo.locator("#joined-rooms [data-room]").count(), 0);
      await send(copy, "from the copy");
      await messageRow(ana, "from the copy").waitFor();
      assert.equal(await messageRow(bo, "from the copy").count(), 0);

      assert.deepEqual(errors, []);
    } finally {
      await world.close();
    }
  },
);

test(
  "after a server restart the page reconnects by itself, fills the gap once and sends what was typed offline",
  { timeout: 60_000 },
  async (t) => {
    if (!haveChromium(t)) return;
    const world = await setUp();
    const shots = artifactsDir();
    const errors: string[] = [];
    let cy: Socket | undefined;
    try {
      const { port, url } = world.server;
      const offline = /ERR_CONNECTION_REFUSED|WebSocket connection|Failed to load resource/;
      const ana = await openPage(
        world.browser,
        "ana",
        { width: 900, height: 700, colorScheme: "light", allowConsole: offline },
        errors,
      );
      await login(ana, url, "ana");
      await send(ana, "before the restart");
      await messageRow(ana, "before the restart").and(ana.locator('[data-status="delivered"]')).waitFor();

      // The server restarts while ana's network is down, and cy posts before ana can be back:
      // ana must fill that gap with sinceId when she reconnects.
      await world.server.close();
      await waitForStatus(ana, "reconnecting");
      await ana.context().setOffline(true);
      await waitForStatus(ana, "offline");
      await send(ana, "typed while offline");
      await messageRow(ana, "typed while offline").and(ana.locator('[data-status="pending"]')).waitFor();
      await ana.screenshot({ path: join(shots, "chat-e2e-offline.png") });

      world.server = await startChat({ port, host: "127.0.0.1", dataDir: world.dataDir, log: () => {} });
      cy = io(url, { auth: { nickname: "cy" }, transports: ["websocket"], reconnection: false });
      const joined = await cy.timeout(5_000).emitWithAck("room:join", { room: "general" });
      assert.equal(joined.ok, true, JSON.stringify(joined));
      const posted = await cy
        .timeout(5_000)
        .emitWithAck("message:send", { room: "general", text: "sent during the gap", clientId: "cy-1" });
      assert.equal(posted.ok, true, JSON.stringify(posted));
      assert.equal(await messageRow(ana, "sent during the gap").count(), 0);
      await ana.context().setOffline(false);

      await waitForStatus(ana, "connected", 15_000);
      await messageRow(ana, "sent during the gap").waitFor();
      await messageRow(ana, "typed while offline").and(ana.locator('[data-status="delivered"]')).waitFor();
      for (const text of ["before the restart", "typed while offline", "sent during the gap"]) {
        assert.equal(await messageRow(ana, text).count(), 1, `"${text}" shown once`);
      }
      const ids = await shownIds(ana);
      assert.deepEqual(
        ids,
        [...new Set(ids)].sort((a, b) => a - b),
        "ids shown once each, in order",
      );
      await ana.screenshot({ path: join(shots, "chat-e2e-reconnected.png") });
      assert.deepEqual(errors, []);
    } finally {
      cy?.close();
      await world.close();
    }
  },
);

test(
  "scrolling up loads older history page by page, keeping the place, down to the start of the room",
  { timeout: 60_000 },
  async (t) => {
    if (!haveChromium(t)) return;
    const seeded = 120;
    const world = await setUp({ rateBurstMessages: seeded });
    const errors: string[] = [];
    const cy = io(world.server.url, { auth: { nickname: "cy" }, transports: ["websocket"], reconnection: false });
    try {
      assert.equal((await cy.timeout(5_000).emitWithAck("room:join", { room: "general" })).ok, true);
      const acks = await Promise.all(
        Array.from({ length: seeded }, (_, i) =>
          cy
            .timeout(10_000)
            .emitWithAck("message:send", { room: "general", text: `seed ${i + 1}`, clientId: `seed-${i}` }),
        ),
      );
      assert.deepEqual(
        acks.filter((ack) => !ack.ok),
        [],
      );
      const ana = await openPage(world.browser, "ana", { width: 1280, height: 800, colorScheme: "dark" }, errors);
      await login(ana, world.server.url, "ana");
      const rows = ana.locator("#message-list li.msg[data-id]");
      const scroller = ana.locator("#messages");
      await messageRow(ana, `seed ${seeded}`).waitFor();
      assert.equal(await rows.count(), 50);

      for (const expected of [100, seeded]) {
        await scroller.evaluate((node: { scrollTop: number }) => (node.scrollTop = 0));
        await ana.waitForFunction(`document.querySelectorAll("#message-list li.msg[data-id]").length === ${expected}`);
        const scrollTop = await scroller.evaluate((node: { scrollTop: number }) => node.scrollTop);
        assert.ok(scrollTop > 200, `the messages in view stay in view (scrollTop ${scrollTop})`);
      }
      await ana.locator("#history-start", { hasText: "This is the start of #general." }).waitFor({ state: "attached" });
      const ids = await shownIds(ana);
      assert.equal(ids.length, seeded);
      assert.deepEqual(
        ids,
        [...new Set(ids)].sort((a, b) => a - b),
        "ids shown once each, in order",
      );
      assert.equal(await rows.first().locator(".msg-text").textContent(), "seed 1");
      await ana.screenshot({ path: join(artifactsDir(), "chat-e2e-desktop-dark.png") });
      assert.deepEqual(errors, []);
    } finally {
      cy.close();
      await world.close();
    }
  },
);

test(
  "a rate-limited message shows the error and is delivered by Retry with the same clientId; too long is refused locally",
  { timeout: 60_000 },
  async (t) => {
    if (!haveChromium(t)) return;
    const world = await setUp({ rateBurstMessages: 2, rateRefillPerSecond: 2 });
    const errors: string[] = [];
    try {
      const ana = await openPage(world.browser, "ana", { width: 375, height: 740, colorScheme: "light" }, errors);
      await login(ana, world.server.url, "ana");
      for (const text of ["one", "two", "three"]) await send(ana, text);
      const third = messageRow(ana, "three");
      await third.and(ana.locator('[data-status="failed"]')).waitFor();
      assert.match((await third.locator(".msg-status-text").textContent()) ?? "", /sending too fast/);
      const key = await third.getAttribute("data-key");
      await ana.screenshot({ path: join(artifactsDir(), "chat-e2e-mobile-failed.png") });

      await ana.waitForTimeout(600); // the bucket refills one message per 500 ms
      await third.getByRole("button", { name: "Retry" }).click();
      await third.and(ana.locator('[data-status="delivered"]')).waitFor();
      assert.equal(await third.getAttribute("data-key"), key, "the retry kept the clientId");
      assert.equal(await messageRow(ana, "three").count(), 1);

      await ana.locator("#message-input").fill("x".repeat(2_001));
      await ana.locator("#message-input").press("Enter");
      await ana.locator("#composer-error", { hasText: "at most 2,000 characters" }).waitFor();
      assert.equal(await ana.locator("#message-list li.msg").count(), 3);
      assert.deepEqual(errors, []);
    } finally {
      await world.close();
    }
  },
);
