// Contract 1 of ARCHITECTURE.md, "one door to nondeterminism": outside src/reactor/node/, no
// source file may read a clock, set a timer, or draw randomness except through the Reactor.
// This test scans the TypeScript sources (not the compiled output) so that it reports the
// file and line a developer has to fix.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

/** One forbidden use of a nondeterministic API. */
export interface Offence {
  /** 1-based line number in the file. */
  readonly line: number;
  /** What was found, e.g. `Date.now`. */
  readonly what: string;
}

/** Folder (relative to the repo root, POSIX separators) whose files may touch the real world. */
const ALLOWED_PREFIX = "src/reactor/node/";

/** Pattern → description. Matched against source whose comments and string contents are blanked. */
const FORBIDDEN: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bDate\s*\.\s*now\b/g, "Date.now"],
  [/\bnew\s+Date\s*\(\s*\)/g, "new Date() (current time)"],
  [/\bnew\s+Date\b(?!\s*\()/g, "new Date (current time)"],
  [/(?<!\.\s*|\bnew\s+)\bDate\s*\(/g, "Date() (current time as a string)"],
  [/\bperformance\s*\.\s*(now|timeOrigin)\b/g, "performance.now"],
  [/\bprocess\s*\.\s*(hrtime|uptime)\b/g, "process.hrtime/uptime"],
  [/\b(setTimeout|setInterval|setImmediate)\b/g, "$1"],
  [/\bMath\s*\.\s*random\b/g, "Math.random"],
  [/\bcrypto\s*\.\s*(random\w*|getRandomValues)\b/g, "crypto.$1"],
  [/(?<!\bcrypto\s*\.\s*)\bgetRandomValues\b/g, "getRandomValues"],
];

/** Random functions of node:crypto that must not be imported outside the real reactor. */
const CRYPTO_RANDOM = /^(random\w*|getRandomValues|webcrypto)$/;
const CRYPTO_MODULE = /^(node:)?crypto$/;
const TIMERS_MODULE = /^(node:)?timers(\/promises)?$/;

/**
 * Finds every use of a nondeterministic API in one TypeScript source text: clocks (`Date.now`,
 * `new Date()`, `performance.now`), timers (`setTimeout`, `setInterval`, `setImmediate`, imports
 * of `node:timers`) and randomness (`Math.random`, `crypto.random*`, random functions imported
 * from `node:crypto`). Comments and the contents of string literals are ignored.
 */
export function findNondeterminism(source: string): Offence[] {
  const code = blankCommentsAndStrings(source);
  const offences: Array<{ index: number; what: string }> = [];
  for (const [pattern, what] of FORBIDDEN) {
    for (const match of code.matchAll(pattern)) {
      offences.push({ index: match.index, what: what.replace("$1", match[1] ?? "") });
    }
  }
  for (const found of findImports(source, code)) offences.push(found);
  offences.sort((a, b) => a.index - b.index);
  return offences.map(({ index, what }) => ({ line: lineOf(source, index), what }));
}

/**
 * Import forms that smuggle nondeterminism in under another name: named imports of random
 * functions from crypto (`import { randomBytes as rb } from "node:crypto"`), member access on a
 * namespace or default import of crypto (`import * as c from "crypto"; c.randomUUID()`),
 * destructured dynamic imports, and any import of `node:timers`.
 */
function findImports(source: string, code: string): Array<{ index: number; what: string }> {
  const found: Array<{ index: number; what: string }> = [];
  // `code` keeps every offset of `source`, with string contents blanked: match the shape on
  // `code`, then read the module specifier back from `source` at the same offsets.
  const staticImport = /\b(import|export)\s+(type\s+)?([\w$*{},\s]+?)\s+from\s*(["'])/g;
  for (const match of code.matchAll(staticImport)) {
    if (match[2] !== undefined) continue; // `import type` brings in no runtime value
    const specifier = readString(source, match.index + match[0].length - 1);
    checkImport(specifier, match[3] ?? "", match.index, code, found);
  }
  const dynamicImport = /(\{[^}]*\})\s*=\s*(?:await\s+)?(?:import|require)\s*\(\s*(["'])/g;
  for (const match of code.matchAll(dynamicImport)) {
    const specifier = readString(source, match.index + match[0].length - 1);
    checkImport(specifier, match[1] ?? "", match.index, code, found);
  }
  const namespaceRequire = /\b(?:const|let|var)\s+([\w$]+)\s*=\s*(?:await\s+)?(?:import|require)\s*\(\s*(["'])/g;
  for (const match of code.matchAll(namespaceRequire)) {
    const specifier = readString(source, match.index + match[0].length - 1);
    checkImport(specifier, `* as ${match[1]}`, match.index, code, found);
  }
  return found;
}

function checkImport(
  specifier: string,
  clause: string,
  index: number,
  code: string,
  found: Array<{ index: number; what: string }>,
): void {
  if (TIMERS_MODULE.test(specifier)) {
    found.push({ index, what: `import from "${specifier}"` });
    return;
  }
  if (!CRYPTO_MODULE.test(specifier)) return;
  const named = /\{([^}]*)\}/.exec(clause);
  for (const part of named?.[1]?.split(",") ?? []) {
    const name = part
      .trim()
      .replace(/^type\s+/, "")
      .split(/\s+as\s+|\s*:\s*/)[0];
    if (name !== undefined && CRYPTO_RANDOM.test(name)) {
      found.push({ index, what: `${name} imported from "${specifier}"` });
    }
  }
  const whole = clause.replace(/\{[^}]*\}/, "");
  for (const alias of whole.matchAll(/(?:\*\s*as\s+)?([\w$]+)/g)) {
    const name = alias[1] as string;
    if (name === "crypto") continue; // `crypto.random*` is already matched everywhere
    const use = new RegExp(`(?<![\\w$.])${name.replace(/\$/g, "\\$")}\\s*\\.\\s*(random\\w*|getRandomValues)\\b`, "g");
    for (const match of code.matchAll(use)) {
      found.push({ index: match.index, what: `${name}.${match[1]} (crypto imported as ${name})` });
    }
  }
}

/** The text of the string literal whose opening quote is at `quoteIndex`. */
function readString(source: string, quoteIndex: number): string {
  const quote = source[quoteIndex];
  const end = source.indexOf(quote as string, quoteIndex + 1);
  return end < 0 ? "" : source.slice(quoteIndex + 1, end);
}

function lineOf(source: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Returns `source` with comments and the contents of string, template and regular-expression
 * literals replaced by spaces (newlines kept), so offsets and line numbers are unchanged and
 * only code remains. Template substitutions (`${…}`) stay code. A `/` starts a regular
 * expression when the previous significant character cannot end an operand.
 */
export function blankCommentsAndStrings(source: string): string {
  const out = source.split("");
  const blank = (from: number, to: number): void => {
    for (let i = from; i < to; i++) if (out[i] !== "\n") out[i] = " ";
  };
  const braces: number[] = []; // per open `${`: depth of `{` inside it
  let last = ""; // previous significant character
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      const stop = end < 0 ? source.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? source.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      const stop = skipQuoted(source, i, c);
      blank(i + 1, stop - 1);
      i = stop;
      last = c;
    } else if (c === "`" || (c === "}" && braces.length > 0 && braces[braces.length - 1] === 0)) {
      if (c === "}") braces.pop();
      const stop = skipTemplate(source, i + 1);
      blank(i + 1, stop.end);
      if (stop.substitution) braces.push(0);
      i = stop.end + (stop.substitution ? 2 : 1);
      last = stop.substitution ? "{" : "`";
    } else if (c === "/" && !/[\w$)\].`'"]/.test(last)) {
      const stop = skipRegExp(source, i);
      blank(i + 1, stop - 1);
      i = stop;
      last = "/";
    } else {
      if (braces.length > 0 && c === "{") braces[braces.length - 1]!++;
      else if (braces.length > 0 && c === "}") braces[braces.length - 1]!--;
      if (!/\s/.test(c)) last = c;
      // `return /re/`, `typeof /re/`: a keyword ending in a letter must not make `/` a division.
      if (/[\w$]/.test(c) && !/[\w$]/.test(source[i + 1] ?? "")) {
        const word = /[\w$]+$/.exec(source.slice(Math.max(0, i - 10), i + 1))?.[0];
        if (word !== undefined && /^(return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/.test(word)) {
          last = "(";
        }
      }
      i++;
    }
  }
  return out.join("");
}

function skipQuoted(source: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < source.length && source[i] !== quote && source[i] !== "\n") i += source[i] === "\\" ? 2 : 1;
  return Math.min(i + 1, source.length);
}

/** From just after a backtick or `}`: the index of the closing backtick or of the `${`. */
function skipTemplate(source: string, start: number): { end: number; substitution: boolean } {
  let i = start;
  while (i < source.length) {
    if (source[i] === "\\") i += 2;
    else if (source[i] === "`") return { end: i, substitution: false };
    else if (source[i] === "$" && source[i + 1] === "{") return { end: i, substitution: true };
    else i++;
  }
  return { end: source.length, substitution: false };
}

function skipRegExp(source: string, start: number): number {
  let i = start + 1;
  let inClass = false;
  while (i < source.length && source[i] !== "\n") {
    const c = source[i];
    if (c === "\\") i++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) return i + 1;
    i++;
  }
  return i;
}

/** The repository root: the nearest ancestor of this file holding package.json and src/. */
function repoRoot(): string {
  // Compiled, this file is dist/test/reactor/contract.test.js: the root is three levels up.
  // Walking further up keeps the test working from other output folders too.
  let dir = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "src", "reactor"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no repository root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function listTypeScript(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listTypeScript(path));
    else if (entry.isFile() && /\.[cm]?ts$/.test(entry.name) && !entry.name.endsWith(".d.ts")) files.push(path);
  }
  return files;
}

test("no source outside src/reactor/node/ reads clocks, sets timers or draws randomness directly", () => {
  const root = repoRoot();
  const files = listTypeScript(join(root, "src"))
    .map((path) => relative(root, path).split(sep).join("/"))
    .sort();
  assert.ok(files.includes("src/reactor/reactor.ts"), `expected to scan src/ under ${root}`);
  const checked = files.filter((file) => !file.startsWith(ALLOWED_PREFIX));
  const report: string[] = [];
  for (const file of checked) {
    for (const offence of findNondeterminism(readFileSync(join(root, file), "utf8"))) {
      report.push(`${file}:${offence.line}: ${offence.what}`);
    }
  }
  assert.deepEqual(
    report,
    [],
    `Use the Reactor (ctx.reactor / loop.reactor) instead; only ${ALLOWED_PREFIX} may touch these:\n${report.join("\n")}`,
  );
});

test("the real reactor itself is where the checker would object", () => {
  // Guards against a checker that silently matches nothing.
  const root = repoRoot();
  const source = readFileSync(join(root, ALLOWED_PREFIX, "node-reactor.ts"), "utf8");
  const found = new Set(findNondeterminism(source).map((offence) => offence.what));
  for (const what of ["Date.now", "performance.now", "setTimeout", "setInterval", "setImmediate", "Math.random"]) {
    assert.ok(found.has(what), `expected ${what} in node-reactor.ts, found ${[...found].join(", ")}`);
  }
});

test("the checker reports each forbidden API with its line", () => {
  const source = [
    "const a = Date.now();", // 1
    "const b = performance.now();", // 2
    "setTimeout(() => {}, 1);", // 3
    "const t = setInterval(f, 5);", // 4
    "globalThis.setImmediate(f);", // 5
    "const r = Math.random();", // 6
    "const u = crypto.randomUUID();", // 7
    "const d = new Date();", // 8
    "const e = new Date;", // 9
    "const s = Date();", // 10
    "const v = crypto.getRandomValues(new Uint8Array(4));", // 11
    "const h = process.hrtime.bigint();", // 12
    "const w = webcrypto.getRandomValues(buffer);", // 13
    "return Date();", // 14
  ].join("\n");
  assert.deepEqual(findNondeterminism(source), [
    { line: 1, what: "Date.now" },
    { line: 2, what: "performance.now" },
    { line: 3, what: "setTimeout" },
    { line: 4, what: "setInterval" },
    { line: 5, what: "setImmediate" },
    { line: 6, what: "Math.random" },
    { line: 7, what: "crypto.randomUUID" },
    { line: 8, what: "new Date() (current time)" },
    { line: 9, what: "new Date (current time)" },
    { line: 10, what: "Date() (current time as a string)" },
    { line: 11, what: "crypto.getRandomValues" },
    { line: 12, what: "process.hrtime/uptime" },
    { line: 13, what: "getRandomValues" },
    { line: 14, what: "Date() (current time as a string)" },
  ]);
});

test("the checker catches random functions imported from node:crypto under any name", () => {
  const source = [
    'import { createHash, randomBytes as rb } from "node:crypto";', // 1
    "import { randomUUID } from 'crypto';", // 2
    'import * as c from "node:crypto";', // 3
    "const id = c.randomInt(10);", // 4
    'const { randomFillSync } = await import("node:crypto");', // 5
    'import { setTimeout as sleep } from "node:timers/promises";', // 6
    'import nodeCrypto from "crypto";', // 7
    "nodeCrypto.randomBytes(8);", // 8
  ].join("\n");
  assert.deepEqual(findNondeterminism(source), [
    { line: 1, what: 'randomBytes imported from "node:crypto"' },
    { line: 2, what: 'randomUUID imported from "crypto"' },
    { line: 4, what: "c.randomInt (crypto imported as c)" },
    { line: 5, what: 'randomFillSync imported from "node:crypto"' },
    { line: 6, what: 'import from "node:timers/promises"' },
    { line: 6, what: "setTimeout" },
    { line: 8, what: "nodeCrypto.randomBytes (crypto imported as nodeCrypto)" },
  ]);
});

test("the checker ignores comments, strings, the Reactor's own methods and dated constructors", () => {
  const source = [
    "// Date.now() and setTimeout are fine in a line comment",
    "/* Math.random() in a block comment,",
    "   crypto.randomUUID() on its second line */",
    "/** JSDoc: never call performance.now(). */",
    'const message = "do not call Date.now() or setTimeout here";',
    "const other = 'Math.random()';",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: this is the source text of a template literal
    "const template = `setImmediate ${reactor.nowMs()} new Date()`;",
    "const pattern = /Date\\.now|setTimeout/g;",
    "const id = reactor.uniqueId() + reactor.randomByteArray(4).length + reactor.random();",
    "reactor.setTimer(10, tick); reactor.setRepeatingTimer(5, tick); reactor.defer(task);",
    "const stamp = new Date(reactor.wallClockMs()).toISOString();",
    "const parsed = Date.parse(text) + Date.UTC(2026, 0, 1);",
    'import { createHash } from "node:crypto";',
    'import type { RandomUUIDOptions } from "node:crypto";',
    "const ratio = total / count / 2;",
  ].join("\n");
  assert.deepEqual(findNondeterminism(source), []);
});

test("blanking keeps offsets and line numbers and leaves template substitutions as code", () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: this is the source text of a template literal
  const source = 'const a = `x ${ {k: "Date.now"}.k + f(`y ${Date.now()}`) } z`; // c\nnext';
  const blanked = blankCommentsAndStrings(source);
  assert.equal(blanked.length, source.length);
  assert.equal(blanked.split("\n").length, 2);
  assert.ok(blanked.endsWith("\nnext"));
  assert.deepEqual(findNondeterminism(source), [{ line: 1, what: "Date.now" }]);
});
