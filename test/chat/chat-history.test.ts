import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { HISTORY_FILE_NAME, HistoryDatabase } from "../../examples/chat/server/history-database.js";
import { ok, startTestChat, type TestChat } from "./chat-harness.js";

const ids = (page: { messages: { id: number }[] }) => page.messages.map((m) => m.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("chat history", () => {
  let dataDir: string;
  let t: TestChat;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "chorus-chat-history-"));
    const db = new HistoryDatabase(join(dataDir, HISTORY_FILE_NAME));
    db.appendBatch(
      range(1, 120).map((i) => ({ room: "archive", nickname: "old", text: `m${i}`, ts: 1_000 + i, clientId: `k${i}` })),
    );
    db.close();
    t = await startTestChat({ limits: { sinceHistoryLengthMax: 100 } }, dataDir);
  });

  after(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("rooms with stored history exist when the chat starts", async () => {
    const ana = await t.client("ana");
    const list = ok(await ana.request("rooms:list"));
    assert.deepEqual(
      list.rooms.map((r: { name: string }) => r.name),
      ["general", "archive"],
    );
    ana.socket.disconnect();
  });

  test("joining returns the last 50 messages and history:before pages back to the first, ascending", async () => {
    const ana = await t.client("ana");
    const joined = ok(await ana.request("room:join", { room: "archive" }));
    assert.deepEqual(ids(joined), range(71, 120));
    assert.equal(joined.hasMore, true);
    const older = ok(await ana.request("history:before", { room: "archive", beforeId: 71 }));
    assert.deepEqual(ids(older), range(21, 70));
    assert.equal(older.hasMore, true);
    const oldest = ok(await ana.request("history:before", { room: "archive", beforeId: 21, limit: 50 }));
    assert.deepEqual(ids(oldest), range(1, 20));
    assert.equal(oldest.hasMore, false);
    const capped = ok(await ana.request("history:before", { room: "archive", beforeId: 121, limit: 500 }));
    assert.equal(capped.messages.length, 100, "a page is at most 100 messages");
    ana.socket.disconnect();
  });

  test("joining with sinceId returns every later message up to the limit, with hasMore beyond it", async () => {
    const ana = await t.client("ana");
    const since = ok(await ana.request("room:join", { room: "archive", sinceId: 110 }));
    assert.deepEqual(ids(since), range(111, 120));
    assert.equal(since.hasMore, false);
    const ben = await t.client("ben");
    const all = ok(await ben.request("room:join", { room: "archive", sinceId: 0 }));
    assert.deepEqual(ids(all), range(1, 100));
    assert.equal(all.hasMore, true);
    ana.socket.disconnect();
    ben.socket.disconnect();
  });
});

describe("a chat restarted on the same data dir", () => {
  test("keeps its history and keeps numbering after it", async () => {
    const first = await startTestChat();
    const ana = await first.client("ana");
    ok(await ana.request("room:join", { room: "kept" }));
    const sent: number[] = [];
    for (let i = 0; i < 3; i++)
      sent.push(ok(await ana.request("message:send", { room: "kept", text: `t${i}`, clientId: `r${i}` })).message.id);
    await first.close();

    const second = await startTestChat({}, first.dataDir);
    try {
      const back = await second.client("ana");
      const joined = ok(await back.request("room:join", { room: "kept" }));
      assert.deepEqual(ids(joined), sent);
      const retried = ok(await back.request("message:send", { room: "kept", text: "t0", clientId: "r0" }));
      assert.equal(retried.message.id, sent[0], "a retry after the restart is still deduplicated");
      const next = ok(await back.request("message:send", { room: "kept", text: "new", clientId: "r9" }));
      assert.ok(next.message.id > sent[2]!);
    } finally {
      await second.dispose();
    }
  });
});
