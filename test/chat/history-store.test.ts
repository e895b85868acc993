import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createLoop, type Loop, type Ref } from "../../src/index.js";
import { VirtualReactor } from "../../src/testing.js";
import type { AppendResult } from "../../examples/chat/server/chat-message.js";
import { historyStoreBehaviour, type HistoryStoreProtocol } from "../../examples/chat/server/history-store.js";

const dataDirs: string[] = [];

/** A store on a loop driven by a virtual clock (it never moves unless the test moves it). */
function startStore(flushDelayMs: number): { reactor: VirtualReactor; loop: Loop; store: Ref<HistoryStoreProtocol> } {
  const dataDir = mkdtempSync(join(tmpdir(), "chorus-history-store-"));
  dataDirs.push(dataDir);
  const reactor = new VirtualReactor({ seed: 1 });
  const loop = createLoop({ reactor });
  const store = loop.spawn(historyStoreBehaviour, { dataDir, owner: null, flushDelayMs, batchMessagesMax: 256 });
  return { reactor, loop, store };
}

function append(store: Ref<HistoryStoreProtocol>, clientId: string, settled: AppendResult[]): void {
  void store
    .ask("append", { room: "general", nickname: "ana", text: clientId, ts: 0, clientId })
    .then((result) => settled.push(result));
}

describe("the history store", () => {
  after(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  test("appends that arrive together are committed and answered at once, with no timer (flushDelayMs 0)", async () => {
    const { reactor, loop, store } = startStore(0);
    const settled: AppendResult[] = [];
    for (const id of ["c-1", "c-2", "c-3"]) append(store, id, settled);
    await reactor.settle({ maxAdvanceMs: 0 });
    assert.equal(reactor.nowMs(), 0, "no virtual time passed");
    assert.deepEqual(
      settled.map((result) => [result.message.clientId, result.message.id, result.duplicate]),
      [
        ["c-1", 1, false],
        ["c-2", 2, false],
        ["c-3", 3, false],
      ],
    );
    append(store, "c-2", settled);
    await reactor.settle({ maxAdvanceMs: 0 });
    assert.deepEqual(settled.at(-1)?.message.id, 2, "a repeated clientId answers the stored message");
    assert.equal(settled.at(-1)?.duplicate, true);
    loop.shutdown();
  });

  test("with flushDelayMs > 0 appends wait that long before their transaction", async () => {
    const { reactor, loop, store } = startStore(5);
    const settled: AppendResult[] = [];
    append(store, "c-1", settled);
    append(store, "c-2", settled);
    await reactor.settle({ maxAdvanceMs: 0 });
    reactor.advanceBy(4);
    await reactor.settle({ maxAdvanceMs: 0 });
    assert.equal(settled.length, 0, "nothing is answered before the delay");
    reactor.advanceBy(1);
    await reactor.settle({ maxAdvanceMs: 0 });
    assert.deepEqual(
      settled.map((result) => result.message.id),
      [1, 2],
    );
    loop.shutdown();
  });
});
