import { ExitReasons } from "../../kernel/exit-reason.js";
import type { Loop } from "../../kernel/loop-api.js";
import type { AnyRef, Ref } from "../../kernel/ref.js";
import type { SupervisorProtocol } from "../../supervision/supervisor-protocol.js";
import type { SupervisionAskLedger } from "./supervision-ask-ledger.js";
import { childRef, findWorker } from "./supervision-client.js";
import {
  type SupervisionOptions,
  supervisorAddresses,
  type WorkerAddress,
  workerAddresses,
} from "./supervision-options.js";
import type { PlannedFault } from "./supervision-plan.js";
import type { FaultSwitch, WorkerFault, WorkerProtocol } from "./supervision-worker.js";

/** What faults hit: the current generation's loop and root supervisor. */
export interface FaultTarget {
  readonly loop: Loop;
  readonly root: Ref<SupervisorProtocol>;
}

/**
 * Carries out the plan's faults, from outside any actor (between simulation steps): exit
 * signals, tells and asks that make a worker crash in a given way, kills of supervisors, and
 * `terminateChild`/`restartChild` requests. A fault whose target is not running does nothing.
 * Asks it makes are tracked by the ledger like the workload's.
 */
export class SupervisionFaultInjector {
  readonly #options: SupervisionOptions;
  readonly #faults: FaultSwitch;
  readonly #ledger: SupervisionAskLedger;

  constructor(options: SupervisionOptions, faults: FaultSwitch, ledger: SupervisionAskLedger) {
    this.#options = options;
    this.#faults = faults;
    this.#ledger = ledger;
  }

  /** Injects `fault` into `target` (nothing before the node has booted). */
  inject(target: FaultTarget | null, fault: PlannedFault): void {
    if (target === null) return;
    if (fault.mode === "kill-supervisor") {
      const supervisors = supervisorAddresses(this.#options.tree);
      const ref = supervisorAt(target, supervisors[fault.target % supervisors.length]!.path);
      if (ref !== null) target.loop.exit(ref, ExitReasons.killed);
      return;
    }
    const workers = workerAddresses(this.#options.tree);
    const address = workers[fault.target % workers.length]!;
    if (fault.mode === "terminate-restart") {
      this.#terminateRestart(target, address);
      return;
    }
    const worker = findWorker(target.root, address);
    if (worker !== null) this.#hit(target.loop, worker, fault.mode);
  }

  // Dynamic-children requests queue behind stop jobs; with slow stops they would defer restarts.
  #terminateRestart(target: FaultTarget, address: WorkerAddress): void {
    const supervisor = supervisorAt(target, address.path);
    if (supervisor === null || this.#options.slowStops) return;
    const { id } = address.worker;
    this.#faults.spared.add(id);
    this.#ledger.track(target.loop, () => supervisor.ask("terminateChild", id), "reply");
    this.#ledger.track(target.loop, () => supervisor.ask("restartChild", id), "reply");
  }

  #hit(loop: Loop, worker: Ref<WorkerProtocol>, mode: PlannedFault["mode"]): void {
    switch (mode) {
      case "kill":
        return loop.exit(worker, ExitReasons.killed);
      case "exit-crash":
        return loop.exit(worker, ExitReasons.crash(new Error("injected exit signal")));
      case "exit-shutdown":
        return loop.exit(worker, ExitReasons.shutdown);
      case "ask-throw":
        this.#ledger.track(loop, () => worker.ask("fault", "throw"), "fail");
        return;
      case "call-throw":
        return expecting(["crashed"], () => worker.call("fault", "throw"));
      case "kill-supervisor":
      case "terminate-restart":
        return;
      default:
        // A full `reject` mailbox refuses the fault: then nothing happens.
        return expecting(["mailbox_full"], () => worker.tell("fault", mode satisfies WorkerFault));
    }
  }
}

function supervisorAt(target: FaultTarget, path: readonly string[]): Ref<SupervisorProtocol> | null {
  let ref: AnyRef | null = target.root;
  for (const id of path) ref = ref === null ? null : childRef(ref, id);
  return ref;
}

// Runs `act`, letting kernel errors with one of `codes` pass (anything else is a scenario bug).
function expecting(codes: readonly string[], act: () => void): void {
  try {
    act();
  } catch (error) {
    if (!codes.includes((error as { code?: string } | null)?.code ?? "")) throw error;
  }
}
