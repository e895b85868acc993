import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { WIRE_CLOSE_NORMAL, WIRE_ERRORS, WireError, wireErrorEntry } from "../../src/wire/errors.js";

test("every wire error code has its own close code in 4001–4099", () => {
  const codes = new Set(WIRE_ERRORS.map((row) => row.code));
  const closeCodes = new Set(WIRE_ERRORS.map((row) => row.closeCode));
  assert.equal(codes.size, WIRE_ERRORS.length);
  assert.equal(closeCodes.size, WIRE_ERRORS.length);
  for (const row of WIRE_ERRORS) assert.ok(row.closeCode >= 4001 && row.closeCode <= 4099, row.code);
  assert.ok(!closeCodes.has(WIRE_CLOSE_NORMAL));
});

test("the error table is frozen data", () => {
  assert.ok(Object.isFrozen(WIRE_ERRORS));
  assert.ok(WIRE_ERRORS.every((row) => Object.isFrozen(row)));
});

test("a WireError carries its code, close code, message and cause", () => {
  const cause = new Error("inner");
  const error = new WireError("bad_magic", undefined, { cause });
  assert.equal(error.name, "WireError");
  assert.equal(error.code, "bad_magic");
  assert.equal(error.closeCode, 4001);
  assert.equal(error.message, wireErrorEntry("bad_magic").description);
  assert.equal(error.cause, cause);
  assert.ok(error instanceof Error);
});

test("looking up an unknown code is a RangeError", () => {
  assert.throws(() => wireErrorEntry("nope" as never), RangeError);
});

test("docs/wire-protocol.md lists every error code with its close code", () => {
  const doc = readFileSync(join(repoRoot(), "docs", "wire-protocol.md"), "utf8");
  for (const row of WIRE_ERRORS) {
    const line = doc.split("\n").find((text) => text.startsWith(`| \`${row.code}\``));
    assert.match(
      line ?? "",
      new RegExp(`\\|\\s*${row.closeCode}\\s*\\|`),
      `${row.code} → ${row.closeCode} missing from the doc`,
    );
  }
});

/** The first folder above this file holding docs/wire-protocol.md. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "docs", "wire-protocol.md"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("no docs/wire-protocol.md above the test");
    dir = parent;
  }
  return dir;
}
