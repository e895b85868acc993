import type { ActorCell } from "./actor-cell.js";
import { type ExitReason, ExitReasons } from "./exit-reason.js";
import type { Watcher } from "./target.js";

/**
 * Links and monitors between actor cells, Erlang-style: a link is two-way and carries exit
 * signals; a monitor is one-way and delivers one down signal. Internal helpers of ActorCell.
 *
 * Most actors hold one link (to their supervisor) and are watched by one monitor (a connection
 * actor by its session bridge), so a single link or monitor is stored as it is and a collection
 * is made only for the second: an idle supervised actor saves a `Set` and a `Map` (≈ 370 bytes).
 */

/** An actor's links: none, one cell, or (from the second) a set, in link order. */
export type Links = ActorCell | Set<ActorCell> | null;

/** The monitors set on an actor: none, one, or (from the second) a map by monitor id, in order. */
export type Watchers = SingleWatcher | Map<number, Watcher> | null;

/** The only monitor set on an actor. */
export class SingleWatcher {
  constructor(
    readonly monitorId: number,
    readonly watcher: Watcher,
  ) {}
}

/** Links `a` and `b` (same loop). Linking to a dead actor signals `noproc` to `a` at once. */
export function linkCells(a: ActorCell, b: ActorCell): void {
  if (a === b) return;
  if (b.status === "dead") {
    a.exitSignal(b.ref, ExitReasons.noproc, true);
    return;
  }
  addLink(a, b);
  addLink(b, a);
}

/** Removes the link between `a` and `b`, if any. */
export function unlinkCells(a: ActorCell, b: ActorCell): void {
  removeLink(a, b);
  removeLink(b, a);
}

/** How many actors on this loop are linked to `cell`. */
export function linkCount(cell: ActorCell): number {
  const links = cell.links;
  return links === null ? 0 : links instanceof Set ? links.size : 1;
}

/** Forgets `cell`'s links on both sides, without exit signals (a failed start). */
export function forgetLinks(cell: ActorCell): void {
  const links = cell.links;
  cell.links = null;
  if (links instanceof Set) for (const other of links) removeLink(other, cell);
  else if (links !== null) removeLink(links, cell);
}

/** Sends `cell`'s exit signal to every actor linked to it, and forgets the links. */
export function signalLinks(cell: ActorCell, reason: ExitReason): void {
  const links = cell.links;
  if (links === null) return;
  cell.links = null;
  if (!(links instanceof Set)) {
    removeLink(links, cell);
    links.exitSignal(cell.ref, reason, true);
    return;
  }
  for (const other of links) {
    removeLink(other, cell);
    other.exitSignal(cell.ref, reason, true);
  }
}

/** Adds monitor `monitorId` (after any others). */
export function addWatcher(cell: ActorCell, monitorId: number, watcher: Watcher): void {
  const watchers = cell.watchers;
  if (watchers === null) cell.watchers = new SingleWatcher(monitorId, watcher);
  else if (watchers instanceof Map) watchers.set(monitorId, watcher);
  else
    cell.watchers = new Map([
      [watchers.monitorId, watchers.watcher],
      [monitorId, watcher],
    ]);
}

/** Removes monitor `monitorId`, if it is set on `cell`. */
export function removeWatcher(cell: ActorCell, monitorId: number): void {
  const watchers = cell.watchers;
  if (watchers instanceof Map) {
    watchers.delete(monitorId);
    if (watchers.size === 0) cell.watchers = null;
  } else if (watchers !== null && watchers.monitorId === monitorId) {
    cell.watchers = null;
  }
}

/** Fires every monitor set on `cell` with `reason`, and forgets them. */
export function signalWatchers(cell: ActorCell, reason: ExitReason): void {
  const watchers = cell.watchers;
  if (watchers === null) return;
  cell.watchers = null;
  if (watchers instanceof Map) for (const [monitorId, watcher] of watchers) watcher.down(monitorId, reason);
  else watchers.watcher.down(watchers.monitorId, reason);
}

function addLink(cell: ActorCell, other: ActorCell): void {
  const links = cell.links;
  if (links === null) cell.links = other;
  else if (links instanceof Set) links.add(other);
  else if (links !== other) cell.links = new Set([links, other]);
}

function removeLink(cell: ActorCell, other: ActorCell): void {
  const links = cell.links;
  if (links === other) cell.links = null;
  else if (links instanceof Set) {
    links.delete(other);
    if (links.size === 0) cell.links = null;
  }
}

/** Removes every monitor `cell` holds on others (it is exiting). */
export function dropMonitors(cell: ActorCell): void {
  if (cell.monitoring === null) return;
  const monitoring = cell.monitoring;
  cell.monitoring = null;
  for (const [monitorId, target] of monitoring) target.demonitor(monitorId);
}
