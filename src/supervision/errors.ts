/**
 * Supervision errors. Dynamic-child requests (`startChild`, `terminateChild`, `restartChild`,
 * `deleteChild`) that cannot be carried out reject the asker's promise with one of these; the
 * supervisor itself keeps running. Each has a stable string `code`, named after OTP's
 * `{error, Reason}` replies where one exists.
 */

/** Stable codes of supervision errors. */
export type SupervisionErrorCode =
  "not_found" | "running" | "restarting" | "already_present" | "already_started" | "start_failed" | "shutting_down";

/** Base class of every supervision error. */
export class SupervisionError extends Error {
  /** Stable machine-readable code. */
  readonly code: SupervisionErrorCode;
  constructor(code: SupervisionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** No child with this id is known to the supervisor (OTP: `not_found`). */
export class ChildNotFoundError extends SupervisionError {
  constructor(message: string) {
    super("not_found", message);
  }
}

/** The request needs a stopped child, but the child is running (OTP: `running`). */
export class ChildRunningError extends SupervisionError {
  constructor(message: string) {
    super("running", message);
  }
}

/** The child is waiting for a restart retry after a failed start (OTP: `restarting`). */
export class ChildRestartingError extends SupervisionError {
  constructor(message: string) {
    super("restarting", message);
  }
}

/** `startChild` with the id of a stopped child that is still known (OTP: `already_present`). */
export class ChildAlreadyPresentError extends SupervisionError {
  constructor(message: string) {
    super("already_present", message);
  }
}

/** `startChild` with the id of a running child (OTP: `already_started`). */
export class ChildAlreadyStartedError extends SupervisionError {
  constructor(message: string) {
    super("already_started", message);
  }
}

/**
 * A child's `init` threw while the supervisor started it; `cause` is the kernel's SpawnError
 * (whose own `cause` is what `init` threw). Also the `cause` of the SpawnError of a supervisor
 * whose initial children could not all be started.
 */
export class ChildStartError extends SupervisionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("start_failed", message, options);
  }
}

/** The supervisor is stopping its children to exit; it accepts no more requests. */
export class SupervisorShuttingDownError extends SupervisionError {
  constructor(message: string) {
    super("shutting_down", message);
  }
}
