/** A connection's sockets by namespace: the compact single-entry form and the map form. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { NamespaceSockets } from "../../../src/edge/socket-io/namespace-sockets.js";

test("a connection's sockets by namespace hold one entry inline and more in a map, in insertion order", () => {
  const sockets = new NamespaceSockets<number>();
  assert.equal(sockets.size, 0);
  sockets.set("/", 1);
  assert.equal(sockets.get("/"), 1);
  assert.equal(sockets.has("/admin"), false);
  sockets.set("/admin", 2);
  sockets.set("/", 3);
  assert.deepEqual(sockets.keys(), ["/", "/admin"]);
  assert.deepEqual(sockets.values(), [3, 2]);
  assert.equal(sockets.delete("/"), true);
  assert.equal(sockets.delete("/"), false);
  assert.deepEqual(sockets.keys(), ["/admin"]);
  sockets.clear();
  assert.equal(sockets.size, 0);
  assert.equal(sockets.get("/admin"), undefined);
});
