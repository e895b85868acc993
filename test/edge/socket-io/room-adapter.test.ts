/**
 * Room membership without the server: a socket's own room, named rooms, and a socket's rooms
 * both ways, including the compact forms (own room in a shared set, one named room as a name).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RoomAdapter } from "../../../src/edge/socket-io/room-adapter.js";

test("a socket is in its own room and in the rooms it joined, own room first", () => {
  const adapter = new RoomAdapter();
  adapter.join("s1", "s1");
  adapter.join("s1", "news");
  adapter.join("s1", "sport");
  assert.deepEqual([...adapter.roomsOf("s1")], ["s1", "news", "sport"]);
  assert.deepEqual([...adapter.membersOf("s1")], ["s1"]);
  assert.deepEqual([...adapter.membersOf("news")], ["s1"]);
  assert.equal(adapter.roomCount, 3);
});

test("another socket may join a socket's own room; both are its members", () => {
  const adapter = new RoomAdapter();
  adapter.join("s1", "s1");
  adapter.join("s2", "s2");
  adapter.join("s2", "s1");
  assert.deepEqual([...adapter.membersOf("s1")].sort(), ["s1", "s2"]);
  assert.equal(adapter.roomCount, 2);
  adapter.leaveAll("s1");
  assert.deepEqual([...adapter.membersOf("s1")], ["s2"]);
});

test("leaving rooms one by one and all at once forgets emptied rooms", () => {
  const adapter = new RoomAdapter();
  for (const id of ["s1", "s2"]) {
    adapter.join(id, id);
    adapter.join(id, "news");
  }
  adapter.join("s1", "sport");
  adapter.leave("s1", "news");
  assert.deepEqual([...adapter.roomsOf("s1")], ["s1", "sport"]);
  adapter.leave("s1", "sport");
  assert.deepEqual([...adapter.roomsOf("s1")], ["s1"]);
  adapter.leave("s1", "s1");
  assert.deepEqual([...adapter.roomsOf("s1")], []);
  adapter.leaveAll("s2");
  assert.equal(adapter.roomCount, 0);
  assert.deepEqual([...adapter.membersOf("news")], []);
});

test("recipients: rooms minus except rooms, or everyone", () => {
  const adapter = new RoomAdapter();
  for (const id of ["a", "b", "c"]) adapter.join(id, id);
  adapter.join("a", "red");
  adapter.join("b", "red");
  adapter.join("b", "blue");
  assert.deepEqual([...adapter.recipients(new Set(["red"]), new Set(["blue"]), [])], ["a"]);
  assert.deepEqual([...adapter.recipients(new Set(), new Set(["a"]), ["a", "b", "c"])], ["b", "c"]);
  assert.deepEqual([...adapter.recipients(new Set(["c", "blue"]), new Set(), [])], ["c", "b"]);
});
