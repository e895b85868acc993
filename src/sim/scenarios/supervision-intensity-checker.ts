import type { SupervisionReport } from "../../supervision/crash-reporter.js";

/** A supervisor's restart limit: at most `intensity` restarts within any `periodMs` window. */
export interface IntensityLimit {
  readonly intensity: number;
  /** Window length, in ms of Reactor time. */
  readonly periodMs: number;
}

interface Restart {
  /** Reactor time of the report, in ms. */
  readonly atMs: number;
  /** A crash report (a certain restart), or a failed start (a retry that may be superseded). */
  readonly certain: boolean;
  /** The child and what happened, for messages. */
  readonly what: string;
}

interface Window {
  /** Reports of the supervisor's current incarnation within the last period. */
  restarts: Restart[];
  /** The report that took the certain restarts over the limit: it must give up in that instant. */
  overdue: { readonly atMs: number; readonly restarts: readonly Restart[] } | null;
  escalated: boolean;
}

/**
 * Checks restart intensity from the outside, from the reports supervisors publish, with sliding
 * windows of `periodMs` of Reactor time (`now - t <= periodMs`, as supervisors count):
 *
 * - every crash report (of a `permanent` or `transient` child, so every one is followed by a
 *   restart) is one restart. More than `intensity` of them within a window, and the supervisor must
 *   report `reached_max_restart_intensity` before Reactor time moves on (a restart deferred behind
 *   a stop job is counted in the same instant: jobs take no virtual time with fast stops, and slow
 *   stops are only drawn where no restart can be deferred — see `SupervisionOptions.slowStops`);
 * - a `child_start_failed` is retried, and the retry counts too, unless a group restart started
 *   the child first. So a supervisor may give up only when its crash reports plus failed starts in
 *   the window exceed `intensity` — never with fewer;
 * - after giving up it reports no more restarts, and it must stop (see {@link unsettled}).
 *
 * Windows are kept per supervisor name and start afresh when that supervisor's actor exits or
 * fails to start (a restarted supervisor has a new window).
 */
export class RestartIntensityChecker {
  readonly #limits: ReadonlyMap<string, IntensityLimit>;
  readonly #windows = new Map<string, Window>();
  #violation: string | null = null;
  /** Crash reports and failed starts counted so far (all supervisors, all generations). */
  restarts = 0;
  /** Escalations seen so far. */
  escalations = 0;

  /** @param limits - by supervisor name, the limit the checker believes it has. */
  constructor(limits: ReadonlyMap<string, IntensityLimit>) {
    this.#limits = limits;
  }

  /** Feeds one report (subscribe this to every supervisor's reporter). */
  onReport(report: SupervisionReport): void {
    const name = report.supervisor;
    const limit = this.#limits.get(name);
    if (limit === undefined) {
      this.#fail(`a report from an unknown supervisor "${name}"`);
      return;
    }
    const window = this.#window(name);
    if (report.type === "crash_report") {
      this.#restart(name, limit, window, {
        atMs: report.atMs,
        certain: true,
        what: `${report.childId} ${report.reason.type}`,
      });
    } else if (report.context === "child_start_failed") {
      this.#restart(name, limit, window, { atMs: report.atMs, certain: false, what: `${report.childId} start_failed` });
      // A child supervisor that failed to start never ran: what it reported from its init (its
      // own children failing to start) was not its restarts, and its next start has a new window.
      if (this.#limits.has(report.childId)) this.#windows.delete(report.childId);
    } else if (report.context === "reached_max_restart_intensity") {
      this.#escalate(name, limit, window, report.atMs);
    }
  }

  /** The actor of supervisor `name` exited: its next incarnation starts with an empty window. */
  onSupervisorExit(name: string): void {
    this.#windows.delete(name);
  }

  /** Safety at Reactor time `nowMs`: the first violation, or null. */
  check(nowMs: number): string | null {
    if (this.#violation !== null) return this.#violation;
    for (const [name, window] of this.#windows) {
      const overdue = window.overdue;
      if (overdue === null || nowMs <= overdue.atMs) continue;
      const { intensity, periodMs } = this.#limits.get(name)!;
      const count = overdue.restarts.filter((r) => r.certain).length;
      this.#fail(
        `${name} had ${count} crash-report restarts within ${periodMs} ms by ${overdue.atMs} ms (intensity ${intensity}) but did not give up: ${list(overdue.restarts)}`,
      );
    }
    return this.#violation;
  }

  /** Liveness: a supervisor that gave up and has not stopped, or null. */
  unsettled(): string | null {
    for (const [name, window] of this.#windows) {
      if (window.escalated) return `${name} reached its restart intensity but has not stopped`;
    }
    return null;
  }

  #restart(name: string, limit: IntensityLimit, window: Window, restart: Restart): void {
    this.restarts++;
    if (window.escalated) {
      this.#fail(`${name} restarted ${restart.what} at ${restart.atMs} ms after it gave up`);
      return;
    }
    const kept = within(window.restarts, restart.atMs, limit.periodMs);
    kept.push(restart);
    window.restarts = kept;
    const certain = kept.filter((r) => r.certain).length;
    if (certain > limit.intensity && window.overdue === null) window.overdue = { atMs: restart.atMs, restarts: kept };
  }

  #escalate(name: string, limit: IntensityLimit, window: Window, atMs: number): void {
    this.escalations++;
    const possible = within(window.restarts, atMs, limit.periodMs);
    if (possible.length <= limit.intensity) {
      this.#fail(
        `${name} gave up at ${atMs} ms with at most ${possible.length} restart(s) within ${limit.periodMs} ms (intensity ${limit.intensity}): ${list(possible)}`,
      );
    }
    window.overdue = null;
    window.escalated = true;
  }

  #window(name: string): Window {
    let window = this.#windows.get(name);
    if (window === undefined) {
      window = { restarts: [], overdue: null, escalated: false };
      this.#windows.set(name, window);
    }
    return window;
  }

  #fail(message: string): void {
    this.#violation ??= message;
  }
}

function within(restarts: readonly Restart[], nowMs: number, periodMs: number): Restart[] {
  return restarts.filter((r) => nowMs - r.atMs <= periodMs);
}

function list(restarts: readonly Restart[]): string {
  return restarts.map((r) => `${r.what} at ${r.atMs}`).join(", ");
}
