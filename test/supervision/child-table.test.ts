/**
 * The supervisor's child table: start order, lookups by id and by ref, and turns that commit or
 * roll back without copying the table.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AnyRef } from "../../src/kernel/ref.js";
import type { ResolvedChildSpec } from "../../src/supervision/child-spec.js";
import { ChildTable } from "../../src/supervision/child-table.js";
import type { ChildRecord } from "../../src/supervision/supervisor-state.js";

function record(id: string, ref: string | null = `ref-${id}`): ChildRecord {
  return {
    spec: { id } as ResolvedChildSpec,
    ref: ref as unknown as AnyRef | null,
    restarting: false,
    restartCount: 0,
  };
}

const ids = (table: ChildTable) => table.list().map((child) => child.spec.id);
const ref = (name: string) => name as unknown as AnyRef;

test("children are listed in start order; a replaced record keeps its place", () => {
  const table = new ChildTable();
  for (const id of ["a", "b", "c"]) table.put(record(id));
  table.put({ ...record("b"), restartCount: 1 });
  assert.deepEqual(ids(table), ["a", "b", "c"]);
  assert.equal(table.get("b")?.restartCount, 1);
  assert.equal(table.size, 3);
});

test("a child is found by its running ref, and no longer once its ref changes or it is forgotten", () => {
  const table = new ChildTable();
  table.put(record("a"));
  table.put(record("b"));
  assert.equal(table.byRef(ref("ref-b"))?.spec.id, "b");
  table.put(record("b", null));
  assert.equal(table.byRef(ref("ref-b")), undefined);
  table.put(record("b", "ref-b2"));
  assert.equal(table.byRef(ref("ref-b2"))?.spec.id, "b");
  table.delete("b");
  assert.equal(table.byRef(ref("ref-b2")), undefined);
  assert.equal(table.get("b"), undefined);
  assert.deepEqual(ids(table), ["a"]);
});

test("a rolled-back turn leaves the table exactly as it was, order included", () => {
  const table = new ChildTable();
  for (const id of ["a", "b", "c"]) table.put(record(id));
  table.begin();
  table.delete("b");
  table.put(record("d"));
  table.put({ ...record("a"), restarting: true });
  assert.deepEqual(ids(table), ["a", "c", "d"]);
  assert.equal(table.size, 3);
  table.rollback();
  assert.deepEqual(ids(table), ["a", "b", "c"]);
  assert.equal(table.size, 3);
  assert.equal(table.get("a")?.restarting, false);
  assert.equal(table.byRef(ref("ref-b"))?.spec.id, "b");
  assert.equal(table.byRef(ref("ref-d")), undefined);
});

test("a committed turn keeps its changes, and a child forgotten in it can be started again at the end", () => {
  const table = new ChildTable();
  for (const id of ["a", "b"]) table.put(record(id));
  table.begin();
  table.delete("a");
  table.commit();
  assert.deepEqual(ids(table), ["b"]);
  table.put(record("a"));
  assert.deepEqual(ids(table), ["b", "a"]);
});
