import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

interface Running {
  readonly child: ChildProcess;
  /** Resolves with the first match of `pattern` in stderr (so far or later); rejects after 10 s. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

function chorus(...args: string[]): Running {
  const child = spawn(process.execPath, [main, "serve", "--status-interval", "60000", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let text = "";
  const waiters: Array<() => void> = [];
  child.stderr!.on("data", (chunk: Buffer) => {
    text += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitFor = (pattern: RegExp): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${text}`)), 10_000);
      const check = (): void => {
        const match = text.match(pattern);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match);
        } else waiters.push(check);
      };
      check();
    });
  return { child, waitFor, exited, stderr: () => text };
}

test("two chorus serve processes join over the wire, exchange actor messages, see each other go, and stop on SIGTERM", async () => {
  const listener = chorus("--listen", "127.0.0.1:0");
  let joiner: Running | null = null;
  try {
    const [, address] = await listener.waitFor(/wire listening on (\S+)/);
    joiner = chorus("--join", address!, "--demo");
    const [, text] = await joiner.waitFor(/demo: \S+ echoed "(hello from \w+)"; our ref came back near/);
    await listener.waitFor(new RegExp(`echo: received "${text}"`));
    await listener.waitFor(/peer \w+ \(main\) up/);
    await joiner.waitFor(/joined node \w+ \(main\) at \S+: \d+ actors, 1 peer\(s\)/);

    listener.child.kill("SIGTERM");
    assert.equal(await listener.exited, 0, listener.stderr());
    await joiner.waitFor(/demo: the echo actor at \S+ is down \(noconnection\)/);
    joiner.child.kill("SIGTERM");
    assert.equal(await joiner.exited, 0, joiner.stderr());
    assert.match(joiner.stderr(), /SIGTERM, shutting down/);
  } finally {
    listener.child.kill("SIGKILL");
    joiner?.child.kill("SIGKILL");
  }
});

test("chorus serve --join exits 1 with a clear message when nothing listens at the address", async () => {
  const joiner = chorus("--join", "127.0.0.1:1");
  assert.equal(await joiner.exited, 1);
  assert.match(joiner.stderr(), /chorus serve: cannot connect to 127\.0\.0\.1:1/);
});
