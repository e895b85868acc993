import assert from "node:assert/strict";
import { test } from "node:test";
import { WireConnection } from "../../src/wire/wire-connection.js";
import { WireDialer } from "../../src/wire/wire-dialer.js";
import type { WireDuplex } from "../../src/wire/wire-duplex.js";
import { advance, outcome, QUIET } from "./connection-fixtures.js";
import { type MemoryDuplex, memoryPair, virtualReactor } from "./memory-duplex.js";

/** A dialer whose dials fail `failures` times, then reach a server connection that records messages. */
function setup(failures: number) {
  const reactor = virtualReactor(3);
  const dialTimes: number[] = [];
  const servers: WireConnection[] = [];
  const clientEnds: MemoryDuplex[] = [];
  const got: unknown[] = [];
  let left = failures;
  const dialer = new WireDialer(reactor, {
    connection: QUIET,
    connect: () => {
      dialTimes.push(reactor.nowMs());
      if (left-- > 0) return Promise.reject(new Error("ECONNREFUSED"));
      const [client, server] = memoryPair(reactor);
      const connection = new WireConnection(server, reactor, QUIET);
      connection.onMessage = (message) => {
        got.push(message.body);
      };
      servers.push(connection);
      clientEnds.push(client);
      return Promise.resolve(client as WireDuplex);
    },
  });
  return { reactor, dialer, dialTimes, servers, clientEnds, got };
}

test("a dialer connects on the first send and delivers it", async () => {
  const { reactor, dialer, got, dialTimes } = setup(0);
  const sent = outcome(dialer.send("hello"));
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(sent.state, "resolved");
  assert.deepEqual(got, ["hello"]);
  assert.equal(dialTimes.length, 1);
  dialer.close();
});

test("failed dials back off exponentially with jitter; each failure rejects the oldest waiting send", async () => {
  const { reactor, dialer, dialTimes, got } = setup(3);
  const first = outcome(dialer.send("first", { timeoutMs: 60_000 }));
  const rest = [2, 3, 4].map((n) => outcome(dialer.send(n, { timeoutMs: 60_000 })));
  await advance(reactor, 10_000);
  assert.equal(dialTimes.length, 4);
  const gaps = dialTimes.slice(1).map((t, i) => t - dialTimes[i]!);
  // n-th retry waits min(max, 50 × 2ⁿ) + [0, 500) ms, n = failed dials so far (1, 2, 3).
  for (const [i, gap] of gaps.entries()) {
    const base = 50 * 2 ** (i + 1);
    assert.ok(gap >= base && gap < base + 500, `gap ${i}: ${gap} ms not in [${base}, ${base + 500})`);
  }
  assert.equal(first.state, "rejected");
  assert.equal((first.error as { code: string }).code, "cannot_connect");
  assert.deepEqual(
    rest.map((r) => r.state),
    ["rejected", "rejected", "resolved"],
  );
  assert.deepEqual(got, [4]);
  dialer.close();
});

test("after a connection loss, sends never written move to the next connection; written ones reject", async () => {
  const { reactor, dialer, servers, clientEnds, got } = setup(0);
  const one = outcome(dialer.send("one"));
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(one.state, "resolved");
  servers[0]!.onMessage = (_message, _done) => {}; // holds every message: the window fills
  const inFlight = Array.from({ length: 16 }, (_, i) => outcome(dialer.send(`held ${i}`)));
  const queued = outcome(dialer.send("queued behind the window"));
  await reactor.settle({ maxAdvanceMs: 0 });
  assert.equal(dialer.connection?.stats.queued, 1);
  clientEnds[0]!.reset();
  await advance(reactor, 1_000);
  assert.ok(inFlight.every((s) => s.state === "rejected" && (s.error as { code: string }).code === "connection_lost"));
  assert.equal(servers.length, 2, "redialed");
  assert.equal(queued.state, "resolved");
  assert.deepEqual(got, ["one", "queued behind the window"]);
  dialer.close();
});
