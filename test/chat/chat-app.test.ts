import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { errorCode, ok, startTestChat, type TestChat, waitFor } from "./chat-harness.js";

describe("the chat server", () => {
  let t: TestChat;

  before(async () => {
    t = await startTestChat({ limits: { typingTimeoutMs: 150, roomsBroadcastThrottleMs: 20 } });
  });

  after(async () => {
    await t.dispose();
  });

  test("two users in a room exchange messages and see each other's presence and typing", async () => {
    const ana = await t.client("ana");
    const ben = await t.client("ben");
    const joined = ok(await ana.request("room:join", { room: "lobby-1" }));
    assert.deepEqual(joined.members, ["ana"]);
    assert.deepEqual(joined.messages, []);
    const benJoined = ok(await ben.request("room:join", { room: "lobby-1" }));
    assert.deepEqual(benJoined.members, ["ana", "ben"]);
    await waitFor(() => ana.received("presence").some((p) => p.members.length === 2), 2_000, "presence");
    assert.deepEqual(ana.received("member:joined"), [{ room: "lobby-1", nickname: "ben" }]);
    assert.deepEqual(ana.received("presence").at(-1), { room: "lobby-1", members: ["ana", "ben"] });

    ok(await ben.request("typing", { room: "lobby-1", typing: true }));
    await waitFor(() => ana.received("typing").length === 1, 2_000, "typing");
    assert.deepEqual(ana.received("typing")[0], { room: "lobby-1", nickname: "ben", typing: true });
    assert.equal(ben.received("typing").length, 0, "the typist is not told about itself");

    const sent = ok(await ben.request("message:send", { room: "lobby-1", text: "hello ana", clientId: "b-1" }));
    assert.equal(sent.message.text, "hello ana");
    assert.equal(sent.message.nickname, "ben");
    assert.equal(typeof sent.message.id, "number");
    assert.ok(Math.abs(sent.message.ts - Date.now()) < 5_000, "ts is the server's wall clock");
    await waitFor(() => ana.received("message").length === 1, 2_000, "message");
    assert.deepEqual(ana.received("message")[0], sent.message);
    assert.equal(ana.received("typing").length, 1, "the message itself ends ben's typing: no typing:false");

    const reply = ok(await ana.request("message:send", { room: "lobby-1", text: "hi ben", clientId: "a-1" }));
    assert.ok(reply.message.id > sent.message.id, "ids increase");
    await waitFor(() => ben.received("message").length === 2, 2_000, "ben's copy");

    ok(await ben.request("room:leave", { room: "lobby-1" }));
    await waitFor(() => ana.received("member:left").length === 1, 2_000, "member:left");
    assert.deepEqual(ana.received("presence").at(-1), { room: "lobby-1", members: ["ana"] });
    ana.socket.disconnect();
    ben.socket.disconnect();
  });

  test("a send ends its sender's typing; a send that broadcasts nothing says typing:false", async () => {
    const ana = await t.client("ana");
    const ben = await t.client("ben");
    ok(await ana.request("room:join", { room: "typing-send" }));
    ok(await ben.request("room:join", { room: "typing-send" }));
    ok(await ben.request("typing", { room: "typing-send", typing: true }));
    const first = ok(await ben.request("message:send", { room: "typing-send", text: "one", clientId: "b-1" }));
    await waitFor(() => ana.received("message").length === 1, 2_000, "message");
    ok(await ben.request("typing", { room: "typing-send", typing: true }));
    await waitFor(() => ana.received("typing").length === 2, 2_000, "typing again");
    assert.deepEqual(
      ana.received("typing").map((p) => p.typing),
      [true, true],
      "the send forgot the typist, so typing again is announced again",
    );

    const again = ok(await ben.request("message:send", { room: "typing-send", text: "one", clientId: "b-1" }));
    assert.deepEqual(again.message, first.message, "a repeated clientId is acked with the stored message");
    await waitFor(() => ana.received("typing").length === 3, 2_000, "typing:false");
    assert.deepEqual(ana.received("typing").at(-1), { room: "typing-send", nickname: "ben", typing: false });
    assert.equal(ana.received("message").length, 1, "a duplicate is not broadcast again");
    ana.socket.disconnect();
    ben.socket.disconnect();
  });

  test("the server clears a typing indicator after the typing timeout", async () => {
    const ana = await t.client("ana");
    const ben = await t.client("ben");
    ok(await ana.request("room:join", { room: "typing-room" }));
    ok(await ben.request("room:join", { room: "typing-room" }));
    ok(await ben.request("typing", { room: "typing-room", typing: true }));
    await waitFor(() => ana.received("typing").length === 2, 2_000, "typing then cleared");
    assert.deepEqual(
      ana.received("typing").map((p) => p.typing),
      [true, false],
    );
    ana.socket.disconnect();
    ben.socket.disconnect();
  });

  test("rooms are listed with member counts, general first, and changes are broadcast", async () => {
    const ana = await t.client("ana");
    ok(await ana.request("room:join", { room: "zeta" }));
    const list = ok(await ana.request("rooms:list"));
    assert.equal(list.rooms[0].name, "general");
    assert.deepEqual(
      list.rooms.find((r: { name: string }) => r.name === "zeta"),
      { name: "zeta", members: 1 },
    );
    await waitFor(() => ana.received("rooms").some((p) => p.rooms.some((r: any) => r.name === "zeta")), 2_000, "rooms");

    // A leave and a join within one throttle period leave the list as it was: nothing is sent.
    ok(await ana.request("room:leave", { room: "zeta" }));
    ok(await ana.request("room:join", { room: "zeta" }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lists = ana.received("rooms").map((p) => JSON.stringify(p.rooms));
    assert.ok(
      lists.every((list, i) => i === 0 || list !== lists[i - 1]),
      `an unchanged rooms list is never broadcast again: ${lists.join(" ")}`,
    );
    ana.socket.disconnect();
  });

  test("a repeated clientId returns the stored message and stores no duplicate", async () => {
    const ana = await t.client("ana");
    const ben = await t.client("ben");
    ok(await ana.request("room:join", { room: "retry" }));
    ok(await ben.request("room:join", { room: "retry" }));
    const first = ok(await ana.request("message:send", { room: "retry", text: "once", clientId: "same" }));
    const again = ok(await ana.request("message:send", { room: "retry", text: "once", clientId: "same" }));
    assert.deepEqual(again.message, first.message);
    const other = ok(await ben.request("message:send", { room: "retry", text: "mine", clientId: "same" }));
    assert.notEqual(other.message.id, first.message.id, "the clientId is scoped to its sender");
    const history = ok(await ana.request("history:before", { room: "retry", beforeId: Number.MAX_SAFE_INTEGER }));
    assert.deepEqual(
      history.messages.map((m: { text: string }) => m.text),
      ["once", "mine"],
    );
    await waitFor(() => ben.received("message").length === 2, 2_000, "broadcasts");
    assert.equal(ben.received("message").length, 2, "the retry is not broadcast again");
    ana.socket.disconnect();
    ben.socket.disconnect();
  });

  test("reconnecting with sinceId fills the gap exactly, without duplicates", async () => {
    const ana = await t.client("ana");
    const ben = await t.client("ben");
    ok(await ana.request("room:join", { room: "gap" }));
    ok(await ben.request("room:join", { room: "gap" }));
    const seen = ok(await ana.request("message:send", { room: "gap", text: "before", clientId: "g0" }));
    ana.socket.disconnect();
    await waitFor(() => ben.received("member:left").length === 1, 2_000, "ana's leave");
    const missed: number[] = [];
    for (let i = 1; i <= 3; i++) {
      missed.push(
        ok(await ben.request("message:send", { room: "gap", text: `missed ${i}`, clientId: `g${i}` })).message.id,
      );
    }
    const back = await t.client("ana");
    const rejoined = ok(await back.request("room:join", { room: "gap", sinceId: seen.message.id }));
    assert.deepEqual(
      rejoined.messages.map((m: { id: number }) => m.id),
      missed,
    );
    assert.equal(rejoined.hasMore, false);
    assert.deepEqual(rejoined.members, ["ben", "ana"]);
    back.socket.disconnect();
    ben.socket.disconnect();
  });

  test("HTML in a message comes back verbatim: the server neither escapes nor renders it", async () => {
    const ana = await t.client("ana");
    ok(await ana.request("room:join", { room: "html" }));
    const text = `<img src=x onerror="alert('x')"> & <script>alert(1)</script> &amp;`;
    const sent = ok(await ana.request("message:send", { room: "html", text, clientId: "h" }));
    assert.equal(sent.message.text, text);
    const history = ok(await ana.request("history:before", { room: "html", beforeId: sent.message.id + 1 }));
    assert.equal(history.messages[0].text, text);
    ana.socket.disconnect();
  });

  test("a sender is rate limited after a burst of 10 messages", async () => {
    const ana = await t.client("ana");
    ok(await ana.request("room:join", { room: "flood" }));
    const replies = await Promise.all(
      Array.from({ length: 11 }, (_, i) =>
        ana.request("message:send", { room: "flood", text: `m${i}`, clientId: `f${i}` }),
      ),
    );
    assert.equal(replies.filter((r) => r.ok).length, 10);
    assert.equal(errorCode(replies[10]!), "rate_limited");
    ana.socket.disconnect();
  });

  test("message length, empty text, bad payloads, room names and membership are refused with their codes", async () => {
    const ana = await t.client("ana");
    ok(await ana.request("room:join", { room: "rules" }));
    const send = (text: unknown, room = "rules") =>
      ana.request("message:send", { room, text, clientId: `c${Math.random()}` });
    assert.equal(errorCode(await send("x".repeat(2_001))), "too_long");
    assert.equal(ok(await send("😀".repeat(2_000))).message.text.length, 4_000, "characters, not UTF-16 units");
    assert.equal(errorCode(await send("   ")), "bad_request");
    assert.equal(errorCode(await send(42)), "bad_request");
    assert.equal(errorCode(await send("hi", "not-joined")), "not_in_room");
    assert.equal(errorCode(await ana.request("message:send", { room: "rules", text: "no id" })), "bad_request");
    assert.equal(errorCode(await ana.request("room:join", { room: "General" })), "room_invalid");
    assert.equal(errorCode(await ana.request("room:join", { room: "x".repeat(33) })), "room_invalid");
    assert.equal(errorCode(await ana.request("room:join", "general")), "bad_request");
    assert.equal(errorCode(await ana.request("room:leave", { room: "never" })), "not_in_room");
    assert.equal(errorCode(await ana.request("history:before", { room: "rules", beforeId: -1 })), "bad_request");
    assert.equal(ok(await send("  padded  ")).message.text, "padded", "text is trimmed");
    ana.socket.disconnect();
  });

  test("nicknames follow the rules, are trimmed, and are unique within a room", async () => {
    for (const bad of ["", "a b", "x".repeat(25), "<b>", 42]) {
      const client = await t.client(bad);
      assert.equal(errorCode(await client.request("room:join", { room: "names" })), "nickname_invalid", String(bad));
      client.socket.disconnect();
    }
    const zoe = await t.client("  Zoë_1.x-y  ");
    assert.deepEqual(ok(await zoe.request("room:join", { room: "names" })).members, ["Zoë_1.x-y"]);
    const twin = await t.client("Zoë_1.x-y");
    assert.equal(errorCode(await twin.request("room:join", { room: "names" })), "nickname_taken");
    ok(await twin.request("room:join", { room: "other-names" }));
    zoe.socket.disconnect();
    let members = -1;
    for (let i = 0; i < 100 && members !== 0; i++) {
      const list = ok(await twin.request("rooms:list"));
      members = list.rooms.find((r: { name: string }) => r.name === "names").members;
    }
    assert.equal(members, 0, "zoe left when her connection closed");
    ok(await twin.request("room:join", { room: "names" }));
    twin.socket.disconnect();
  });
});
