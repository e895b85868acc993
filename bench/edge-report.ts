/**
 * Rows, table and results file of the edge bench. The edge's bars are ceilings on a ratio
 * ("Chorus's CPU per message at most 0.5× socket.io's"), which the shared harness's bar kinds
 * (a minimum ratio, or a ceiling on the value) cannot say, hence a row type of its own whose bar is always the largest acceptable ratio. The
 * file written is the CONVENTIONS shape: `{ name, value, unit, baseline, ratio, bar }`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./harness.js";

/** One figure: `value` (the subject) beside `baseline` (measured in the same run). */
export interface EdgeRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: number;
  /** value / baseline. */
  readonly ratio: number;
  readonly bar: number | null;
}

/** A row; `bar` is the largest acceptable ratio (null: informative). */
export function edgeRow(name: string, unit: string, value: number, baseline: number, bar: number | null): EdgeRow {
  return { name, value, unit, baseline, ratio: value / baseline, bar };
}

/** "pass", "FAIL", or "-" without a bar. */
export function edgeVerdict(row: EdgeRow): string {
  if (row.bar === null) return "-";
  return Number.isFinite(row.ratio) && row.ratio <= row.bar ? "pass" : "FAIL";
}

/** Three significant digits, with a k/M suffix from 10,000 (integers keep their zeros). */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return "-";
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return value.toFixed(0);
  return value.toPrecision(3);
}

/** Prints the rows as an aligned table, then the notes. */
export function printEdgeTable(title: string, rows: readonly EdgeRow[], notes: readonly string[]): void {
  const header = ["name", "value", "unit", "baseline", "ratio", "bar", "pass"];
  const cells = rows.map((row) => [
    row.name,
    formatFigure(row.value),
    row.unit,
    formatFigure(row.baseline),
    Number.isFinite(row.ratio) ? row.ratio.toFixed(3) : "-",
    row.bar === null ? "-" : `≤${row.bar}`,
    edgeVerdict(row),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]) => c.map((text, i) => text.padEnd(widths[i] as number)).join("  ");
  const out = [title, line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
  for (const note of notes) out.push(`  * ${note}`);
  process.stdout.write(`${out.join("\n")}\n`);
}

/** Writes `bench/results/edge.json` and returns its path. */
export function writeEdgeResults(rows: readonly EdgeRow[]): string {
  const folder = join(packageRoot(), "bench", "results");
  mkdirSync(folder, { recursive: true });
  const path = join(folder, "edge.json");
  const records = rows.map(({ name, value, unit, baseline, ratio, bar }) => ({
    name,
    value,
    unit,
    baseline,
    ratio: Number.isFinite(ratio) ? ratio : null,
    bar,
  }));
  writeFileSync(path, `${JSON.stringify(records, null, 2)}\n`);
  return path;
}
