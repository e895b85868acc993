import type { Prng } from "../reactor/virtual/prng.js";
import type { SimNode } from "./sim-node.js";
import type { SimWorld } from "./sim-world.js";

export { SimConnection };
import { cloneMessage, type Parcel, traceData, traceDrop } from "./parcel.js";
import { SimConnection } from "./sim-connection.js";

/** Behaviour of the directed link between two nodes. */
export interface LinkConfig {
  /** Smallest one-way latency, in ms. Default 1. */
  latencyMinMs: number;
  /** Largest one-way latency, in ms (uniform between min and max). Default 5. */
  latencyMaxMs: number;
  /** Probability that a message is lost. Default 0. */
  lossRate: number;
  /** Probability that a message is delivered twice. Default 0. */
  dupRate: number;
  /** Let messages overtake each other (no per-connection FIFO). Default false. */
  reorder: boolean;
}

/** Default link behaviour: 1–5 ms, lossless, FIFO. */
export const LINK_DEFAULTS: LinkConfig = { latencyMinMs: 1, latencyMaxMs: 5, lossRate: 0, dupRate: 0, reorder: false };

/** @internal The state of one directed link (one per ordered pair of node names, never replaced). */
export interface LinkState {
  config: LinkConfig;
  partitioned: boolean;
  held: Array<() => void> | null;
}

/**
 * The simulated network: listeners, connections and per-directed-link faults (latency, loss,
 * duplication, reordering, partitions, hold/release, reset). Every random choice comes from a
 * PRNG forked from the world's seed.
 */
export class SimNetwork {
  readonly world: SimWorld;
  readonly #prng: Prng;
  readonly #defaults: LinkConfig;
  readonly #links = new Map<string, LinkState>();
  readonly #listeners = new Map<string, (connection: SimConnection) => void>();
  readonly #open = new Set<SimConnection>();
  readonly #watched = new WeakSet<SimNode>();
  #nextId = 0;

  constructor(world: SimWorld, defaults: Partial<LinkConfig> = {}) {
    this.world = world;
    this.#prng = world.prng.fork();
    this.#defaults = { ...LINK_DEFAULTS, ...defaults };
  }

  /** Accepts connections to `node`:`port`; returns a function that stops listening. */
  listen(node: SimNode, port: string, onAccept: (connection: SimConnection) => void): () => void {
    const key = `${node.name}:${port}`;
    this.#listeners.set(key, onAccept);
    this.#watch(node);
    const epoch = node.epoch;
    return () => {
      if (node.epoch === epoch) this.#listeners.delete(key);
    };
  }

  /**
   * Opens a connection from `from` to `to`:`port`. The returned end can send at once (messages
   * queue behind the handshake); if nobody listens, it closes with "refused".
   */
  connect(from: SimNode, to: SimNode, port: string): SimConnection {
    this.#watch(from);
    this.#watch(to);
    const id = ++this.#nextId;
    const local = new SimConnection(this, id, from, to);
    const remote = new SimConnection(this, id, to, from);
    local.peer = remote;
    remote.peer = local;
    this.#open.add(local);
    this.#open.add(remote);
    this.world.record({ type: "connect", atMs: this.world.nowMs, from: from.name, to: to.name, conn: id });
    const dueMs = this.#schedule(local, remote);
    this.world.addTimer(
      to,
      dueMs,
      0,
      () => {
        const accept = this.#listeners.get(`${to.name}:${port}`);
        if (accept === undefined || to.status === "crashed") this.closeLater(remote, local, "refused");
        else if (!remote.closed) accept(remote);
      },
      true,
    );
    return local;
  }

  /** Changes the directed link `from`→`to` (both directions with `bothWays`). */
  setLink(from: string, to: string, config: Partial<LinkConfig>, bothWays = true): void {
    for (const [a, b] of bothWays
      ? [
          [from, to],
          [to, from],
        ]
      : [[from, to]]) {
      const link = this.#link(a!, b!);
      link.config = { ...link.config, ...config };
    }
    const merged = this.#link(from, to).config;
    this.world.record({
      type: "fault",
      atMs: this.world.nowMs,
      fault: { kind: "link", from, to, lossRate: merged.lossRate, dupRate: merged.dupRate },
    });
  }

  /** Drops everything from `from` to `to` (and back, unless `oneWay`) until {@link heal}. */
  partition(from: string, to: string, oneWay = false): void {
    this.#link(from, to).partitioned = true;
    if (!oneWay) this.#link(to, from).partitioned = true;
    this.world.record({ type: "fault", atMs: this.world.nowMs, fault: { kind: "partition", from, to, oneWay } });
  }

  /** Removes every partition and link fault and releases every held message. */
  heal(): void {
    for (const [key, link] of this.#links) {
      link.partitioned = false;
      link.config = { ...this.#defaults };
      if (link.held !== null) this.#releaseLink(key, link);
    }
    this.world.record({ type: "fault", atMs: this.world.nowMs, fault: { kind: "heal" } });
  }

  /** Holds messages from `from` to `to` (they queue) until {@link release}. */
  hold(from: string, to: string): void {
    this.#link(from, to).held ??= [];
    this.world.record({ type: "fault", atMs: this.world.nowMs, fault: { kind: "hold", from, to } });
  }

  /** Sends the messages held on `from`→`to`, in order. */
  release(from: string, to: string): void {
    const key = `${from}>${to}`;
    const link = this.#links.get(key);
    this.world.record({ type: "fault", atMs: this.world.nowMs, fault: { kind: "release", from, to } });
    if (link?.held) this.#releaseLink(key, link);
  }

  /** Resets every connection between the two nodes (both ends see "reset"). */
  reset(a: string, b: string): void {
    this.world.record({ type: "fault", atMs: this.world.nowMs, fault: { kind: "reset", from: a, to: b } });
    for (const end of [...this.#open]) {
      if (end.node.name === a && end.remote.name === b) this.#resetPair(end, "reset");
    }
  }

  /** Number of open connection ends (for invariants and leak checks). */
  get openConnectionCount(): number {
    return this.#open.size;
  }

  // ---- used by SimConnection ----

  /** @internal */
  transmit(from: SimConnection, to: SimConnection, data: unknown): void {
    const link = this.#linkOf(from, to);
    const parcel: Parcel = { from, to, data, sentMs: this.world.nowMs };
    traceData(this.world, "send", parcel.sentMs, parcel);
    if (link.held !== null) link.held.push(() => this.#deliver(link, parcel));
    else this.#deliver(link, parcel);
  }

  #deliver(link: LinkState, parcel: Parcel): void {
    if (link.partitioned) return traceDrop(this.world, parcel, "partition");
    if (link.config.lossRate > 0 && this.#prng.nextFloat() < link.config.lossRate) {
      return traceDrop(this.world, parcel, "loss");
    }
    const copies = link.config.dupRate > 0 && this.#prng.nextFloat() < link.config.dupRate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const dueMs = this.#schedule(parcel.from, parcel.to);
      // A duplicate is its own copy: the receiver may mutate the first one before the second arrives.
      const payload = i === 0 ? parcel.data : cloneMessage(parcel.data);
      this.world.addTimer(parcel.to.node, dueMs, 0, () => this.#arrive(parcel, payload), true);
    }
  }

  #arrive(parcel: Parcel, payload: unknown): void {
    if (parcel.to.closed) return traceDrop(this.world, parcel, "closed");
    traceData(this.world, "deliver", this.world.nowMs, parcel);
    parcel.to.onMessage?.(payload);
  }

  /** @internal Closes `to` after the messages already in flight on this direction. */
  closeLater(from: SimConnection, to: SimConnection, why: string): void {
    this.#open.delete(from);
    const dueMs = Math.max(this.#schedule(from, to), from.lastDeliveryMs);
    this.world.addTimer(to.node, dueMs, 0, () => this.#finish(to, why), true);
  }

  #finish(end: SimConnection, why: string): void {
    this.#open.delete(end);
    if (end.closed && end.onClose === null) return;
    this.world.record({
      type: "close",
      atMs: this.world.nowMs,
      from: end.node.name,
      to: end.remote.name,
      conn: end.id,
    });
    end.closeNow(why);
  }

  #resetPair(end: SimConnection, why: string): void {
    const peer = end.peer;
    for (const side of peer === null ? [end] : [end, peer]) {
      this.#open.delete(side);
      side.closed = true;
      side.node.pushTask(side.node.epoch, () => this.#finish(side, why));
    }
  }

  #schedule(from: SimConnection, to: SimConnection): number {
    const config = this.#linkOf(from, to).config;
    const span = config.latencyMaxMs - config.latencyMinMs;
    let dueMs = this.world.nowMs + config.latencyMinMs + (span > 0 ? this.#prng.nextFloat() * span : 0);
    if (!config.reorder) dueMs = Math.max(dueMs, from.lastDeliveryMs);
    from.lastDeliveryMs = dueMs;
    return dueMs;
  }

  #linkOf(from: SimConnection, to: SimConnection): LinkState {
    return (from.link ??= this.#link(from.node.name, to.node.name));
  }

  #link(from: string, to: string): LinkState {
    const key = `${from}>${to}`;
    let link = this.#links.get(key);
    if (link === undefined) {
      link = { config: { ...this.#defaults }, partitioned: false, held: null };
      this.#links.set(key, link);
    }
    return link;
  }

  #releaseLink(_key: string, link: LinkState): void {
    const held = link.held ?? [];
    link.held = null;
    for (const deliver of held) deliver();
  }

  // A crashed node's connections vanish: its peers see the close after the link latency.
  #watch(node: SimNode): void {
    if (this.#watched.has(node)) return;
    this.#watched.add(node);
    node.onCrash(() => {
      for (const key of [...this.#listeners.keys()]) if (key.startsWith(`${node.name}:`)) this.#listeners.delete(key);
      for (const end of [...this.#open]) {
        if (end.node !== node) continue;
        this.#open.delete(end);
        end.closed = true;
        end.onClose = null;
        end.onMessage = null;
        if (end.peer !== null && !end.peer.closed) this.closeLater(end, end.peer, "peer crashed");
      }
    });
  }
}
