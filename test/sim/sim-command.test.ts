import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

// Compiled, this file is <out>/test/sim/sim-command.test.js and the CLI is <out>/src/cli/main.js.
const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

function chorus(...args: string[]): { status: number | null; lines: string[]; stderr: string } {
  const result = spawnSync(process.execPath, [main, ...args], { encoding: "utf8", timeout: 10_000 });
  return { status: result.status, lines: result.stdout.split("\n").filter((l) => l !== ""), stderr: result.stderr };
}

test("chorus sim with a failing seed prints SEED first, the report and the replay command, and exits 1", () => {
  const { status, lines, stderr } = chorus("sim", "naive-two-peer", "--seed", "7");
  assert.equal(status, 1, stderr);
  assert.equal(lines[0], "SEED=7");
  assert.equal(lines[1], "scenario=naive-two-peer");
  assert.match(lines[2]!, /^options=\{"slots":\d/);
  assert.ok(lines.includes("FAILED: every request is acknowledged (heal phase, at 5300.000 ms)"));
  assert.equal(lines.at(-1), "replay: npx chorus sim naive-two-peer --seed 7");
});

test("chorus sim replays a seed with the same trace hash", () => {
  const hashOf = (lines: string[]) => lines.find((l) => l.includes(" trace "))?.split(" trace ")[1];
  const first = chorus("sim", "naive-two-peer", "--seed", "7");
  const second = chorus("sim", "naive-two-peer", "--seed", "7");
  assert.match(hashOf(first.lines) ?? "", /^[0-9a-f]{16}$/);
  assert.equal(hashOf(second.lines), hashOf(first.lines));
});

test("chorus sim with a passing seed exits 0", () => {
  const { status, lines, stderr } = chorus("sim", "naive-two-peer", "--seed", "3");
  assert.equal(status, 0, stderr);
  assert.equal(lines[0], "SEED=3");
  assert.match(lines.at(-1)!, /^naive-two-peer seed 3: ok; /);
});

test("chorus sim --seeds sweeps, reports the first failing seed and with --shrink a smaller plan", () => {
  const { status, lines } = chorus("sim", "naive-two-peer", "--seeds", "20", "--shrink");
  assert.equal(status, 1);
  assert.equal(lines[0], "SEEDS=1..20 scenario=naive-two-peer");
  assert.match(lines[1]!, /^\d+ run\(s\), 1 failure\(s\), /);
  const seed = /^SEED=(\d+)$/.exec(lines[2]!)?.[1];
  assert.ok(seed !== undefined, lines[2]);
  assert.ok(lines.includes(`replay: npx chorus sim naive-two-peer --seed ${seed}`));
  assert.match(lines.at(-2)!, /^shrunk plan \(\d+ runs\): \[.*\]; still fails: every request is acknowledged$/);
  // The last line replays the shrunk plan, not the drawn one.
  const replay = /^replay: npx chorus sim naive-two-peer --seed (\d+) --plan '(.*)'$/.exec(lines.at(-1)!);
  assert.ok(replay !== null, lines.at(-1));
  assert.equal(replay[1], seed);
});

test("chorus sim --plan replays a given plan: the shrunk plan fails again, with its own replay line", () => {
  const swept = chorus("sim", "naive-two-peer", "--seeds", "20", "--shrink");
  const replayLine = swept.lines.at(-1)!;
  const [, seed, plan] = /--seed (\d+) --plan '(.*)'$/.exec(replayLine)!;
  const replayed = chorus("sim", "naive-two-peer", "--seed", seed!, "--plan", plan!);
  assert.equal(replayed.status, 1, replayed.stderr);
  assert.ok(replayed.lines.includes("FAILED: every request is acknowledged (heal phase, at 5300.000 ms)"));
  assert.ok(replayed.lines.includes(`plan=${plan}`));
  assert.equal(replayed.lines.at(-1), replayLine);
  const bad = chorus("sim", "naive-two-peer", "--seed", "1", "--plan", "{not json");
  assert.equal(bad.status, 2);
  assert.match(bad.lines[0]!, /^chorus sim: --plan is not JSON/);
});

test("chorus sim --list lists the scenarios and exits 0", () => {
  const { status, lines } = chorus("sim", "--list");
  assert.equal(status, 0);
  assert.ok(lines.some((line) => line.startsWith("naive-two-peer ")));
});

test("chorus sim with an unknown scenario exits 2 and names the known ones", () => {
  const { status, lines } = chorus("sim", "no-such-scenario", "--seed", "1");
  assert.equal(status, 2);
  assert.match(lines[0]!, /^chorus sim: no scenario "no-such-scenario"; known: .*\bnaive-two-peer\b/);
});
