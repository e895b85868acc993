import { type ExitReason, ExitReasons } from "../kernel/exit-reason.js";
import { createLoop, type Loop } from "../kernel/loop.js";
import type { AnyRef, Ref } from "../kernel/ref.js";
import type { Reactor } from "../reactor/reactor.js";
import type { ChildSpec } from "./child-spec.js";
import { type CrashReporter, createCrashReporter } from "./crash-reporter.js";
import { supervisorBehaviour } from "./supervisor.js";
import type { SupervisorFlags } from "./supervisor-flags.js";
import type { SupervisorProtocol } from "./supervisor-protocol.js";

/** Options of {@link startNode}. */
export interface StartNodeOptions {
  /** The Reactor of the node's main loop. Required. */
  reactor: Reactor;
  /** Name of the main loop, in refs' descriptions. Default "main". */
  name?: string;
  /** Children of the root supervisor, started in order. Default none. */
  children?: readonly ChildSpec[];
  /** Flags of the root supervisor. Defaults: `one_for_one`, 1 restart per 5,000 ms. */
  flags?: SupervisorFlags;
  /** Default ask timeout of the main loop, in ms. Default 5,000. */
  askTimeoutMs?: number;
  /** Where every supervisor of the tree reports. Default: a new reporter (see {@link ChorusNode.reports}). */
  reporter?: CrashReporter;
  /**
   * Called once when the root supervisor has exited and the loop is shut down, for whatever
   * reason (`requested` tells whether {@link ChorusNode.stop} asked for it). Must not throw.
   */
  onRootExit?: (exit: RootExit) => void;
}

/** How the root supervisor of a node ended. */
export interface RootExit {
  /** The root's exit reason: `shutdown` after `stop()`, {@link REACHED_MAX_RESTART_INTENSITY} when it gave up. */
  readonly reason: ExitReason;
  /** True when `stop()` was called before the root exited; a CLI exits non-zero when false. */
  readonly requested: boolean;
  /** When the root exited: Reactor monotonic time, in ms. */
  readonly atMs: number;
}

/**
 * A running node: one main loop whose actors live under one root supervisor. When the root
 * exits — after `stop()`, or because restarts escalated all the way up — the loop is shut down
 * (any actor outside the tree is stopped with `shutdown`) and `exited` resolves.
 */
export interface ChorusNode {
  /** The main loop. */
  readonly loop: Loop;
  /** The root supervisor. */
  readonly root: Ref<SupervisorProtocol>;
  /** The reporter of every supervisor in the tree: `reports.subscribe(listener)`. */
  readonly reports: CrashReporter;
  /**
   * Starts a child under the root supervisor and resolves with its ref.
   * Rejects as {@link SupervisorProtocol.startChild} does, or with a kernel error if the root is gone.
   */
  startChild(spec: ChildSpec): Promise<AnyRef>;
  /**
   * Stops the whole tree in order (children in reverse start order, each with its `shutdownMs`
   * policy, recursively), then shuts the loop down. Resolves when done; calling it again returns
   * the same promise. It waits as long as children with `shutdownMs: "infinity"` take.
   */
  stop(): Promise<void>;
  /** Resolves once the root supervisor has exited and the loop is shut down. */
  readonly exited: Promise<RootExit>;
}

/**
 * Starts a node: creates the main loop and spawns the root supervisor (named `root`), which
 * starts `children` in order.
 * @throws TypeError/RangeError for invalid options, flags or child specs (naming the field);
 *   SpawnError if a child fails to start (the loop is then shut down).
 */
export function startNode(options: StartNodeOptions): ChorusNode {
  if (typeof options !== "object" || options === null) throw new TypeError("startNode: options must be an object");
  const loop = createLoop({
    reactor: options.reactor,
    name: options.name ?? "main",
    ...(options.askTimeoutMs === undefined ? {} : { askTimeoutMs: options.askTimeoutMs }),
  });
  const reporter = options.reporter ?? createCrashReporter();
  let root: Ref<SupervisorProtocol>;
  try {
    const args = { name: "root", children: options.children ?? [], reporter, ...flagsOf(options) };
    root = loop.spawn(supervisorBehaviour, args, { name: "root", trapExits: true });
  } catch (error) {
    loop.shutdown();
    throw error;
  }
  return new NodeRuntime(loop, root, reporter, options.onRootExit);
}

class NodeRuntime implements ChorusNode {
  readonly loop: Loop;
  readonly root: Ref<SupervisorProtocol>;
  readonly reports: CrashReporter;
  readonly exited: Promise<RootExit>;
  readonly #onRootExit: ((exit: RootExit) => void) | undefined;
  #resolveExited!: (exit: RootExit) => void;
  #stopRequested = false;
  #stopped: Promise<void> | null = null;

  constructor(
    loop: Loop,
    root: Ref<SupervisorProtocol>,
    reports: CrashReporter,
    onRootExit: ((exit: RootExit) => void) | undefined,
  ) {
    this.loop = loop;
    this.root = root;
    this.reports = reports;
    this.#onRootExit = onRootExit;
    this.exited = new Promise((resolve) => {
      this.#resolveExited = resolve;
    });
    loop.monitor(root, (reason) => this.#rootExited(reason));
  }

  startChild(spec: ChildSpec): Promise<AnyRef> {
    return this.root.ask("startChild", spec);
  }

  stop(): Promise<void> {
    if (this.#stopped === null) {
      this.#stopRequested = true;
      this.#stopped = this.exited.then(noop);
      // The root traps exits: the signal (from itself) makes it stop its children, then exit.
      this.loop.exit(this.root, ExitReasons.shutdown);
    }
    return this.#stopped;
  }

  #rootExited(reason: ExitReason): void {
    const exit: RootExit = { reason, requested: this.#stopRequested, atMs: this.loop.reactor.nowMs() };
    // The monitor fires inside the root's exit; shut the loop down once that has finished.
    this.loop.reactor.defer(() => {
      this.loop.shutdown();
      this.#resolveExited(exit);
      this.#onRootExit?.(exit);
    });
  }
}

function flagsOf(options: StartNodeOptions): { flags?: SupervisorFlags } {
  return options.flags === undefined ? {} : { flags: options.flags };
}

function noop(): void {}
