/**
 * `node dist/bench/edge.bench.js --heap [--profile-kind=socket.io|ws] [--keep-snapshots]`: what
 * one idle connection keeps on a server's heap. Takes a heap snapshot after `WARM` connections
 * and another after `ADDED` more (full GCs before each), and prints the difference per added
 * connection: bytes and count by node type, then the collections (Arrays, Maps, Sets, with their
 * backing stores) by the object and field holding them — where preallocated, mostly empty
 * collections show up.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { untilSockets } from "./edge-cases.js";
import { GeneratorFleet, ServerProcess } from "./edge-fleet.js";
import type { ServerKind } from "./edge-protocol.js";
import { packageRoot } from "./harness.js";

const WARM = 100;
const ADDED = 2_000;
const TOP = 30;

interface HeapSnapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: string[];
      readonly node_types: [string[]];
      readonly edge_fields: string[];
      readonly edge_types: [string[]];
    };
  };
  readonly nodes: number[];
  readonly edges: number[];
  readonly strings: string[];
}

type Tally = Map<string, { count: number; bytes: number }>;

function add(tally: Tally, key: string, bytes: number): void {
  const entry = tally.get(key) ?? { count: 0, bytes: 0 };
  entry.count++;
  entry.bytes += bytes;
  tally.set(key, entry);
}

/** Bytes and counts by `type: name` (strings and numbers lumped), and collections by holder. */
function tallies(path: string): { byType: Tally; collections: Tally } {
  const s = JSON.parse(readFileSync(path, "utf8")) as HeapSnapshot;
  const { node_fields: nf, node_types, edge_fields: ef, edge_types } = s.snapshot.meta;
  const [types, edgeTypes] = [node_types[0], edge_types[0]];
  const [ti, ni, si, ci] = ["type", "name", "self_size", "edge_count"].map((f) => nf.indexOf(f)) as number[];
  const [eti, eni, eto] = ["type", "name_or_index", "to_node"].map((f) => ef.indexOf(f)) as number[];
  const label = (i: number) => {
    const type = types[s.nodes[i + ti!]!]!;
    const name = type.includes("string") ? "(string)" : type === "number" ? "(number)" : s.strings[s.nodes[i + ni!]!]!;
    return `${type}: ${name.slice(0, 60)}`;
  };
  const byType: Tally = new Map();
  const backing = new Map<number, number>();
  const holder = new Map<number, string>();
  let e = 0;
  for (let i = 0; i < s.nodes.length; i += nf.length) {
    const own = label(i);
    add(byType, own, s.nodes[i + si!]!);
    for (let k = 0; k < s.nodes[i + ci!]!; k++, e += ef.length) {
      const edgeType = edgeTypes[s.edges[e + eti!]!]!;
      if (edgeType !== "property" && edgeType !== "internal" && edgeType !== "context") continue;
      const to = s.edges[e + eto!]!;
      const name = s.strings[s.edges[e + eni!]!]!;
      const container = own === "object: Array" || own === "object: Map" || own === "object: Set";
      if (container && (name === "elements" || name === "table")) backing.set(i, s.nodes[to + si!]!);
      if (!holder.has(to)) holder.set(to, `${own}.${name}`);
    }
  }
  const collections: Tally = new Map();
  for (const [i, bytes] of backing)
    add(collections, `${label(i)} <- ${holder.get(i) ?? "?"}`, bytes + s.nodes[i + si!]!);
  // Plain objects, closures and their contexts by holder too: what keeps the small objects.
  for (let i = 0; i < s.nodes.length; i += nf.length) {
    const type = types[s.nodes[i + ti!]!]!;
    const own = label(i);
    if (own === "object: Object" || type === "closure" || own === "object: system / Context") {
      add(collections, `${own} <- ${holder.get(i) ?? "?"}`, s.nodes[i + si!]!);
    }
  }
  return { byType, collections };
}

function diffLines(before: Tally, after: Tally, per: number, minCount: number): string[] {
  const rows = [...after.entries()].map(([key, { count, bytes }]) => {
    const old = before.get(key) ?? { count: 0, bytes: 0 };
    return { key, count: (count - old.count) / per, bytes: (bytes - old.bytes) / per };
  });
  rows.sort((a, b) => b.bytes - a.bytes);
  return rows
    .filter((r) => r.count >= minCount)
    .slice(0, TOP)
    .map((r) => `${r.bytes.toFixed(0).padStart(7)} B ${r.count.toFixed(2).padStart(6)}×  ${r.key}`);
}

/** Runs the idle-connection heap comparison against one server kind and prints it. */
export async function heapPerConnection(kind: ServerKind, generators: number): Promise<void> {
  const dir = join(packageRoot(), "bench", "results", `edge-heap-${kind}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await ServerProcess.start(kind);
  const fleet = GeneratorFleet.start(generators);
  const paths = [join(dir, "warm.heapsnapshot"), join(dir, "added.heapsnapshot")] as const;
  try {
    const open = async (total: number, expected: number) => {
      const request = { target: "heap", url: server.url, total, concurrency: 20, localAddresses: [] };
      await fleet.connect({ ...request, client: "raw" }, 60_000);
      await untilSockets(server, expected, 15_000);
    };
    await open(WARM, WARM);
    await server.heapSnapshot(paths[0]);
    await open(ADDED, WARM + ADDED);
    await server.heapSnapshot(paths[1]);
  } finally {
    await fleet.stop();
    await server.stop();
  }
  const [before, after] = paths.map(tallies) as [ReturnType<typeof tallies>, ReturnType<typeof tallies>];
  if (!process.argv.includes("--keep-snapshots")) rmSync(dir, { recursive: true, force: true });
  const total = [...after.byType.values()].reduce((sum, t) => sum + t.bytes, 0);
  const totalBefore = [...before.byType.values()].reduce((sum, t) => sum + t.bytes, 0);
  const lines = [
    `${kind}: ${((total - totalBefore) / ADDED).toFixed(0)} heap bytes per idle connection (snapshot totals; --keep-snapshots keeps them in ${dir})`,
    "-- by node type, per added connection",
    ...diffLines(before.byType, after.byType, ADDED, 0),
    "-- Arrays, Maps and Sets (object + backing store), plain objects and closures, by holder, per added connection",
    ...diffLines(before.collections, after.collections, ADDED, 0.5),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
