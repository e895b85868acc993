import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AnyRef, ExitReasons } from "../../src/index.js";
import { ok, startTestChat, type TestChat, type TestClient, waitFor } from "./chat-harness.js";

/** Sends `count` messages one after another; returns the acknowledged ids (failures are kept as errors). */
async function sendSeries(client: TestClient, room: string, prefix: string, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const reply = ok(
      await client.request("message:send", { room, text: `${prefix} ${i}`, clientId: `${prefix}-${i}` }),
    );
    ids.push(reply.message.id);
  }
  return ids;
}

async function storedIds(client: TestClient, room: string): Promise<number[]> {
  const page = ok(await client.request("history:before", { room, beforeId: Number.MAX_SAFE_INTEGER, limit: 100 }));
  return page.messages.map((m: { id: number }) => m.id);
}

async function childRef(t: TestChat, which: "room" | "connection", id: string): Promise<AnyRef> {
  const supervisor = which === "room" ? t.chat.roomsSupervisor() : t.chat.io.supervisor;
  assert.ok(supervisor);
  const children = await supervisor.ask("whichChildren");
  const child = children.find((c) => c.id === id || (which === "connection" && c.id.startsWith(id)));
  assert.ok(child?.ref, `no running child ${id}`);
  return child.ref;
}

describe("the chat under failures", () => {
  let t: TestChat;

  before(async () => {
    t = await startTestChat({ limits: { rateBurstMessages: 1_000 } });
  });

  after(async () => {
    await t.dispose();
  });

  test("killing the history store loses no acknowledged message and the chat keeps working", async () => {
    const ana = await t.client("ana");
    const ben = await t.client("ben");
    ok(await ana.request("room:join", { room: "durable" }));
    ok(await ben.request("room:join", { room: "durable" }));
    const store = await t.chat.historyStore();
    assert.ok(store);
    const during = sendSeries(ana, "durable", "during", 20);
    await new Promise((resolve) => setTimeout(resolve, 5));
    t.chat.node.loop.exit(store, ExitReasons.killed);
    const acked = await during;
    await waitFor(() => t.chat.node.reports.recent().some((r) => r.type === "crash_report" && r.childId === "history"));
    const fresh = await t.chat.historyStore();
    assert.ok(fresh && fresh !== store, "a new store runs");
    acked.push(...(await sendSeries(ben, "durable", "after", 3)));
    assert.deepEqual(await storedIds(ana, "durable"), acked);
    ana.socket.disconnect();
    ben.socket.disconnect();
  });

  test("killing a room actor keeps its members, loses no acknowledged message, and the room keeps working", async () => {
    const ana = await t.client("ana");
    const ben = await t.client("ben");
    ok(await ana.request("room:join", { room: "fragile" }));
    ok(await ben.request("room:join", { room: "fragile" }));
    const room = await childRef(t, "room", "room:fragile");
    const during = sendSeries(ana, "fragile", "during", 20);
    await new Promise((resolve) => setTimeout(resolve, 5));
    t.chat.node.loop.exit(room, ExitReasons.killed);
    const acked = await during;
    const restarted = await childRef(t, "room", "room:fragile");
    assert.notEqual(restarted, room);
    acked.push(...(await sendSeries(ben, "fragile", "after", 3)));
    assert.deepEqual(await storedIds(ana, "fragile"), acked);
    const list = ok(await ana.request("rooms:list"));
    assert.deepEqual(
      list.rooms.find((r: { name: string }) => r.name === "fragile"),
      { name: "fragile", members: 2 },
      "the restarted room rebuilt its members",
    );
    await waitFor(() => ana.received("message").some((m) => m.text === "after 2"), 2_000, "broadcast after restart");
    ana.socket.disconnect();
    ben.socket.disconnect();
  });

  test("killing a connection actor drops only that client, which can reconnect and catch up", async () => {
    const ana = await t.client("ana");
    const ben = await t.client("ben");
    ok(await ana.request("room:join", { room: "conn" }));
    ok(await ben.request("room:join", { room: "conn" }));
    const last = ok(await ana.request("message:send", { room: "conn", text: "one", clientId: "c1" })).message.id;
    const engineId = (ana.socket.io.engine as unknown as { id: string }).id;
    const connection = await childRef(t, "connection", `connection-${engineId}`);
    const disconnected = new Promise((resolve) => ana.socket.once("disconnect", resolve));
    t.chat.node.loop.exit(connection, ExitReasons.killed);
    await disconnected;
    await waitFor(() => ben.received("member:left").some((m) => m.nickname === "ana"), 2_000, "ana's leave");
    const missed = ok(await ben.request("message:send", { room: "conn", text: "two", clientId: "c2" })).message.id;
    const back = await t.client("ana");
    const rejoined = ok(await back.request("room:join", { room: "conn", sinceId: last }));
    assert.deepEqual(
      rejoined.messages.map((m: { id: number }) => m.id),
      [missed],
    );
    back.socket.disconnect();
    ben.socket.disconnect();
  });

  test("a restarted room rebuilds who holds each nickname with its sessionKey, so takeover still works", async () => {
    const sessionKey = "k".repeat(32);
    const old = await t.client("ana", { sessionKey });
    ok(await old.request("room:join", { room: "rebuilt" }));
    const room = await childRef(t, "room", "room:rebuilt");
    t.chat.node.loop.exit(room, ExitReasons.killed);
    const restarted = await childRef(t, "room", "room:rebuilt");
    assert.notEqual(restarted, room);
    const stranger = await t.client("ana", { sessionKey: "s".repeat(32) });
    const refused = await stranger.request("room:join", { room: "rebuilt" });
    assert.equal(refused.ok ? "ok" : refused.error.code, "nickname_taken");
    const fresh = await t.client("ana", { sessionKey });
    assert.deepEqual(ok(await fresh.request("room:join", { room: "rebuilt" })).members, ["ana"]);
    await waitFor(() => old.received("room:replaced").length === 1, 2_000, "room:replaced");
    for (const client of [old, stranger, fresh]) client.socket.disconnect();
  });
});
