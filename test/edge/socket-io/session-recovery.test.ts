/** The missed-packet log and the session store of connection state recovery, on virtual time. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VirtualReactor } from "../../../src/reactor/virtual/virtual-reactor.js";
import { type EncodedPacket, encodePacket } from "../../../src/edge/socket-io/packet-encoder.js";
import {
  CONNECTION_STATE_RECOVERY_DEFAULTS,
  type ResolvedRecoveryOptions,
  resolveRecoveryOptions,
} from "../../../src/edge/socket-io/recovery-options.js";
import { SessionRecovery } from "../../../src/edge/socket-io/session-recovery.js";

function setUp(limits: Partial<ResolvedRecoveryOptions> = {}): { reactor: VirtualReactor; recovery: SessionRecovery } {
  const reactor = new VirtualReactor({ seed: 7 });
  const options = resolveRecoveryOptions({ maxDisconnectionDurationMs: 1_000, ...limits })!;
  return { reactor, recovery: new SessionRecovery(options, reactor) };
}

/** Logs an event `n` to `rooms` (minus `except`) as the broadcast path does; returns its offset. */
function log(recovery: SessionRecovery, n: number, rooms: string[] = [], except: string[] = []): string {
  const offset = recovery.log.nextOffset();
  const encoded = encodePacket({ type: "event", nsp: "/", data: ["e", n, offset] });
  recovery.log.append(new Set(rooms), new Set(except), encoded, 0);
  return offset;
}

function numbers(packets: readonly EncodedPacket[] | null): number[] | null {
  return packets === null ? null : packets.map((p) => (JSON.parse(p.text.slice(1)) as [string, number])[1]);
}

describe("connection state recovery options", () => {
  it("are off by default, take true as the defaults, and name a bad option", () => {
    assert.equal(resolveRecoveryOptions(undefined), null);
    assert.deepEqual(resolveRecoveryOptions(true), CONNECTION_STATE_RECOVERY_DEFAULTS);
    assert.equal(CONNECTION_STATE_RECOVERY_DEFAULTS.maxDisconnectionDurationMs, 120_000);
    assert.equal(CONNECTION_STATE_RECOVERY_DEFAULTS.skipMiddlewares, true);
    assert.throws(() => resolveRecoveryOptions({ missedPacketsMax: 0 }), /missedPacketsMax/);
    assert.throws(() => resolveRecoveryOptions({ skipMiddlewares: "yes" as never }), TypeError);
  });
});

describe("session recovery", () => {
  it("replays only the packets after the offset that target the session's rooms, in order", () => {
    const { recovery } = setUp();
    const sessionStart = recovery.log.lastSeq;
    const seen = log(recovery, 1, ["a"]);
    log(recovery, 2, ["a"]);
    log(recovery, 3, ["b"]);
    log(recovery, 4, [], ["a"]);
    log(recovery, 5, []);
    log(recovery, 6, ["sid-1"]);
    recovery.persist({ sid: "sid-1", pid: "p1", baseSeq: sessionStart, rooms: ["sid-1", "a"], data: { x: 1 } });
    const claimed = recovery.claim("p1", seen)!;
    assert.equal(claimed.sid, "sid-1");
    assert.deepEqual(claimed.data, { x: 1 });
    assert.deepEqual(numbers(claimed.missed), [2, 5, 6]);
    assert.equal(recovery.claim("p1", seen), null, "a session is claimed once");
  });

  it("without an offset, replays everything since the session's start", () => {
    const { recovery } = setUp();
    log(recovery, 1);
    const baseSeq = recovery.log.lastSeq;
    log(recovery, 2);
    recovery.persist({ sid: "s", pid: "p", baseSeq, rooms: ["s"], data: {} });
    assert.deepEqual(numbers(recovery.claim("p", undefined)!.missed), [2]);
  });

  it("refuses an unknown pid, a foreign or future offset, and an expired session", () => {
    const { reactor, recovery } = setUp();
    const offset = log(recovery, 1);
    const session = { sid: "s", pid: "p", baseSeq: 0, rooms: ["s"], data: {} };
    assert.equal(recovery.claim("nope", offset), null);
    for (const bad of ["hello", `${offset}x`, offset.replace(/\.[0-9a-z]+$/, ".zz"), 5]) {
      recovery.persist(session);
      assert.equal(recovery.claim("p", bad), null, `offset ${String(bad)}`);
    }
    recovery.persist(session);
    reactor.advanceBy(1_001);
    assert.equal(recovery.claim("p", offset), null);
    assert.equal(recovery.sessionCount, 0, "the expired session is forgotten");
  });

  it("keeps at most missedPacketsMax packets; a client whose missed packets were dropped is not recovered", () => {
    const { recovery } = setUp({ missedPacketsMax: 3 });
    const old = log(recovery, 1);
    const recent = log(recovery, 2);
    for (let n = 3; n <= 5; n++) log(recovery, n);
    assert.equal(recovery.log.length, 3);
    recovery.persist({ sid: "s", pid: "p", baseSeq: 0, rooms: ["s"], data: {} });
    assert.equal(recovery.claim("p", old), null, "packet 2 is gone");
    recovery.persist({ sid: "s", pid: "p", baseSeq: 0, rooms: ["s"], data: {} });
    assert.deepEqual(numbers(recovery.claim("p", recent)!.missed), [3, 4, 5]);
  });

  it("keeps at most missedPacketBytesMax bytes and drops packets older than the window", () => {
    const { reactor, recovery } = setUp({ missedPacketBytesMax: 100 });
    for (let n = 0; n < 20; n++) log(recovery, n);
    assert.ok(recovery.log.bytes <= 100, `${recovery.log.bytes} bytes kept`);
    assert.ok(recovery.log.length > 0);
    reactor.advanceBy(1_001);
    recovery.log.evict(reactor.nowMs());
    assert.equal(recovery.log.length, 0);
    assert.equal(recovery.log.bytes, 0);
  });

  it("keeps at most sessionsMax sessions, forgetting the oldest first", () => {
    const { recovery } = setUp({ sessionsMax: 2 });
    for (const pid of ["p1", "p2", "p3"]) recovery.persist({ sid: pid, pid, baseSeq: 0, rooms: [], data: {} });
    assert.equal(recovery.sessionCount, 2);
    assert.equal(recovery.claim("p1", undefined), null);
    assert.notEqual(recovery.claim("p3", undefined), null);
  });

  it("stays bounded under a long stream of packets (memory does not grow without bound)", () => {
    const { recovery } = setUp({ missedPacketsMax: 50 });
    for (let n = 0; n < 5_000; n++) log(recovery, n, ["r"]);
    assert.equal(recovery.log.length, 50);
    assert.equal(recovery.log.lastSeq, 5_000);
  });

  it("does not replay a packet to the whole namespace that excepted one of the session's rooms", () => {
    const { recovery } = setUp();
    log(recovery, 1, [], ["x"]);
    log(recovery, 2, [], ["y"]);
    recovery.persist({ sid: "s", pid: "p", baseSeq: 0, rooms: ["s", "x"], data: {} });
    assert.deepEqual(numbers(recovery.claim("p", undefined)!.missed), [2]);
  });
});
