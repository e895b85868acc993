/**
 * Chorus: a realtime server runtime for TypeScript on Node.js.
 *
 * This is the public entry point. Everything exported here is supported API; modules not
 * re-exported here are internal.
 * @packageDocumentation
 */

export {
  type AnyBehaviour,
  type Behaviour,
  DEFER,
  type Deferred,
  type DownSignal,
  type ExitSignal,
  type Handlers,
} from "./kernel/behaviour.js";
export { attenuate, type Caretaker, caretaker } from "./kernel/caretaker.js";
export type { ActorContext, Replier, Settled, SpawnOptions, TimerRef } from "./kernel/context.js";
export {
  ActorCrashedError,
  ActorDeadError,
  ActorExitedError,
  BadMessageError,
  CallCycleError,
  FarCallError,
  KernelError,
  type KernelErrorCode,
  LoopClosedError,
  MailboxFullError,
  NotAllowedError,
  RevokedError,
  SpawnError,
  TimeoutError,
  TurnAbortedError,
} from "./kernel/errors.js";
export { describeExitReason, type ExitReason, ExitReasons, isCleanExit } from "./kernel/exit-reason.js";
export {
  type ActorInfo,
  ASK_TIMEOUT_MS_DEFAULT,
  createLoop,
  type DeadLetter,
  type ExitEvent,
  type Loop,
  type LoopOptions,
} from "./kernel/loop.js";
export { MAILBOX_LENGTH_MAX_DEFAULT, type MailboxOptions, type OverflowPolicy } from "./kernel/mailbox.js";
export type { MessagePortTransportOptions } from "./kernel/message-port-transport.js";
export type { AnyProtocol, PayloadArgs, PayloadOf, Protocol, ReplyOf, Tag } from "./kernel/protocol.js";
export { type AnyRef, type AskOptions, isRef, type MonitorRef, Ref } from "./kernel/ref.js";
export {
  createRegistry,
  REGISTRY_ENTRIES_MAX_DEFAULT,
  type RegisterResult,
  type Registry,
  type RegistryOptions,
  registryBehaviour,
} from "./kernel/registry.js";
export { TIMEOUT_RESOLUTION_MS } from "./kernel/timeout-wheel.js";
export { startWorkerLoop, type WorkerLoop, type WorkerLoopOptions } from "./kernel/worker-loop.js";
export { createNodeReactor, type NodeReactorOptions } from "./reactor/node/node-reactor.js";
export type { Reactor, TimerHandle } from "./reactor/reactor.js";
export {
  type ChildSpec,
  type ChildSpecOptions,
  type ChildStart,
  type ChildType,
  childSpec,
  type RestartType,
  type ShutdownMs,
  WORKER_SHUTDOWN_MS_DEFAULT,
} from "./supervision/child-spec.js";
export {
  type CrashReport,
  type CrashReporter,
  type CrashReporterOptions,
  createCrashReporter,
  formatReport,
  REPORT_HISTORY_LENGTH_MAX_DEFAULT,
  type ReportListener,
  type SupervisionReport,
  type SupervisorReport,
  type SupervisorReportContext,
} from "./supervision/crash-reporter.js";
export {
  ChildAlreadyPresentError,
  ChildAlreadyStartedError,
  ChildNotFoundError,
  ChildRestartingError,
  ChildRunningError,
  ChildStartError,
  SupervisionError,
  type SupervisionErrorCode,
  SupervisorShuttingDownError,
} from "./supervision/errors.js";
export { type ChorusNode, type RootExit, type StartNodeOptions, startNode } from "./supervision/node.js";
export type { RestartStrategy } from "./supervision/restart-strategy.js";
export {
  REACHED_MAX_RESTART_INTENSITY,
  supervisorBehaviour,
  type SupervisorSpecOptions,
  supervisorSpec,
} from "./supervision/supervisor.js";
export { INTENSITY_DEFAULT, PERIOD_MS_DEFAULT, type SupervisorFlags } from "./supervision/supervisor-flags.js";
export type {
  ChildCounts,
  ChildInfo,
  ChildStatus,
  SupervisorArgs,
  SupervisorProtocol,
} from "./supervision/supervisor-protocol.js";
export type { KernelTraceEvent, KernelTracer } from "./kernel/trace-event.js";

export * from "./edge/index.js";
export * from "./wire/index.js";
