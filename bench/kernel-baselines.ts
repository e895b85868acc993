/**
 * Baselines of the kernel benchmark: the same handler calls as the actor workloads, minus the
 * actor runtime. Messages are pushed into one JS array queue, then taken from its head and
 * dispatched by tag to a handler that returns the node's next state.
 */
import { timeSync } from "./harness.js";

type Handler = (state: never, payload: never, queue: BareQueue) => unknown;

/** A message receiver of the bare queue: a state and handlers by tag. */
export interface BareNode {
  state: unknown;
  readonly handlers: Readonly<Record<string, Handler>>;
}

interface BareMessage {
  readonly to: BareNode;
  readonly tag: string;
  readonly payload: unknown;
}

/**
 * A bare array-queue dispatch loop: the baseline "runtime". Messages are taken from the head by
 * a read index (the consumed prefix is dropped now and then), not with `Array#shift`, whose cost
 * swings with the queue's length (measured 5.6M/s at 100 deep, against 72M/s with an index).
 */
export class BareQueue {
  readonly #queue: BareMessage[] = [];
  #head = 0;

  /** Queues a message for `to`. */
  send(to: BareNode, tag: string, payload: unknown): void {
    this.#queue.push({ to, tag, payload });
  }

  /** Dispatches until the queue is empty or `callsMax` handler calls were made; returns the calls made. */
  run(callsMax: number): number {
    let calls = 0;
    for (let message = this.#take(); message !== undefined; message = this.#take()) {
      const node = message.to;
      const handler = node.handlers[message.tag] as (state: unknown, payload: unknown, queue: BareQueue) => unknown;
      node.state = handler(node.state, message.payload, this);
      if (++calls >= callsMax) break;
    }
    return calls;
  }

  #take(): BareMessage | undefined {
    const queue = this.#queue;
    if (this.#head >= queue.length) {
      queue.length = 0;
      this.#head = 0;
      return undefined;
    }
    if (this.#head >= 1024 && this.#head * 2 >= queue.length) this.#compact();
    const message = queue[this.#head] as BareMessage;
    queue[this.#head++] = undefined as unknown as BareMessage;
    return message;
  }

  // Drops the consumed prefix (amortised O(1) per message), so a queue that never drains stays small.
  #compact(): void {
    const queue = this.#queue;
    queue.copyWithin(0, this.#head);
    queue.length -= this.#head;
    this.#head = 0;
  }
}

interface BareConsumerState {
  readonly count: number;
  readonly chunk: number;
  readonly producer: BareNode;
}

interface BareProducerState {
  readonly consumer: BareNode;
  readonly chunk: number;
  readonly window: number;
  readonly sent: number;
  readonly acked: number;
  readonly total: number;
}

function bareSendChunk(queue: BareQueue, consumer: BareNode, from: number, chunk: number): number {
  for (let i = 0; i < chunk; i++) queue.send(consumer, "msg", from + i);
  return from + chunk;
}

const bareProducerHandlers = {
  start(state: BareProducerState, total: number, queue: BareQueue): BareProducerState {
    let sent = 0;
    for (let c = 0; c < state.window && sent < total; c++)
      sent = bareSendChunk(queue, state.consumer, sent, state.chunk);
    return { ...state, sent, acked: 0, total };
  },
  credit(state: BareProducerState, _none: undefined, queue: BareQueue): BareProducerState {
    const acked = state.acked + state.chunk;
    const sent = state.sent < state.total ? bareSendChunk(queue, state.consumer, state.sent, state.chunk) : state.sent;
    return { ...state, sent, acked };
  },
};

const bareConsumerHandlers = {
  msg(state: BareConsumerState, _n: number, queue: BareQueue): BareConsumerState {
    const count = state.count + 1;
    if (count % state.chunk === 0) queue.send(state.producer, "credit", undefined);
    return { count, chunk: state.chunk, producer: state.producer };
  },
};

/** Baseline of the 1 → 1 tell case: the same producer, consumer and credits on a bare queue. */
export function bareTellMs(total: number, chunk: number, window: number): number {
  const queue = new BareQueue();
  const consumer: BareNode = { state: null, handlers: bareConsumerHandlers };
  const producer: BareNode = { state: null, handlers: bareProducerHandlers };
  producer.state = { consumer, chunk, window, sent: 0, acked: 0, total: 0 } satisfies BareProducerState;
  consumer.state = { count: 0, chunk, producer } satisfies BareConsumerState;
  const callsMax = total + total / chunk + 1;
  return timeSync(() => {
    queue.send(producer, "start", total);
    const calls = queue.run(callsMax);
    if ((consumer.state as BareConsumerState).count !== total) throw new Error(`bare tell made ${calls} calls`);
  });
}

interface BareRingState {
  readonly next: BareNode | null;
}

const bareRingHandlers = {
  token(state: BareRingState, hopsLeft: number, queue: BareQueue): BareRingState {
    if (hopsLeft > 0 && state.next !== null) queue.send(state.next, "token", hopsLeft - 1);
    return state;
  },
};

/** Baseline of the ring: `size` nodes forwarding one token `hops` times through a bare queue. */
export function bareRingMs(size: number, hops: number): number {
  const nodes: BareNode[] = [];
  for (let i = 0; i < size; i++) nodes.push({ state: { next: null }, handlers: bareRingHandlers });
  for (let i = 0; i < size; i++) nodes[i]!.state = { next: nodes[(i + 1) % size] };
  const queue = new BareQueue();
  return timeSync(() => {
    queue.send(nodes[0]!, "token", hops);
    const calls = queue.run(hops + 1);
    if (calls !== hops + 1) throw new Error(`bare ring made ${calls} calls, expected ${hops + 1}`);
  });
}

const bareSinkHandlers = {
  add: (count: number, by: number): number => count + by,
};

/** Baseline of near calls and asks: `total` "add" messages through a bare queue, `chunk` at a time. */
export function bareDispatchMs(total: number, chunk: number): number {
  const queue = new BareQueue();
  const sink: BareNode = { state: 0, handlers: bareSinkHandlers };
  return timeSync(() => {
    for (let sent = 0; sent < total; sent += chunk) {
      for (let i = 0; i < chunk; i++) queue.send(sink, "add", 1);
      queue.run(chunk);
    }
    if (sink.state !== total) throw new Error(`bare dispatch counted ${String(sink.state)}, expected ${total}`);
  });
}

/** An actor record as a minimal runtime would keep it. */
interface BareRecord {
  readonly id: number;
  readonly node: BareNode;
  readonly mailbox: BareMessage[] | null;
}

const bareIdleHandlers = {
  ping: (id: number): number => id,
};

/** Baseline of spawning: allocates `count` records (id, state from `init`, handlers, no mailbox) into a Map. */
export function bareSpawn(count: number, init: (id: number) => unknown): Map<number, BareRecord> {
  const records = new Map<number, BareRecord>();
  for (let id = 1; id <= count; id++) {
    records.set(id, { id, node: { state: init(id), handlers: bareIdleHandlers }, mailbox: null });
  }
  return records;
}
