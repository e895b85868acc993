import { describeExitReason, type ExitReason } from "../kernel/exit-reason.js";

/**
 * A supervised child exited (OTP's `child_terminated` crash report). Published for every exit of
 * a `permanent` child and for every abnormal exit (not `normal`, not `shutdown`) of the others;
 * exits the supervisor caused itself (stopping a child) are not crash reports.
 */
export interface CrashReport {
  readonly type: "crash_report";
  /** Name of the supervisor that saw the exit. */
  readonly supervisor: string;
  /** The child's id in its spec. */
  readonly childId: string;
  /** Description of the exited child's ref, such as `Ref<worker#3@main>`. */
  readonly ref: string;
  /** Why the child exited. */
  readonly reason: ExitReason;
  /** The stack of the thrown error, when the reason is a crash with an `Error`. */
  readonly stack?: string;
  /** How many times this child had been restarted before this exit. */
  readonly restartCount: number;
  /** When the supervisor saw the exit: Reactor monotonic time, in ms. */
  readonly atMs: number;
  /** The same instant as wall-clock time, in ms since the epoch, for log timestamps. */
  readonly wallClockMs: number;
}

/**
 * What a {@link SupervisorReport} is about:
 * - `reached_max_restart_intensity`: one restart too many; the supervisor stops and exits;
 * - `child_start_failed`: a child's `init` threw while being started or restarted;
 * - `shutdown_error`: a child stopped by its supervisor exited with an unexpected reason (for
 *   example `killed` because it outlived its `shutdownMs`).
 */
export type SupervisorReportContext = "reached_max_restart_intensity" | "child_start_failed" | "shutdown_error";

/** Something went wrong in a supervisor itself (OTP's supervisor report). */
export interface SupervisorReport {
  readonly type: "supervisor_report";
  /** Name of the supervisor. */
  readonly supervisor: string;
  readonly context: SupervisorReportContext;
  /** The child concerned (the one whose restart was one too many, failed to start, or stopped badly). */
  readonly childId: string;
  /** The child's exit reason, or `crash` with what its `init` threw for `child_start_failed`. */
  readonly reason: ExitReason;
  /** The stack of the thrown error, when the reason is a crash with an `Error`. */
  readonly stack?: string;
  /** Reactor monotonic time, in ms. */
  readonly atMs: number;
  /** Wall-clock time, in ms since the epoch. */
  readonly wallClockMs: number;
}

/** Every event a {@link CrashReporter} carries; a discriminated union on `type`. */
export type SupervisionReport = CrashReport | SupervisorReport;

/** Receives supervision reports, synchronously, inside the supervisor's turn. */
export type ReportListener = (report: SupervisionReport) => void;

/**
 * The hub through which supervisors publish crash and supervisor reports. Create one per node
 * (or per test) and pass it to supervisors in their args; child supervisors inherit their
 * parent's reporter. There is no global reporter.
 */
export interface CrashReporter {
  /**
   * Calls `listener` for every report published from now on; returns the unsubscribe function.
   * Listeners must not throw: a throw is caught (and counted in `listenerErrorCount`) so that a
   * bad listener cannot crash a supervisor.
   */
  subscribe(listener: ReportListener): () => void;
  /** Delivers `report` to every listener and keeps it in the recent history. */
  publish(report: SupervisionReport): void;
  /** The most recent reports, oldest first (at most `historyLengthMax`). */
  recent(): readonly SupervisionReport[];
  /** Number of listener calls that threw. */
  readonly listenerErrorCount: number;
}

/** Options of {@link createCrashReporter}. */
export interface CrashReporterOptions {
  /** Reports kept for {@link CrashReporter.recent}; the oldest is dropped when full. Default 100; 0 keeps none. */
  historyLengthMax?: number;
}

/** Default number of reports a reporter keeps. */
export const REPORT_HISTORY_LENGTH_MAX_DEFAULT = 100;

/**
 * Creates a reporter.
 * @throws RangeError if `historyLengthMax` is not an integer >= 0.
 */
export function createCrashReporter(options: CrashReporterOptions = {}): CrashReporter {
  const historyLengthMax = options.historyLengthMax ?? REPORT_HISTORY_LENGTH_MAX_DEFAULT;
  if (!Number.isSafeInteger(historyLengthMax) || historyLengthMax < 0) {
    throw new RangeError(`historyLengthMax must be an integer >= 0, got ${historyLengthMax}`);
  }
  return new ReportHub(historyLengthMax);
}

class ReportHub implements CrashReporter {
  readonly #listeners = new Set<ReportListener>();
  readonly #history: SupervisionReport[] = [];
  readonly #historyLengthMax: number;
  #listenerErrors = 0;

  constructor(historyLengthMax: number) {
    this.#historyLengthMax = historyLengthMax;
  }

  get listenerErrorCount(): number {
    return this.#listenerErrors;
  }

  subscribe(listener: ReportListener): () => void {
    // A wrapper per subscription, so the same function subscribed twice is called twice.
    const entry: ReportListener = (report) => listener(report);
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  publish(report: SupervisionReport): void {
    if (this.#historyLengthMax > 0) {
      if (this.#history.length >= this.#historyLengthMax) this.#history.shift();
      this.#history.push(report);
    }
    for (const listener of this.#listeners) {
      try {
        listener(report);
      } catch {
        this.#listenerErrors++;
      }
    }
  }

  recent(): readonly SupervisionReport[] {
    return this.#history.slice();
  }
}

/** The stack of a crash reason's error, if it has one. */
export function stackOf(reason: ExitReason): string | undefined {
  if (reason.type !== "crash") return undefined;
  const error = reason.error;
  return error instanceof Error && typeof error.stack === "string" ? error.stack : undefined;
}

/** A one-line description of a report, for logs: `crash_report root/db Ref<db#3@main>: crash: Error: boom`. */
export function formatReport(report: SupervisionReport): string {
  const reason = describeExitReason(report.reason);
  switch (report.type) {
    case "crash_report":
      return `crash_report ${report.supervisor}/${report.childId} ${report.ref} (restarts ${report.restartCount}): ${reason}`;
    case "supervisor_report":
      return `supervisor_report ${report.supervisor}/${report.childId} ${report.context}: ${reason}`;
  }
}
