/**
 * Kernel errors. Each has a stable string `code` so that errors survive crossing loops (where
 * only `{ code, message }` travels) and can be matched without `instanceof`.
 */

/** Stable codes of kernel errors. */
export type KernelErrorCode =
  | "timeout"
  | "mailbox_full"
  | "noproc"
  | "exited"
  | "crashed"
  | "far_call"
  | "call_cycle"
  | "turn_aborted"
  | "revoked"
  | "not_allowed"
  | "spawn_failed"
  | "loop_closed"
  | "bad_message";

/** Base class of every kernel error. */
export class KernelError extends Error {
  /** Stable machine-readable code. */
  readonly code: KernelErrorCode;
  constructor(code: KernelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An `ask` got no reply within its timeout. */
export class TimeoutError extends KernelError {
  constructor(message: string) {
    super("timeout", message);
  }
}

/** The target's mailbox is full and its policy is `reject`. */
export class MailboxFullError extends KernelError {
  constructor(message: string) {
    super("mailbox_full", message);
  }
}

/** The target actor does not exist (any more): Erlang's `noproc`. */
export class ActorDeadError extends KernelError {
  constructor(message: string) {
    super("noproc", message);
  }
}

/** The target stopped (normally, by shutdown or killed) before replying. */
export class ActorExitedError extends KernelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("exited", message, options);
  }
}

/** The target's handler threw while handling this request; `cause` is what it threw. */
export class ActorCrashedError extends KernelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("crashed", message, options);
  }
}

/** A near call was made on a ref whose actor lives on another loop. */
export class FarCallError extends KernelError {
  constructor(message: string) {
    super("far_call", message);
  }
}

/** A near call would re-enter an actor that is already in a turn (A→B→A). */
export class CallCycleError extends KernelError {
  constructor(message: string) {
    super("call_cycle", message);
  }
}

/** An ask made inside a turn that then threw: the request was never sent. */
export class TurnAbortedError extends KernelError {
  constructor(message: string) {
    super("turn_aborted", message);
  }
}

/** The capability (a caretaker ref) was revoked. */
export class RevokedError extends KernelError {
  constructor(message: string) {
    super("revoked", message);
  }
}

/** The capability was attenuated and does not allow this message. */
export class NotAllowedError extends KernelError {
  constructor(message: string) {
    super("not_allowed", message);
  }
}

/** An actor's `init` threw; `cause` is what it threw. */
export class SpawnError extends KernelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("spawn_failed", message, options);
  }
}

/** The loop (or the connection to it) is closed. */
export class LoopClosedError extends KernelError {
  constructor(message: string) {
    super("loop_closed", message);
  }
}

/** A message has no handler in the target's behaviour, or cannot be sent across loops. */
export class BadMessageError extends KernelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("bad_message", message, options);
  }
}

const byCode: Record<KernelErrorCode, new (message: string) => KernelError> = {
  timeout: TimeoutError,
  mailbox_full: MailboxFullError,
  noproc: ActorDeadError,
  exited: ActorExitedError,
  crashed: ActorCrashedError,
  far_call: FarCallError,
  call_cycle: CallCycleError,
  turn_aborted: TurnAbortedError,
  revoked: RevokedError,
  not_allowed: NotAllowedError,
  spawn_failed: SpawnError,
  loop_closed: LoopClosedError,
  bad_message: BadMessageError,
};

/** A plain, structured-cloneable description of an error, for crossing loops. */
export interface ErrorShape {
  code: string;
  name: string;
  message: string;
  stack?: string;
}

/** Flattens any thrown value to an {@link ErrorShape}. */
export function toErrorShape(error: unknown): ErrorShape {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const shape: ErrorShape = {
      code: typeof code === "string" ? code : "error",
      name: error.name,
      message: error.message,
    };
    if (error.stack !== undefined) shape.stack = error.stack;
    return shape;
  }
  return { code: "error", name: "Error", message: String(error) };
}

/** Rebuilds an error from its shape: kernel codes give their class back, others an `Error`. */
export function fromErrorShape(shape: ErrorShape): Error {
  const Ctor = (byCode as Record<string, (new (message: string) => KernelError) | undefined>)[shape.code];
  const error: Error = Ctor ? new Ctor(shape.message) : new Error(shape.message);
  if (!Ctor) {
    error.name = shape.name;
    (error as { code?: string }).code = shape.code;
  }
  if (shape.stack !== undefined) error.stack = shape.stack;
  return error;
}
