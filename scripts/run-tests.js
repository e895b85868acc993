#!/usr/bin/env node
// Runs every compiled `*.test.js` under dist/test with Node's built-in test runner.
// Node 20's `node --test <dir>` would also run fixture modules as tests; this picks test files
// only, and passes any extra arguments (e.g. --test-name-pattern) through.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (entry.name.endsWith(".test.js")) found.push(path);
  }
  return found.sort();
}

const files = findTests("dist/test");
if (files.length === 0) {
  console.error("run-tests: no test files under dist/test — did the build run?");
  process.exit(1);
}
// A test that hangs fails after this long instead of stalling the whole run (and CI).
const TEST_TIMEOUT_MS = 120_000;
const args = [
  "--test",
  "--test-reporter=spec",
  `--test-timeout=${TEST_TIMEOUT_MS}`,
  ...process.argv.slice(2),
  ...files,
];
const result = spawnSync(process.execPath, args, {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
