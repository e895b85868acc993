/**
 * Worker side of the cross-loop baseline: a raw MessagePort receiving arrays of tell frames and
 * counting them with the same handler work as the sink actor. A `{ sync }` message is answered
 * with `{ sync, count }` once every earlier batch has been counted (ports are ordered).
 */
import { type MessagePort, workerData } from "node:worker_threads";

interface TellFrame {
  readonly t: "tell";
  readonly to: string;
  readonly tag: string;
  readonly p: unknown;
}

const handlers: Record<string, (count: number, payload: unknown) => number> = {
  msg: (count) => count + 1,
};

const port = (workerData as { port: MessagePort }).port;
let count = 0;

port.on("message", (message: readonly TellFrame[] | { sync: number }) => {
  if (!Array.isArray(message)) {
    port.postMessage({ sync: (message as { sync: number }).sync, count });
    return;
  }
  for (let i = 0; i < message.length; i++) {
    const frame = message[i] as TellFrame;
    count = (handlers[frame.tag] as (count: number, payload: unknown) => number)(count, frame.p);
  }
});
