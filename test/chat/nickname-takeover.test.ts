/** A reconnecting tab takes its nickname back at once with its sessionKey; anyone else is refused. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { errorCode, ok, startTestChat, type TestChat, waitFor } from "./chat-harness.js";

/** A per-tab key as the UI makes it: 128 random bits, hex. */
function newSessionKey(): string {
  return randomBytes(16).toString("hex");
}

describe("nickname takeover by sessionKey", () => {
  let t: TestChat;

  before(async () => {
    t = await startTestChat();
  });

  after(async () => {
    await t.dispose();
  });

  test("a second socket with the same sessionKey takes the nickname over at once; the old one is told and left out", async () => {
    const sessionKey = newSessionKey();
    const old = await t.client("ana", { sessionKey });
    const ben = await t.client("ben");
    ok(await old.request("room:join", { room: "takeover" }));
    ok(await ben.request("room:join", { room: "takeover" }));
    ok(await old.request("typing", { room: "takeover", typing: true }));
    await waitFor(() => ben.received("typing").length === 1, 2_000, "ana typing");

    // The old socket is still connected: the reload raced the server noticing it closed.
    const fresh = await t.client("ana", { sessionKey });
    const joined = ok(await fresh.request("room:join", { room: "takeover" }));
    assert.deepEqual(joined.members, ["ana", "ben"]);
    await waitFor(() => old.received("room:replaced").length === 1, 2_000, "room:replaced");
    assert.deepEqual(old.received("room:replaced"), [{ room: "takeover" }]);
    assert.deepEqual(ben.received("typing").at(-1), { room: "takeover", nickname: "ana", typing: false });

    const sent = ok(await fresh.request("message:send", { room: "takeover", text: "back again", clientId: "a-1" }));
    await waitFor(() => ben.received("message").length === 1, 2_000, "ben gets the new socket's message");
    assert.deepEqual(ben.received("message")[0], sent.message);
    await waitFor(() => fresh.received("message").length === 1, 2_000, "the new socket gets the broadcast");
    assert.equal(old.received("message").length, 0, "the old socket left the room's broadcasts");
    const stale = await old.request("message:send", { room: "takeover", text: "from the past", clientId: "a-2" });
    assert.equal(errorCode(stale), "not_in_room");
    assert.equal(errorCode(await old.request("room:leave", { room: "takeover" })), "not_in_room");

    // The old socket finally goes: nobody sees ana leave, she is still present.
    old.socket.disconnect();
    ok(await ben.request("message:send", { room: "takeover", text: "still here?", clientId: "b-1" }));
    await waitFor(() => fresh.received("message").length === 2, 2_000, "the second broadcast");
    assert.deepEqual(ben.received("member:left"), []);
    const list = ok(await ben.request("rooms:list"));
    assert.deepEqual(
      list.rooms.find((room: { name: string }) => room.name === "takeover"),
      { name: "takeover", members: 2 },
    );
    assert.deepEqual(fresh.received("room:replaced"), []);
    fresh.socket.disconnect();
    ben.socket.disconnect();
  });

  test("a different sessionKey, a missing one or a malformed one is refused with nickname_taken", async () => {
    const holder = await t.client("cy", { sessionKey: newSessionKey() });
    ok(await holder.request("room:join", { room: "taken" }));
    for (const sessionKey of [newSessionKey(), undefined, "short", "x".repeat(129), `${newSessionKey()}!`]) {
      const other = await t.client("cy", sessionKey === undefined ? {} : { sessionKey });
      assert.equal(
        errorCode(await other.request("room:join", { room: "taken" })),
        "nickname_taken",
        `key ${sessionKey}`,
      );
      other.socket.disconnect();
    }
    const keyless = await t.client("dee");
    ok(await keyless.request("room:join", { room: "taken" }));
    const alsoKeyless = await t.client("dee");
    assert.equal(errorCode(await alsoKeyless.request("room:join", { room: "taken" })), "nickname_taken");
    assert.deepEqual(holder.received("room:replaced"), []);
    assert.deepEqual(keyless.received("room:replaced"), []);
    for (const client of [holder, keyless, alsoKeyless]) client.socket.disconnect();
  });
});
