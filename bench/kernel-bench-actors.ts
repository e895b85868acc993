/**
 * Behaviours used by the kernel benchmark, exported by name so that a worker loop can import
 * this module (compiled, next to the bench) and spawn them. Keep this module free of side
 * effects: worker threads load it.
 */
import type { Behaviour } from "../src/kernel/behaviour.js";
import type { Ref } from "../src/kernel/ref.js";

/** Tells the bench that a workload finished; `done` is replaced before each run. */
export interface Probe {
  done(): void;
}

/** A counter: the target of tells, near calls and asks. */
export interface Sink {
  /** Counts one message. */
  msg(n: number): void;
  /** Counts `by` messages and replies with the new count. */
  add(by: number): number;
  /** Replies with the count. */
  count(): number;
}

/** A counter with a numeric state; also spawned on worker loops by name. */
export const sinkBehaviour: Behaviour<Sink, number, unknown> = {
  name: "sink",
  init: () => 0,
  handlers: {
    msg(count, _n, ctx) {
      ctx.setState(count + 1);
    },
    add(count, by, ctx) {
      ctx.setState(count + by);
      return count + by;
    },
    count: (count) => count,
  },
};

/** Consumer side of the 1 → 1 tell case: counts messages, grants a credit per chunk. */
export interface Consumer {
  attach(producer: Ref<Producer>): void;
  msg(n: number): void;
}

interface ConsumerState {
  readonly count: number;
  readonly chunk: number;
  readonly producer: Ref<Producer> | null;
}

/** Counts messages; every `chunk` messages tells the producer it may send another chunk. */
export const consumerBehaviour: Behaviour<Consumer, ConsumerState, number> = {
  name: "consumer",
  init: (chunk) => ({ count: 0, chunk, producer: null }),
  handlers: {
    attach(state, producer, ctx) {
      ctx.setState({ ...state, producer });
    },
    msg(state, _n, ctx) {
      const count = state.count + 1;
      ctx.setState({ count, chunk: state.chunk, producer: state.producer });
      if (count % state.chunk === 0) state.producer?.tell("credit");
    },
  },
};

/** Producer side of the 1 → 1 tell case. */
export interface Producer {
  /** Sends `total` messages (a multiple of the chunk), then calls the probe. */
  start(total: number): void;
  /** The consumer handled one more chunk. */
  credit(): void;
}

/** Arguments of {@link producerBehaviour}. */
export interface ProducerArgs {
  readonly consumer: Ref<Consumer>;
  readonly probe: Probe;
  /** Messages per turn. */
  readonly chunk: number;
  /** Chunks in flight: window × chunk stays under the consumer's mailbox bound. */
  readonly window: number;
}

interface ProducerState extends ProducerArgs {
  readonly sent: number;
  readonly acked: number;
  readonly total: number;
}

/** Sends chunks of tells, keeping at most `window` chunks unacknowledged. */
export const producerBehaviour: Behaviour<Producer, ProducerState, ProducerArgs> = {
  name: "producer",
  init: (args) => ({ ...args, sent: 0, acked: 0, total: 0 }),
  handlers: {
    start(state, total, ctx) {
      let sent = 0;
      for (let c = 0; c < state.window && sent < total; c++) sent = sendChunk(state.consumer, sent, state.chunk);
      ctx.setState({ ...state, sent, acked: 0, total });
    },
    credit(state, _none, ctx) {
      const acked = state.acked + state.chunk;
      if (acked >= state.total) state.probe.done();
      const sent = state.sent < state.total ? sendChunk(state.consumer, state.sent, state.chunk) : state.sent;
      ctx.setState({ ...state, sent, acked });
    },
  },
};

function sendChunk(consumer: Ref<Consumer>, from: number, chunk: number): number {
  for (let i = 0; i < chunk; i++) consumer.tell("msg", from + i);
  return from + chunk;
}

/** A node of the ring. */
export interface RingNode {
  setNext(next: Ref<RingNode>): void;
  /** Passes the token on, `hopsLeft` more times. */
  token(hopsLeft: number): void;
}

interface RingState {
  readonly next: Ref<RingNode> | null;
  readonly probe: Probe;
}

/** Forwards the token to the next node; the node that sees 0 hops left calls the probe. */
export const ringNodeBehaviour: Behaviour<RingNode, RingState, Probe> = {
  name: "ring",
  init: (probe) => ({ next: null, probe }),
  handlers: {
    setNext(state, next, ctx) {
      ctx.setState({ next, probe: state.probe });
    },
    token(state, hopsLeft) {
      if (hopsLeft === 0) state.probe.done();
      else state.next?.tell("token", hopsLeft - 1);
    },
  },
};

/** An actor that only waits (for the spawn and heap figures). */
export interface Idle {
  ping(): number;
}

/** The state of an idle actor: its number (no heap beyond the runtime's own records). */
export function idleState(id: number): number {
  return id;
}

/** Holds a number and does nothing until pinged. */
export const idleBehaviour: Behaviour<Idle, number, number> = {
  name: "idle",
  init: idleState,
  handlers: {
    ping: (id) => id,
  },
};
