import type { ActorCell } from "./actor-cell.js";
import { type ExitReason, ExitReasons } from "./exit-reason.js";

/**
 * Links and monitors between actor cells, Erlang-style: a link is two-way and carries exit
 * signals; a monitor is one-way and delivers one down signal. Internal helpers of ActorCell.
 */

/** Links `a` and `b` (same loop). Linking to a dead actor signals `noproc` to `a` at once. */
export function linkCells(a: ActorCell, b: ActorCell): void {
  if (a === b) return;
  if (b.status === "dead") {
    a.exitSignal(b.ref, ExitReasons.noproc, true);
    return;
  }
  if (a.links === null) a.links = new Set();
  if (b.links === null) b.links = new Set();
  a.links.add(b);
  b.links.add(a);
}

/** Removes the link between `a` and `b`, if any. */
export function unlinkCells(a: ActorCell, b: ActorCell): void {
  a.links?.delete(b);
  b.links?.delete(a);
}

/** Sends `cell`'s exit signal to every actor linked to it, and forgets the links. */
export function signalLinks(cell: ActorCell, reason: ExitReason): void {
  if (cell.links === null) return;
  const links = cell.links;
  cell.links = null;
  for (const other of links) {
    other.links?.delete(cell);
    other.exitSignal(cell.ref, reason, true);
  }
}

/** Fires every monitor set on `cell` with `reason`, and forgets them. */
export function signalWatchers(cell: ActorCell, reason: ExitReason): void {
  if (cell.watchers === null) return;
  const watchers = cell.watchers;
  cell.watchers = null;
  for (const [monitorId, watcher] of watchers) watcher.down(monitorId, reason);
}

/** Removes every monitor `cell` holds on others (it is exiting). */
export function dropMonitors(cell: ActorCell): void {
  if (cell.monitoring === null) return;
  const monitoring = cell.monitoring;
  cell.monitoring = null;
  for (const [monitorId, target] of monitoring) target.demonitor(monitorId);
}
