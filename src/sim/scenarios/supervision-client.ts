import type { Behaviour } from "../../kernel/behaviour.js";
import type { ActorContext, TimerRef } from "../../kernel/context.js";
import type { Loop } from "../../kernel/loop-api.js";
import type { Ref } from "../../kernel/ref.js";
import type { SupervisorProtocol } from "../../supervision/supervisor-protocol.js";
import type { SupervisionAskLedger } from "./supervision-ask-ledger.js";
import type { SupervisionOptions, WorkerAddress } from "./supervision-options.js";
import type { WorkerProtocol } from "./supervision-worker.js";

/**
 * The load: client actors on the same loop as the tree (outside it), each acting every
 * `clientIntervalMs`. Restarted workers have new refs, so a client looks its worker up on every
 * request, through the supervisors' `whichChildren` (near calls down the tree from the root).
 */
export interface ClientProtocol {
  tick(): void;
  /** Stops the load (the heal phase); the client stays alive, without timers. */
  stop(): void;
}

/** The argument of a client's `init`. */
export interface ClientArgs {
  readonly root: Ref<SupervisorProtocol>;
  readonly workers: readonly WorkerAddress[];
  readonly options: SupervisionOptions;
  readonly ledger: SupervisionAskLedger;
  readonly loop: Loop;
}

interface ClientState {
  readonly args: ClientArgs;
  readonly timer: TimerRef | null;
}

type Ctx = ActorContext<ClientProtocol, ClientState>;
type Worker = Ref<WorkerProtocol>;
type Op = (args: ClientArgs, worker: Worker, ctx: Ctx) => void;

/** The client behaviour. */
export const clientBehaviour: Behaviour<ClientProtocol, ClientState, ClientArgs> = {
  name: "client",
  init: (args, ctx) => ({ args, timer: ctx.sendInterval(args.options.clientIntervalMs, "tick") }),
  handlers: {
    tick(state, _payload, ctx) {
      for (let i = 0; i < state.args.options.opsPerTick; i++) act(state.args, ctx);
    },
    stop(state, _payload, ctx) {
      if (state.timer === null) return;
      ctx.cancelTimer(state.timer);
      ctx.setState({ ...state, timer: null });
    },
  },
};

// Cumulative weights: which request a client makes.
const OPS: readonly (readonly [number, Op])[] = [
  [0.35, (_args, worker) => tell(() => worker.tell("work", 1))],
  [0.55, echo],
  [0.7, slowEcho],
  [
    0.8,
    (_args, worker, ctx) => tell(() => worker.tell("arm", { delayMs: 1 + pick(ctx, 60), repeat: pick(ctx, 2) === 0 })),
  ],
  [0.85, (_args, worker) => tell(() => worker.tell("disarm"))],
  [0.93, peek],
  [1, burst],
];

function act(args: ClientArgs, ctx: Ctx): void {
  const address = args.workers[pick(ctx, args.workers.length)]!;
  const worker = findWorker(args.root, address);
  if (worker === null) return;
  const roll = ctx.reactor.random();
  const op = OPS.find(([weight]) => roll < weight) ?? OPS[OPS.length - 1]!;
  op[1](args, worker, ctx);
}

function echo(args: ClientArgs, worker: Worker, ctx: Ctx): void {
  const options = askOptions(args, ctx);
  args.ledger.track(args.loop, (id) => worker.ask("echo", id, options), "echo");
}

function slowEcho(args: ClientArgs, worker: Worker, ctx: Ctx): void {
  const delayMs = 1 + pick(ctx, args.options.slowEchoMaxMs);
  const options = askOptions(args, ctx);
  args.ledger.track(args.loop, (id) => worker.ask("slowEcho", { id, delayMs }, options), "echo");
}

function peek(_args: ClientArgs, worker: Worker): void {
  try {
    worker.call("peek");
  } catch (error) {
    // The worker crashed (at random) in the call, or died since the lookup.
    if (!isKernelError(error, "crashed", "noproc")) throw error;
  }
}

// Many requests in one turn: they reach the worker's mailbox together (bounds, drop policies).
function burst(args: ClientArgs, worker: Worker, ctx: Ctx): void {
  const count = 4 + pick(ctx, 12);
  for (let i = 0; i < count; i++) {
    if (pick(ctx, 2) === 0) tell(() => worker.tell("work", 1));
    else echo(args, worker, ctx);
  }
}

// Half the asks use the loop's default timeout, the others a random one.
function askOptions(args: ClientArgs, ctx: Ctx): { timeoutMs: number } | undefined {
  if (pick(ctx, 2) === 0) return undefined;
  return { timeoutMs: 1 + pick(ctx, 2 * args.options.slowEchoMaxMs) };
}

function tell(send: () => void): void {
  try {
    send();
  } catch (error) {
    // A `reject` mailbox that is full refuses a tell at once.
    if (!isKernelError(error, "mailbox_full")) throw error;
  }
}

/** The current ref of the worker at `address`, or null while it is not running. */
export function findWorker(root: Ref<SupervisorProtocol>, address: WorkerAddress): Worker | null {
  let supervisor = root;
  for (const id of address.path) {
    const child = childRef(supervisor, id) as Ref<SupervisorProtocol> | null;
    if (child === null) return null;
    supervisor = child;
  }
  return childRef(supervisor, address.worker.id) as Worker | null;
}

/** The current ref of child `id` of `supervisor`, or null (not running, or the supervisor is dead). */
export function childRef(supervisor: Ref<SupervisorProtocol>, id: string): Ref<any> | null {
  try {
    return supervisor.call("whichChildren").find((child) => child.id === id)?.ref ?? null;
  } catch (error) {
    if (isKernelError(error, "noproc")) return null;
    throw error;
  }
}

function isKernelError(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as { code?: string } | null)?.code ?? "");
}

function pick(ctx: Ctx, bound: number): number {
  return Math.floor(ctx.reactor.random() * bound);
}
