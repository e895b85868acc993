/**
 * Batches each WebSocket connection's writes per loop turn: the first frame a connection writes
 * in a turn registers it here, and one deferred task per server (a `Reactor.defer`) lets every
 * connection registered in that turn write what it batched (`ServerWebSocket`: one `write` per
 * connection, joined when small, corked into one `writev` when large). Several frames to one
 * socket in one turn (a busy room's broadcasts) then cost one syscall instead of one each.
 *
 * ```
 * turn:  frame(s1) → add(s1), defer(flush) │ frame(s1) │ frame(s2) → add(s2) │ …
 * next:  flush: s1.uncorkTurn() → one write, s2.uncorkTurn() → one write …  (each checks its backlog)
 * ```
 * One array and one task per server: nothing is allocated per connection or per frame.
 */
import type { Reactor } from "../../reactor/reactor.js";

/** What the corker flushes: a connection that batched frames in this turn. */
export interface Corked {
  /** Writes the turn's frames and checks what the OS did not take. */
  uncorkTurn(): void;
}

/** One server's per-turn write batching (see the module comment). */
export class SocketCorker {
  readonly #reactor: Reactor;
  #corked: Corked[] = [];
  #spare: Corked[] = [];
  #scheduled = false;
  readonly #flush = (): void => this.flush();

  constructor(reactor: Reactor) {
    this.#reactor = reactor;
  }

  /** Number of connections registered in the current turn. */
  get corkedCount(): number {
    return this.#corked.length;
  }

  /** Registers a connection that has just batched its first frame of the turn; its `uncorkTurn` runs once, after this turn. */
  add(corked: Corked): void {
    this.#corked.push(corked);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#reactor.defer(this.#flush);
  }

  /**
   * Flushes every connection registered since the last flush (normally run by the deferred task;
   * one registered while this runs is flushed in a later flush).
   */
  flush(): void {
    this.#scheduled = false;
    const corked = this.#corked;
    this.#corked = this.#spare;
    for (let i = 0; i < corked.length; i++) corked[i]!.uncorkTurn();
    corked.length = 0;
    this.#spare = corked;
  }
}
