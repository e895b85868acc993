/**
 * Cross-loop tell throughput: the main loop tells a sink actor on a worker loop, against a raw
 * MessagePort carrying the same frames in the same batches to a worker that counts them.
 *
 * Both sides are paced the same way: the sender writes a block of messages, then a sync request
 * (an ask / a `{ sync }` message) whose answer proves the block was handled; it waits for the
 * previous block's answer before writing the next, so at most two blocks are unhandled and the
 * sink's mailbox (10,000, reject) never overflows.
 */
import { randomBytes } from "node:crypto";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { Loop } from "../src/kernel/loop.js";
import type { Ref } from "../src/kernel/ref.js";
import { startWorkerLoop } from "../src/kernel/worker-loop.js";
import { compareRates, nowMs, type RatePair, withTimeout } from "./harness.js";
import type { Sink } from "./kernel-bench-actors.js";

/** Frames per postMessage, as in the MessagePort transport. */
export const BATCH_FRAMES = 512;
/** Messages written between two sync requests (8 batches). */
export const BLOCK_MESSAGES = 8 * BATCH_FRAMES;

/** A sender of numbered messages to a counting worker. */
interface Channel {
  send(n: number): void;
  /** Resolves with the receiver's count once everything sent before it was handled. */
  sync(): Promise<number>;
  close(): Promise<void>;
}

/** Sends `total` messages paced by sync requests; returns the receiver's count at the end. */
async function pump(channel: Channel, total: number): Promise<number> {
  let sent = 0;
  let previous: Promise<number> | null = null;
  while (sent < total) {
    const end = Math.min(total, sent + BLOCK_MESSAGES);
    for (; sent < end; sent++) channel.send(sent);
    const current = channel.sync();
    if (previous !== null) await previous;
    previous = current;
  }
  return (await previous) ?? 0;
}

/** Times one pump of `total` messages and checks that none was lost. */
async function timedPump(channel: Channel, total: number, what: string): Promise<number> {
  const before = await channel.sync();
  const start = nowMs();
  const after = await withTimeout(pump(channel, total), 60_000, what);
  const elapsed = nowMs() - start;
  if (after - before !== total) throw new Error(`${what}: ${after - before} of ${total} messages arrived`);
  return elapsed;
}

async function actorChannel(loop: Loop): Promise<Channel> {
  const worker = await startWorkerLoop(loop, { name: "bench-w1" });
  const url = new URL("./kernel-bench-actors.js", import.meta.url);
  const sink: Ref<Sink> = await worker.spawn<Sink>(url, "sinkBehaviour", null);
  return {
    send: (n) => sink.tell("msg", n),
    sync: () => sink.ask("count"),
    close: () => worker.stop(),
  };
}

function rawChannel(): Channel {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL("./raw-port-worker.js", import.meta.url), {
    workerData: { port: port2 },
    transferList: [port2],
  });
  const waiting = new Map<number, (count: number) => void>();
  port1.on("message", (reply: { sync: number; count: number }) => {
    waiting.get(reply.sync)?.(reply.count);
    waiting.delete(reply.sync);
  });
  return rawSender(port1, worker, waiting);
}

function rawSender(port: MessagePort, worker: Worker, waiting: Map<number, (count: number) => void>): Channel {
  const to = randomBytes(16).toString("hex");
  let batch: object[] = [];
  let nextSync = 0;
  const flush = () => {
    if (batch.length > 0) port.postMessage(batch);
    batch = [];
  };
  return {
    send(n) {
      batch.push({ t: "tell", to, tag: "msg", p: n });
      if (batch.length === BATCH_FRAMES) flush();
    },
    sync() {
      flush();
      const id = ++nextSync;
      port.postMessage({ sync: id });
      return new Promise((resolve) => waiting.set(id, resolve));
    },
    async close() {
      port.close();
      await worker.terminate();
    },
  };
}

/** Measures far tells to a worker loop against a raw MessagePort, `total` messages per run. */
export async function crossLoopTell(
  loop: Loop,
  total: number,
  runs: number,
  onRun: (run: number, runs: number) => void,
): Promise<RatePair> {
  const actors = await withTimeout(actorChannel(loop), 30_000, "starting the worker loop");
  const raw = rawChannel();
  try {
    return await compareRates({
      ops: total,
      runs,
      subject: () => timedPump(actors, total, "cross-loop tell"),
      baseline: () => timedPump(raw, total, "raw MessagePort"),
      onRun,
    });
  } finally {
    await withTimeout(Promise.all([actors.close(), raw.close()]), 15_000, "stopping the workers");
  }
}
