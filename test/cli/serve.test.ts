import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { serve } from "../../src/cli/serve.js";

test("serve starts a supervised node with worker loops, prints status, and stops cleanly", async () => {
  const lines: string[] = [];
  const handle = await serve({ workers: 1, statusIntervalMs: 100, print: (line) => lines.push(line) });
  await new Promise((resolve) => handle.node.loop.reactor.setTimer(350, () => resolve(null)));
  assert.match(lines[0] ?? "", /node up .* 1 worker loop/);
  assert.ok(lines.filter((l) => l.startsWith("status: up")).length >= 2, lines.join("\n"));
  const children = await handle.node.root.ask("whichChildren");
  assert.deepEqual(
    children.map((c) => c.id),
    ["status"],
  );
  await handle.stop();
  assert.equal(handle.node.loop.actorCount, 0);
  await handle.workers[0]?.exited;
});

test("serve refuses a negative worker count with a RangeError", async () => {
  await assert.rejects(serve({ workers: -1, statusIntervalMs: 1000, print: () => {} }), RangeError);
});

test("the chorus CLI exits 0 after a graceful shutdown on SIGTERM", async () => {
  const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
  const child = spawn(process.execPath, [main, "serve", "--workers", "1", "--status-interval", "200"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  let signalled = false;
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!signalled && stderr.includes("status: up")) {
      signalled = true;
      child.kill("SIGTERM");
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /SIGTERM, shutting down/);
});
