import type { ActorCell } from "./actor-cell.js";
import { MailboxFullError } from "./errors.js";
import { type ExitReason, ExitReasons } from "./exit-reason.js";
import type { LoopRuntime } from "./loop.js";
import type { Frame } from "./loop-transport.js";
import type { PeerConnection } from "./peer-connection.js";
import type { AnyRef } from "./ref.js";
import { encodeReason } from "./ref-codec.js";
import type { RemoteTarget } from "./remote-target.js";

/**
 * Links between an actor on this loop and an actor on a peer loop (a worker thread, another
 * process over the wire), Erlang-style. Each side keeps its end of the link; three frames keep
 * the two ends in step (`from` is always the sender's actor, `to` the receiver's, both tokens):
 *
 * ```
 *   loop A (actor a)                          loop B (actor b)
 *   ctx.link(b) commits ── link a→b ──────►   b alive: B records b↔a
 *                        ◄── lexit b→a noproc  b gone: A drops its end, a gets noproc
 *   a exits (reason r)  ── lexit a→b r ────►  B drops its end, b gets the exit signal r
 *   ctx.unlink(b)       ── unlink a→b ─────►  B drops its end (no signal)
 *   (unlinking a↔b)     ◄── unlinked b→a ────  (always answered)
 *   connection lost:      every end on A with B, and on B with A, gets `noconnection`
 * ```
 *
 * A link and an unlink can cross (b links to a while a's unlink is on its way): b then processes
 * the unlink after its link and ends unlinked, so a must not take b's link either. As in
 * Erlang's link protocol (OTP 23), an unlink is acknowledged, and while one is unacknowledged a
 * `link` frame from that actor is ignored — the two ends always agree.
 *
 * The exit signal then follows the local rules (`ActorCell.exitSignal`): trapped → `onExit`,
 * `normal` ignored by a non-trapping actor, anything else stops it with the same reason.
 * Internal: one table per loop, created with the first far link.
 */
export class FarLinks {
  readonly #loop: LoopRuntime;
  readonly #byCell = new Map<ActorCell, Map<string, FarLink>>();
  readonly #byPeer = new Map<PeerConnection, Set<FarLink>>();
  /** Unacknowledged unlinks, by `peer/localToken/remoteToken`: how many are in flight. */
  readonly #unlinking = new Map<string, number>();

  constructor(loop: LoopRuntime) {
    this.#loop = loop;
  }

  /** How many far links `cell` has. */
  countOf(cell: ActorCell): number {
    return this.#byCell.get(cell)?.size ?? 0;
  }

  // ---- made by actors on this loop (turn effects, run at commit) ----

  /** Links `cell` with the far actor `ref` points at (`target`). `noconnection` at once if its loop is gone. */
  link(cell: ActorCell, target: RemoteTarget, ref: AnyRef): void {
    if (cell.status === "dead") return;
    const peer = target.peer;
    if (peer.closed) {
      cell.exitSignal(ref, ExitReasons.noconnection, true);
      return;
    }
    if (this.#find(cell, peer, target.token) !== undefined) return;
    const link = new FarLink(cell, peer, cell.exportToken(), target.token, ref);
    this.#add(link);
    if (!send(peer, { t: "link", from: link.localToken, to: link.remoteToken })) {
      // The peer never learns of the link: it is not made.
      this.#remove(link);
      cell.exitSignal(ref, ExitReasons.noconnection, true);
    }
  }

  /** Removes the link between `cell` and the far actor `target` points at, if any. */
  unlink(cell: ActorCell, target: RemoteTarget): void {
    const link = this.#find(cell, target.peer, target.token);
    if (link === undefined) return;
    this.#remove(link);
    this.#sendUnlink(link);
  }

  /** `cell` exited: every far actor linked to it gets its exit signal with `reason`. */
  cellExited(cell: ActorCell, reason: ExitReason): void {
    const links = this.#byCell.get(cell);
    if (links === undefined) return;
    this.#byCell.delete(cell);
    const encoded = encodeReason(reason);
    for (const link of links.values()) {
      this.#byPeer.get(link.peer)?.delete(link);
      send(link.peer, { t: "lexit", from: link.localToken, to: link.remoteToken, reason: encoded });
    }
  }

  /** `cell` failed to start: its far links are removed without exit signals (spawn throws). */
  cellForgotten(cell: ActorCell): void {
    const links = this.#byCell.get(cell);
    if (links === undefined) return;
    for (const link of [...links.values()]) {
      this.#remove(link);
      this.#sendUnlink(link);
    }
  }

  // ---- frames from a peer loop ----

  /** A far actor (`from`) linked itself to our actor `to`; a dead or unknown `to` answers `noproc`. */
  accept(peer: PeerConnection, from: string, to: string): void {
    const target = this.#loop.resolveToken(to);
    const cell = target === undefined ? null : this.#loop.cellOf(target);
    // Only an actor's own token links: a facet (caretaker, attenuation) grants no exit signals.
    if (cell === null || cell.status === "dead") {
      send(peer, { t: "lexit", from: to, to: from, reason: encodeReason(ExitReasons.noproc) });
      return;
    }
    // Our unlink crossed this link: the peer drops its end when the unlink arrives.
    if (this.#unlinking.has(unlinkKey(peer, to, from))) return;
    if (this.#find(cell, peer, from) === undefined) this.#add(new FarLink(cell, peer, to, from, peer.farRef(from)));
  }

  /** A far actor (`from`) unlinked itself from our actor `to`: drop our end and acknowledge. */
  dropped(peer: PeerConnection, from: string, to: string): void {
    const link = this.#findByToken(peer, from, to);
    if (link !== undefined) this.#remove(link);
    // Past the outbound bound if need be: the peer ignores our actor's links until this arrives.
    send(peer, { t: "unlinked", from: to, to: from }, true);
  }

  /** The far actor `from` processed our actor `to`'s unlink. */
  unlinkAcknowledged(peer: PeerConnection, from: string, to: string): void {
    const key = unlinkKey(peer, to, from);
    const count = this.#unlinking.get(key);
    if (count === undefined) return;
    if (count > 1) this.#unlinking.set(key, count - 1);
    else this.#unlinking.delete(key);
  }

  /** A far actor (`from`) linked to our actor `to` exited, or was never there (`noproc`). */
  signalled(peer: PeerConnection, from: string, to: string, reason: ExitReason): void {
    const link = this.#findByToken(peer, from, to);
    // Unlinked meanwhile: as in Erlang, no signal after unlink.
    if (link === undefined) return;
    this.#remove(link);
    link.cell.exitSignal(link.remoteRef, reason, true);
  }

  /** The connection to `peer` closed: every actor linked across it gets `noconnection`. */
  peerLost(peer: PeerConnection): void {
    const links = this.#byPeer.get(peer);
    if (links === undefined) return this.#forgetUnlinks(peer);
    this.#byPeer.delete(peer);
    // Remove every end first: an actor that exits on the first signal must not see the others.
    for (const link of links) {
      const ofCell = this.#byCell.get(link.cell);
      if (ofCell !== undefined && ofCell.delete(keyOf(peer, link.remoteToken)) && ofCell.size === 0) {
        this.#byCell.delete(link.cell);
      }
    }
    for (const link of links) link.cell.exitSignal(link.remoteRef, ExitReasons.noconnection, true);
    this.#forgetUnlinks(peer);
  }

  // ---- bookkeeping ----

  #sendUnlink(link: FarLink): void {
    if (!send(link.peer, { t: "unlink", from: link.localToken, to: link.remoteToken })) return;
    const key = unlinkKey(link.peer, link.localToken, link.remoteToken);
    this.#unlinking.set(key, (this.#unlinking.get(key) ?? 0) + 1);
  }

  /** The connection is gone: no acknowledgement will come. */
  #forgetUnlinks(peer: PeerConnection): void {
    if (this.#unlinking.size === 0) return;
    const prefix = `${peer.peerId}/`;
    for (const key of [...this.#unlinking.keys()]) if (key.startsWith(prefix)) this.#unlinking.delete(key);
  }

  #find(cell: ActorCell, peer: PeerConnection, remoteToken: string): FarLink | undefined {
    return this.#byCell.get(cell)?.get(keyOf(peer, remoteToken));
  }

  #findByToken(peer: PeerConnection, from: string, to: string): FarLink | undefined {
    const target = this.#loop.resolveToken(to);
    const cell = target === undefined ? null : this.#loop.cellOf(target);
    return cell === null ? undefined : this.#find(cell, peer, from);
  }

  #add(link: FarLink): void {
    let links = this.#byCell.get(link.cell);
    if (links === undefined) this.#byCell.set(link.cell, (links = new Map()));
    links.set(keyOf(link.peer, link.remoteToken), link);
    let ofPeer = this.#byPeer.get(link.peer);
    if (ofPeer === undefined) this.#byPeer.set(link.peer, (ofPeer = new Set()));
    ofPeer.add(link);
  }

  #remove(link: FarLink): void {
    const links = this.#byCell.get(link.cell);
    if (links !== undefined && links.delete(keyOf(link.peer, link.remoteToken)) && links.size === 0) {
      this.#byCell.delete(link.cell);
    }
    const ofPeer = this.#byPeer.get(link.peer);
    if (ofPeer !== undefined && ofPeer.delete(link) && ofPeer.size === 0) this.#byPeer.delete(link.peer);
  }
}

/** One end of a far link, kept by the loop of `cell`. */
class FarLink {
  constructor(
    readonly cell: ActorCell,
    readonly peer: PeerConnection,
    /** The token the peer knows our actor by. */
    readonly localToken: string,
    /** The token of the actor on the peer loop. */
    readonly remoteToken: string,
    /** The ref the far actor's exit signals come from (the one linked to, on the linking side). */
    readonly remoteRef: AnyRef,
  ) {}
}

/** The far-link table of `loop`, created on first use. */
export function farLinksOf(loop: LoopRuntime): FarLinks {
  loop.farLinks ??= new FarLinks(loop);
  return loop.farLinks;
}

/**
 * Checks, inside the turn, that a link frame to `target`'s loop can be queued.
 * @throws MailboxFullError when the outbound queue to that loop is full.
 */
export function checkLinkRoom(target: RemoteTarget): void {
  const peer = target.peer;
  if (!peer.closed && !peer.transport.hasRoom()) {
    throw new MailboxFullError(`outbound queue to loop ${peer.peerName} is full`);
  }
}

function keyOf(peer: PeerConnection, remoteToken: string): string {
  return `${peer.peerId}/${remoteToken}`;
}

function unlinkKey(peer: PeerConnection, localToken: string, remoteToken: string): string {
  return `${peer.peerId}/${localToken}/${remoteToken}`;
}

// A link frame that cannot be queued (a full outbound queue) is lost like the connection
// would be; the caller decides what that means for the link.
function send(peer: PeerConnection, frame: Frame, control = false): boolean {
  if (peer.closed) return false;
  try {
    peer.transport.send(frame, control);
    return true;
  } catch {
    return false;
  }
}
