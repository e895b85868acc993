// Helpers for the chat's browser end-to-end tests: Debian's chromium driven by playwright-core
// (never a browser download), the UI build, and the page steps the tests repeat.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";

/** Where Debian's chromium package installs the browser. */
export const chromiumPath = "/usr/bin/chromium";
/** What the tests say (loudly) and skip with when chromium is missing. */
export const missingChromium = "chromium not found: install it with `apt-get install -y chromium`";
/** Longest wait for any one step (a page load, a message arriving), in ms. */
export const stepTimeoutMs = 5_000;

const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

const here = dirname(fileURLToPath(import.meta.url));

/** The checkout root: the nearest folder up from this file holding scripts/build-chat-ui.js. */
function repoRoot(): string {
  for (let dir = here; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "scripts/build-chat-ui.js"))) return dir;
  }
  throw new Error(`no scripts/build-chat-ui.js above ${here}`);
}

/** `test-artifacts/` at the checkout root (git-ignored), created if missing. */
export function artifactsDir(): string {
  const dir = join(repoRoot(), "test-artifacts");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Builds the UI beside the compiled server if the build has not (the server serves ../public/). */
export function ensureUiBuilt(): void {
  const publicDir = fileURLToPath(new URL("../../examples/chat/public/", import.meta.url));
  if (existsSync(join(publicDir, "app.js"))) return;
  const built = spawnSync(process.execPath, [join(repoRoot(), "scripts/build-chat-ui.js"), "--outdir", publicDir], {
    encoding: "utf8",
  });
  assert.equal(built.status, 0, `building the chat UI failed:\n${built.stdout}${built.stderr}`);
}

/** Starts chromium headless; `launch()` gives every run a fresh temporary user-data dir. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true, timeout: 15_000 });
}

/** Options of {@link openPage}. */
export interface PageOptions {
  width: number;
  height: number;
  colorScheme: "light" | "dark";
  /** Console errors matching this are expected (e.g. refused connections while the server is down). */
  allowConsole?: RegExp;
}

/**
 * Opens a page in its own context (own storage) with a step timeout, recording into `errors`
 * every uncaught exception and console error it logs, tagged with `name`.
 */
export async function openPage(browser: Browser, name: string, options: PageOptions, errors: string[]): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: options.width, height: options.height },
    colorScheme: options.colorScheme,
    hasTouch: options.width < 600,
    reducedMotion: "reduce",
  });
  const page = await context.newPage();
  page.setDefaultTimeout(stepTimeoutMs);
  page.on("pageerror", (error) => errors.push(`${name}: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error" || options.allowConsole?.test(message.text())) return;
    errors.push(`${name} console: ${message.text()}`);
  });
  return page;
}

/** Opens the chat, picks `nickname`, and waits until connected and in #general. */
export async function login(page: Page, url: string, nickname: string): Promise<void> {
  await page.goto(url);
  await page.locator("#nickname").fill(nickname);
  await page.locator("#nickname").press("Enter");
  await waitForStatus(page, "connected");
  await page.locator("#room-title", { hasText: "#general" }).waitFor();
}

/** Waits for the status pill (hidden on phones, where a dot shows it) to show `state`. */
export async function waitForStatus(page: Page, state: string, timeoutMs = stepTimeoutMs): Promise<void> {
  await page.locator(`#status[data-state="${state}"]`).waitFor({ state: "attached", timeout: timeoutMs });
}

/** The message row(s) whose text contains `text`. */
export function messageRow(page: Page, text: string): Locator {
  return page.locator("#message-list li.msg").filter({ has: page.locator(".msg-text", { hasText: text }) });
}

/** Types `text` in the composer and presses Enter. */
export async function send(page: Page, text: string): Promise<void> {
  await page.locator("#message-input").fill(text);
  await page.locator("#message-input").press("Enter");
}

/** Starts recording every `data-status` each message row shows (read with {@link statusesOf}). */
export async function recordStatuses(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const seen = (window.__statuses = {});
    const note = (node) => {
      if (node.dataset && node.dataset.key && node.dataset.status) (seen[node.dataset.key] ??= []).push(node.dataset.status);
    };
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === "attributes") note(record.target);
        else record.addedNodes.forEach(note);
      }
    }).observe(document.getElementById("message-list"), {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["data-status"],
    });
  })()`);
}

/** The statuses a row has shown since {@link recordStatuses}, in order. */
export async function statusesOf(page: Page, row: Locator): Promise<string[]> {
  const key = await row.getAttribute("data-key");
  return ((await page.evaluate(`window.__statuses[${JSON.stringify(key)}]`)) as string[] | undefined) ?? [];
}

/** The ids of every stored message shown, in page order. */
export async function shownIds(page: Page): Promise<number[]> {
  return page
    .locator("#message-list li.msg[data-id]")
    .evaluateAll((rows: Array<{ dataset: { id?: string } }>) => rows.map((row) => Number(row.dataset.id)));
}
