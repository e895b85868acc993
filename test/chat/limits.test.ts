import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { VirtualReactor } from "../../src/testing.js";
import {
  CHAT_LIMITS_DEFAULTS,
  characterCount,
  isRoomName,
  normalizeNickname,
  resolveChatLimits,
  textProblem,
} from "../../examples/chat/server/limits.js";
import { TokenBucket } from "../../examples/chat/server/token-bucket.js";

describe("chat limits", () => {
  test("a nickname is trimmed and is 1-24 letters (any script), digits, _, - or .", () => {
    assert.equal(normalizeNickname("  ana  "), "ana");
    assert.equal(normalizeNickname("Žofie_ß.日本-1"), "Žofie_ß.日本-1");
    assert.equal(normalizeNickname("x".repeat(24)), "x".repeat(24));
    for (const bad of ["", "   ", "a b", "x".repeat(25), "<script>", "a@b", null, 7]) {
      assert.equal(normalizeNickname(bad), null, String(bad));
    }
  });

  test("a room name is 1-32 characters of a-z, 0-9 and -", () => {
    assert.ok(isRoomName("general"));
    assert.ok(isRoomName("a-1"));
    assert.ok(isRoomName("x".repeat(32)));
    for (const bad of ["", "General", "a b", "x".repeat(33), "é", "a_b", 1]) assert.equal(isRoomName(bad), false);
  });

  test("a message text is 1-2,000 characters after trimming, counted in code points", () => {
    assert.equal(characterCount("😀😀"), 2);
    assert.equal(textProblem("hi"), null);
    assert.equal(textProblem(" \n "), "empty");
    assert.equal(textProblem("😀".repeat(2_000)), null);
    assert.equal(textProblem("x".repeat(2_001)), "too_long");
    assert.equal(textProblem(` ${"x".repeat(2_000)} `), null);
  });

  test("limits resolve over the defaults and name a bad field", () => {
    assert.equal(resolveChatLimits().rateBurstMessages, CHAT_LIMITS_DEFAULTS.rateBurstMessages);
    assert.equal(resolveChatLimits({ typingTimeoutMs: 100 }).typingTimeoutMs, 100);
    assert.throws(
      () => resolveChatLimits({ rateBurstMessages: 0 }),
      /limits.rateBurstMessages must be an integer >= 1/,
    );
    assert.throws(() => resolveChatLimits({ roomsMax: 1.5 }), RangeError);
    assert.equal(resolveChatLimits().storeFlushDelayMs, 0, "group commit by default");
    assert.equal(resolveChatLimits({ storeFlushDelayMs: 2 }).storeFlushDelayMs, 2);
    assert.throws(() => resolveChatLimits({ storeFlushDelayMs: -1 }), /limits.storeFlushDelayMs must be a number >= 0/);
    assert.throws(() => resolveChatLimits({ typingTimeoutMs: 0 }), /limits.typingTimeoutMs must be a number > 0/);
  });
});

describe("token bucket", () => {
  test("allows a burst of its capacity, then one token per refill period", () => {
    const reactor = new VirtualReactor({ seed: 1 });
    const bucket = new TokenBucket(reactor, 10, 1);
    for (let i = 0; i < 10; i++) assert.ok(bucket.take(), `burst ${i}`);
    assert.equal(bucket.take(), false);
    assert.equal(bucket.waitMs(), 1_000);
    reactor.advanceBy(999);
    assert.equal(bucket.take(), false);
    reactor.advanceBy(1);
    assert.ok(bucket.take());
    reactor.advanceBy(60_000);
    for (let i = 0; i < 10; i++) assert.ok(bucket.take(), `refilled ${i}`);
    assert.equal(bucket.take(), false, "never more than its capacity");
  });
});
