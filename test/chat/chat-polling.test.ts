/** The chat over HTTP long-polling only: the same protocol as over WebSocket. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ok, startTestChat, type TestChat, waitFor } from "./chat-harness.js";

describe("the chat over long-polling", () => {
  let t: TestChat;

  before(async () => {
    t = await startTestChat({ limits: { roomsBroadcastThrottleMs: 20 } });
  });

  after(async () => {
    await t.dispose();
  });

  test("two polling users join, see each other's presence and typing, and exchange acknowledged messages", async () => {
    const ana = await t.client("ana", { transports: ["polling"] });
    const ben = await t.client("ben", { transports: ["polling"] });
    for (const client of [ana, ben]) assert.equal(client.socket.io.engine.transport.name, "polling");

    assert.deepEqual(ok(await ana.request("room:join", { room: "slow-lane" })).members, ["ana"]);
    assert.deepEqual(ok(await ben.request("room:join", { room: "slow-lane" })).members, ["ana", "ben"]);
    await waitFor(() => ana.received("member:joined").length === 1, 2_000, "member:joined");
    assert.deepEqual(ana.received("member:joined"), [{ room: "slow-lane", nickname: "ben" }]);
    await waitFor(() => ana.received("presence").some((p) => p.members.length === 2), 2_000, "presence");

    ok(await ben.request("typing", { room: "slow-lane", typing: true }));
    await waitFor(() => ana.received("typing").length === 1, 2_000, "typing");
    assert.deepEqual(ana.received("typing")[0], { room: "slow-lane", nickname: "ben", typing: true });

    const texts = ["one", "two", "three"];
    const acks = await Promise.all(
      texts.map((text, i) => ben.request("message:send", { room: "slow-lane", text, clientId: `b-${i}` })),
    );
    const sent = acks.map((ack) => ok(ack).message);
    assert.deepEqual(
      sent.map((m) => m.text),
      texts,
    );
    const reply = ok(await ana.request("message:send", { room: "slow-lane", text: "got them", clientId: "a-1" }));
    await waitFor(() => ana.received("message").length === 4, 2_000, "ana's copies");
    await waitFor(() => ben.received("message").length === 4, 2_000, "ben's copies");
    const all = [...sent, reply.message].sort((a, b) => a.id - b.id);
    assert.deepEqual(ana.received("message"), all, "every message once, in id order");
    assert.deepEqual(ben.received("message"), all);
    assert.deepEqual(
      ana.received("typing").map((p) => p.typing),
      [true],
      "ben's messages end his typing without a typing:false",
    );

    ben.socket.disconnect();
    // Each event may come back on its own poll: wait for the last one.
    await waitFor(() => ana.received("presence").at(-1)?.members.length === 1, 2_000, "presence after leaving");
    assert.deepEqual(ana.received("member:left"), [{ room: "slow-lane", nickname: "ben" }]);
    assert.deepEqual(ana.received("presence").at(-1), { room: "slow-lane", members: ["ana"] });
    ana.socket.disconnect();
  });
});
