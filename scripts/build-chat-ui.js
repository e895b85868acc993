#!/usr/bin/env node
// Builds the chat's browser UI: bundles examples/chat/ui/app.ts with the stock socket.io-client
// into one minified ES module with a source map, and copies index.html and styles.css beside it.
//
//   node scripts/build-chat-ui.js [--outdir <dir>]   (default: dist/examples/chat/public)
//
// The chat server serves this folder as `new URL("../public/", import.meta.url)`. Type checking
// is separate: `tsc -p examples/chat/ui --noEmit`.
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const uiDir = join(root, "examples/chat/ui");

function parseOutdir(argv) {
  const at = argv.indexOf("--outdir");
  if (at === -1) return join(root, "dist/examples/chat/public");
  const value = argv[at + 1];
  if (!value || value.startsWith("--")) {
    console.error("build-chat-ui: --outdir needs a directory");
    process.exit(2);
  }
  return resolve(value);
}

const outdir = parseOutdir(process.argv.slice(2));
mkdirSync(outdir, { recursive: true });
const started = process.hrtime.bigint();
const result = await build({
  entryPoints: [join(uiDir, "app.ts")],
  outfile: join(outdir, "app.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: true,
  legalComments: "linked",
  tsconfig: join(uiDir, "tsconfig.json"),
  logLevel: "warning",
  metafile: true,
});
for (const file of ["index.html", "styles.css"]) copyFileSync(join(uiDir, file), join(outdir, file));

const ms = Number(process.hrtime.bigint() - started) / 1e6;
const sizes = Object.keys(result.metafile.outputs)
  .filter((file) => !file.endsWith(".map"))
  .map(
    (file) => `${relative(root, resolve(root, file))} ${(statSync(resolve(root, file)).size / 1024).toFixed(1)} KiB`,
  );
console.log(`build-chat-ui: ${sizes.join(", ")} (+ index.html, styles.css) in ${ms.toFixed(0)} ms`);
