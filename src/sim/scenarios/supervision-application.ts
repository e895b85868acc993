import type { AnyBehaviour } from "../../kernel/behaviour.js";
import { createLoop } from "../../kernel/loop.js";
import type { Loop } from "../../kernel/loop-api.js";
import type { Ref } from "../../kernel/ref.js";
import type { Reactor } from "../../reactor/reactor.js";
import type { ChildSpec } from "../../supervision/child-spec.js";
import { createCrashReporter } from "../../supervision/crash-reporter.js";
import { supervisorBehaviour } from "../../supervision/supervisor.js";
import type { SupervisorProtocol } from "../../supervision/supervisor-protocol.js";
import type { SimNode } from "../sim-node.js";
import type { SupervisionAskLedger } from "./supervision-ask-ledger.js";
import { type ClientProtocol, clientBehaviour } from "./supervision-client.js";
import type { FaultTarget } from "./supervision-fault-injector.js";
import type { RestartIntensityChecker } from "./supervision-intensity-checker.js";
import type { ActorLifecycleChecker } from "./supervision-lifecycle-checker.js";
import {
  type SupervisionOptions,
  type SupervisorOptions,
  type WorkerOptions,
  workerAddresses,
} from "./supervision-options.js";
import { instrument } from "./supervision-instrument.js";
import type { SupervisionTimerAudit } from "./supervision-timer-audit.js";
import { type FaultSwitch, workerBehaviour } from "./supervision-worker.js";

/** The checkers the application feeds as it runs. */
export interface SupervisionProbes {
  readonly ledger: SupervisionAskLedger;
  readonly intensity: RestartIntensityChecker;
  readonly lifecycle: ActorLifecycleChecker;
  readonly timers: SupervisionTimerAudit;
}

/** One boot of the application: a loop, its supervision tree and its clients. */
interface Generation extends FaultTarget {
  readonly clients: readonly Ref<ClientProtocol>[];
}

type Track = <B extends AnyBehaviour>(behaviour: B) => B;

/**
 * The application on the simulated node: a kernel loop on the node's SimReactor, a supervision
 * tree (the root supervisor spawned directly, so that the tracer sees every spawn) and client
 * actors making load. When the root supervisor exits (it gave up, or a fault killed it) the loop
 * is shut down and a new generation boots (loop `g1`, `g2`, …), as a node's heart would restart it.
 */
export class SupervisionApplication {
  readonly node: SimNode;
  readonly options: SupervisionOptions;
  readonly faults: FaultSwitch;
  readonly probes: SupervisionProbes;
  /** Extra restarts each supervisor allows beyond what the checker is told (a broken variant). */
  readonly #intensitySlack: number;
  #generation: Generation | null = null;
  #generations = 0;
  #healing = false;
  #violation: string | null = null;

  constructor(
    node: SimNode,
    options: SupervisionOptions,
    faults: FaultSwitch,
    probes: SupervisionProbes,
    intensitySlack = 0,
  ) {
    this.node = node;
    this.options = options;
    this.faults = faults;
    this.probes = probes;
    this.#intensitySlack = intensitySlack;
  }

  /** A client crashed (a bug of the workload itself, which would hide load), or null. */
  get violation(): string | null {
    return this.#violation;
  }

  /** Generations booted so far. */
  get generations(): number {
    return this.#generations;
  }

  /** Boots the first generation (the node's boot function). */
  boot(reactor: Reactor): void {
    this.#generation = this.#start(reactor);
  }

  /** Ends the chaos phase: faults stop and clients stop making requests. */
  heal(): void {
    this.#healing = true;
    this.faults.active = false;
    for (const client of this.#generation?.clients ?? []) client.tell("stop");
  }

  #start(reactor: Reactor): Generation {
    const loop = createLoop({ reactor, name: `g${this.#generations++}`, askTimeoutMs: this.options.askTimeoutMs });
    this.#trace(loop);
    const register = this.probes.timers.addLoop(loop);
    const lifecycle = this.probes.lifecycle;
    const probe = { onInit: register, onTurn: (actor: string, what: string) => lifecycle.onTurn(actor, what) };
    const track: Track = (behaviour) => instrument(behaviour, probe);
    const reporter = createCrashReporter({ historyLengthMax: 0 });
    reporter.subscribe((report) => this.probes.intensity.onReport(report));
    const tree = this.options.tree;
    const args = { name: tree.id, flags: this.#flags(tree), children: this.#children(tree, loop, track), reporter };
    // A boot never fails: a worker's init fails at random only when it is restarted.
    const active = this.faults.active;
    this.faults.active = false;
    const root = loop.spawn(track(supervisorBehaviour), args, { name: tree.id });
    this.faults.active = active;
    loop.monitor(root, () => reactor.defer(() => this.#rootExited(loop, reactor)));
    const clientArgs = {
      root,
      workers: workerAddresses(tree),
      options: this.options,
      ledger: this.probes.ledger,
      loop,
    };
    const count = this.#healing ? 0 : this.options.clients;
    const clients = Array.from({ length: count }, () => loop.spawn(track(clientBehaviour), clientArgs));
    return { loop, root, clients };
  }

  // The same events traceLoop records, also fed to the checkers (a loop has one tracer).
  #trace(loop: Loop): void {
    const { node, probes } = this;
    const world = node.world;
    loop.setTracer((event) => {
      world.record({ ...event, atMs: world.nowMs, node: node.name });
      probes.lifecycle.observe(event);
      if (event.type !== "exit") return;
      const name = event.actor.slice(0, event.actor.indexOf("#"));
      probes.intensity.onSupervisorExit(name);
      if (name === "client" && event.reason === "crash") this.#violation ??= `${event.actor} crashed`;
    });
  }

  #rootExited(loop: Loop, reactor: Reactor): void {
    loop.shutdown();
    if (this.#generation?.loop === loop) this.#generation = this.#start(reactor);
  }

  #flags(supervisor: SupervisorOptions) {
    const { strategy, intensity, periodMs } = supervisor;
    return { strategy, intensity: intensity + this.#intensitySlack, periodMs };
  }

  #children(supervisor: SupervisorOptions, loop: Loop, track: Track): ChildSpec[] {
    return supervisor.children.map((child) =>
      child.kind === "worker" ? this.#workerSpec(child, loop, track) : this.#supervisorSpec(child, loop, track),
    );
  }

  #workerSpec(worker: WorkerOptions, loop: Loop, track: Track): ChildSpec {
    const { ledger } = this.probes;
    const mailbox = { lengthMax: worker.mailboxLengthMax, overflow: worker.overflow };
    return {
      id: worker.id,
      restart: worker.restart,
      shutdownMs: worker.shutdownMs,
      start: {
        behaviour: track(workerBehaviour),
        args: { options: worker, faults: this.faults, ledger, loop, track },
        options: { name: worker.id, trapExits: worker.trapExits, mailbox },
      },
    };
  }

  #supervisorSpec(supervisor: SupervisorOptions, loop: Loop, track: Track): ChildSpec {
    const args = {
      name: supervisor.id,
      flags: this.#flags(supervisor),
      children: this.#children(supervisor, loop, track),
    };
    return {
      id: supervisor.id,
      type: "supervisor",
      shutdownMs: "infinity",
      start: { behaviour: track(supervisorBehaviour), args, options: { name: supervisor.id } },
    };
  }

  /** The current generation's loop and root supervisor (what faults hit), or null before boot. */
  get current(): FaultTarget | null {
    return this.#generation;
  }

  // ---- liveness ----

  /**
   * Null once the current generation's tree has converged: every child of every supervisor is
   * running (a `transient` one may have stopped cleanly), none is waiting for a restart.
   */
  unconverged(): string | null {
    const generation = this.#generation;
    if (generation === null) return "the node has not booted";
    return treeProblem(generation.root, this.options.tree, "root");
  }
}

function treeProblem(ref: Ref<SupervisorProtocol>, options: SupervisorOptions, where: string): string | null {
  let children;
  try {
    children = ref.call("whichChildren");
  } catch {
    return `${where} is not running`;
  }
  for (const child of children) {
    const spec = options.children.find((c) => c.id === child.id);
    if (child.status === "running" && child.ref !== null) {
      if (spec?.kind !== "supervisor") continue;
      const problem = treeProblem(child.ref, spec, `${where}/${child.id}`);
      if (problem !== null) return problem;
    } else if (!(child.status === "terminated" && child.restart === "transient")) {
      return `${where}/${child.id} is ${child.status}`;
    }
  }
  return null;
}
