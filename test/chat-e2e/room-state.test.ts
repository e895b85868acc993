// The chat UI's per-room state, in Node (it is pure data): merging by id, own messages from
// pending to delivered, notices in place, typing expiry.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Message } from "../../examples/chat/ui/protocol.js";
import { RoomState, roomMessagesMax, typingExpiryMs, typingSentence } from "../../examples/chat/ui/room-state.js";

function message(id: number, nickname = "bo", clientId = `c${id}`): Message {
  return { id, room: "general", nickname, text: `text ${id}`, ts: 1_700_000_000_000 + id, clientId };
}

function keys(state: RoomState, me = "ana"): string[] {
  return state.timeline(me).map((item) => item.key);
}

test("messages merge by id: repeats are dropped and the timeline stays in id order", () => {
  const state = new RoomState("general");
  assert.equal(state.addMessages([message(5), message(6)], "ana"), 2);
  assert.equal(state.addMessages([message(6), message(7)], "ana"), 1);
  assert.equal(state.addMessages([message(2), message(3)], "ana"), 2);
  assert.deepEqual(keys(state), ["m:2", "m:3", "m:5", "m:6", "m:7"]);
  assert.equal(state.firstId, 2);
  assert.equal(state.lastId, 7);
});

test("an own message keeps its key from pending to delivered, whether the ack or the broadcast settles it", () => {
  const state = new RoomState("general");
  state.markPending("abc", "hi", 0);
  state.markPending("def", "there", 0);
  assert.deepEqual(
    state.timeline("ana").map((item) => [item.key, item.kind]),
    [
      ["c:abc", "pending"],
      ["c:def", "pending"],
    ],
  );
  state.addMessages([message(10, "ana", "abc")], "ana"); // the ack
  state.addMessages([message(10, "ana", "abc"), message(11, "ana", "def")], "ana"); // broadcasts
  assert.deepEqual(
    state.timeline("ana").map((item) => [item.key, item.kind]),
    [
      ["c:abc", "message"],
      ["c:def", "message"],
    ],
  );
  assert.deepEqual(state.pending, []);
});

test("a failed message keeps its clientId and text for a retry, and can be discarded", () => {
  const state = new RoomState("general");
  state.markPending("abc", "hi", 0);
  state.markFailed("abc", { code: "rate_limited", message: "slow down" });
  assert.equal(state.pendingFor("abc")?.status, "failed");
  state.markPending("abc", "", 1);
  assert.deepEqual([state.pendingFor("abc")?.status, state.pendingFor("abc")?.text], ["pending", "hi"]);
  state.discard("abc");
  assert.deepEqual(state.timeline("ana"), []);
});

test("a notice stays after the messages that were there when it arrived, before later ones", () => {
  const state = new RoomState("general");
  state.addNotice("bo joined");
  state.addMessages([message(1), message(2)], "ana");
  state.addNotice("cy joined");
  state.addMessages([message(3)], "ana");
  state.markPending("p", "pending text", 0);
  assert.deepEqual(keys(state), ["n:0", "m:1", "m:2", "n:1", "m:3", "c:p"]);
});

test("a room keeps at most roomMessagesMax messages, dropping the oldest and offering them as history", () => {
  const state = new RoomState("general");
  const many = Array.from({ length: roomMessagesMax + 10 }, (_, i) => message(i + 1));
  state.addMessages(many, "ana");
  assert.equal(state.messageCount, roomMessagesMax);
  assert.equal(state.firstId, 11);
  assert.equal(state.hasMoreBefore, true);
});

test("typing shows other members only, and expires without a refresh", () => {
  const state = new RoomState("general");
  state.members = ["ana", "bo", "cy"];
  state.setTyping("bo", true, 1000);
  state.setTyping("ana", true, 1000);
  state.setTyping("zed", true, 1000); // not a member (any more)
  assert.deepEqual(state.typingAt(1000, "ana"), ["bo"]);
  state.setTyping("cy", true, 2000);
  assert.equal(typingSentence(state.typingAt(2000, "ana")), "bo and cy are typing…");
  assert.deepEqual(state.typingAt(1000 + typingExpiryMs, "ana"), ["cy"]);
  state.setTyping("cy", false, 2500);
  assert.equal(typingSentence(state.typingAt(2500, "ana")), "");
});

test("the typing sentence names up to three people, then counts the others", () => {
  assert.equal(typingSentence(["ana"]), "ana is typing…");
  assert.equal(typingSentence(["ana", "bo", "cy"]), "ana, bo and cy are typing…");
  assert.equal(typingSentence(["ana", "bo", "cy", "dee", "eve"]), "ana, bo and 3 others are typing…");
});
