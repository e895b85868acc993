/**
 * Batches each WebSocket connection's writes per loop turn: the first frame a connection writes
 * in a turn corks its socket (the `Duplex` Node handed the server in the HTTP `upgrade` event,
 * public `stream.Writable` API), and one deferred task per server (a `Reactor.defer`) uncorks
 * every socket corked in that turn. Several frames to one socket in one turn (a busy room's
 * broadcasts) then leave in one `writev` instead of one each; `ws`'s own per-frame cork/uncork
 * nests inside ours.
 *
 * ```
 * turn:  frame → cork(s1), defer(flush) │ frame(s1) │ frame → cork(s2) │ …
 * next:  flush: uncork(s1) → writev, uncork(s2) → writev …  (each transport checks its backlog)
 * ```
 * One array and one task per server: nothing is allocated per connection or per frame.
 */
import type { Reactor } from "../../reactor/reactor.js";

/** What the corker uncorks: a transport whose socket it corked in this turn. */
export interface Corked {
  /** Uncorks the socket (writes the turn's frames) and checks what the OS did not take. */
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

  /** Number of transports corked in the current turn. */
  get corkedCount(): number {
    return this.#corked.length;
  }

  /** Registers a transport that has just corked its socket; its `uncorkTurn` runs once, after this turn. */
  add(corked: Corked): void {
    this.#corked.push(corked);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#reactor.defer(this.#flush);
  }

  /**
   * Uncorks every transport registered since the last flush (normally run by the deferred task;
   * a transport registered while this runs is uncorked in a later flush).
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
