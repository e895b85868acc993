import type { Behaviour } from "../../src/kernel/behaviour.js";
import type { ExitReason } from "../../src/kernel/exit-reason.js";
import { createLoop, type Loop } from "../../src/kernel/loop.js";
import type { AnyRef, Ref } from "../../src/kernel/ref.js";
import { VirtualReactor } from "../../src/reactor/virtual/virtual-reactor.js";
import { type ChildSpec, type ChildSpecOptions, childSpec } from "../../src/supervision/child-spec.js";
import {
  type CrashReporter,
  createCrashReporter,
  type SupervisionReport,
} from "../../src/supervision/crash-reporter.js";
import { supervisorBehaviour } from "../../src/supervision/supervisor.js";
import type { SupervisorFlags } from "../../src/supervision/supervisor-flags.js";
import type { SupervisorProtocol } from "../../src/supervision/supervisor-protocol.js";

/** Shared, append-only record of what workers did, in order. */
export type Log = string[];

/** Arguments of the test worker. */
export interface WorkerArgs {
  id: string;
  log: Log;
  /** Trap exits (then a `shutdown` signal arrives at onExit). */
  trap?: boolean;
  /** When trapping, ignore exit signals instead of stopping. */
  ignoreExits?: boolean;
  /** Makes init throw while it returns true. */
  failInit?: () => boolean;
}

/** What the test worker accepts. */
export interface Worker {
  boom(): void;
  ping(): string;
  finish(reason: ExitReason): void;
}

/** A worker that logs `start <id>`, `stop <id> <reason>` and trapped signals. */
export const worker: Behaviour<Worker, WorkerArgs, WorkerArgs> = {
  name: "worker",
  init(args, ctx) {
    if (args.failInit?.()) throw new Error(`init of ${args.id} failed`);
    if (args.trap) ctx.trapExits(true);
    args.log.push(`start ${args.id}`);
    return args;
  },
  handlers: {
    boom(state) {
      throw new Error(`boom in ${state.id}`);
    },
    ping: (state) => state.id,
    finish(_state, reason, ctx) {
      ctx.stop(reason);
    },
  },
  onExit(state, signal, ctx) {
    state.log.push(`signal ${state.id} ${signal.reason.type}`);
    if (!state.ignoreExits) ctx.stop(signal.reason);
  },
  terminate(state, reason) {
    state.log.push(`stop ${state.id} ${reason.type}`);
  },
};

/** A worker child spec named `id` (its actor is named `id` too). */
export function workerSpec(
  id: string,
  log: Log,
  options: ChildSpecOptions & Partial<Omit<WorkerArgs, "id" | "log">> = {},
): ChildSpec {
  const { trap, ignoreExits, failInit, ...rest } = options;
  const args: WorkerArgs = { id, log };
  if (trap !== undefined) args.trap = trap;
  if (ignoreExits !== undefined) args.ignoreExits = ignoreExits;
  if (failInit !== undefined) args.failInit = failInit;
  return childSpec(id, worker, args, { spawn: { name: id }, ...rest });
}

/** A virtual world: reactor, loop, reporter and the reports it received. */
export interface World {
  reactor: VirtualReactor;
  loop: Loop;
  reporter: CrashReporter;
  reports: SupervisionReport[];
  /** Descriptions of every actor exit on the loop, in order, with reason type. */
  exits: string[];
}

/** Creates a virtual world with a reporter that records every report. */
export function world(): World {
  const reactor = new VirtualReactor();
  const loop = createLoop({ reactor });
  const reporter = createCrashReporter();
  const reports: SupervisionReport[] = [];
  reporter.subscribe((report) => reports.push(report));
  const exits: string[] = [];
  loop.onExit((event) => exits.push(`${event.description.split("#")[0]} ${event.reason.type}`));
  return { reactor, loop, reporter, reports, exits };
}

/** Spawns a supervisor in `w` with the world's reporter. */
export function spawnSupervisor(
  w: World,
  children: readonly ChildSpec[],
  flags: SupervisorFlags = {},
  name = "sup",
): Ref<SupervisorProtocol> {
  return w.loop.spawn(supervisorBehaviour, { name, flags, children, reporter: w.reporter }, { name });
}

/** The running ref of child `id` (near call; fails if it is not running). */
export function refOf(sup: Ref<SupervisorProtocol>, id: string): AnyRef {
  const info = sup.call("whichChildren").find((child) => child.id === id);
  if (info?.ref == null) throw new Error(`child ${id} is not running`);
  return info.ref;
}

/** Child statuses as `id:status` strings, in start order. */
export function statuses(sup: Ref<SupervisorProtocol>): string[] {
  return sup.call("whichChildren").map((child) => `${child.id}:${child.status}`);
}

/** Runs every deferred task and due timer without moving virtual time. */
export function runNow(w: World): void {
  w.reactor.runUntilIdle({ maxAdvanceMs: 0 });
}

/** Makes child `id` crash and lets the supervisor react (without moving time). */
export function crash(w: World, sup: Ref<SupervisorProtocol>, id: string): void {
  refOf(sup, id).tell("boom");
  runNow(w);
}

/** True when `ref` is alive. */
export function alive(w: World, ref: AnyRef): boolean {
  return w.loop.inspect(ref)?.status === "running";
}

/** Settles the world (virtual time moves to due timers) and returns the outcome of `promise`. */
export async function settled<T>(w: World, promise: Promise<T>): Promise<T> {
  const outcome = promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  await w.reactor.settle();
  const result = await outcome;
  if (!result.ok) throw result.error;
  return result.value;
}
