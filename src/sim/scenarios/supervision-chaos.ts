import type { Invariant, Scenario, ScenarioContext } from "../scenario.js";
import type { SimNode } from "../sim-node.js";
import { SupervisionApplication, type SupervisionProbes } from "./supervision-application.js";
import { SupervisionAskLedger } from "./supervision-ask-ledger.js";
import { SupervisionFaultInjector } from "./supervision-fault-injector.js";
import { type IntensityLimit, RestartIntensityChecker } from "./supervision-intensity-checker.js";
import { ActorLifecycleChecker } from "./supervision-lifecycle-checker.js";
import { drawSupervisionOptions, type SupervisionOptions, supervisorAddresses } from "./supervision-options.js";
import { drawSupervisionPlan, type SupervisionPlan, supervisionPlanArbitrary } from "./supervision-plan.js";
import { SupervisionTimerAudit } from "./supervision-timer-audit.js";

/**
 * The supervision scenario on the real kernel (issue 3, "What proves it" item 3). One simulated
 * node boots a kernel loop on its SimReactor with a supervision tree drawn from the seed (a flat
 * root, or a root over one or two supervisors; strategies, intensities, periods, worker restart
 * types, shutdown policies, exit trapping, slow stops, helpers, mailbox bounds) and client actors
 * on the same loop that load the workers with tells, asks (immediate and delayed replies, default
 * and short timeouts, bursts), timer requests and near calls. Workers crash at random under that
 * load and at the times of the plan's fault schedule, in every way a handler, a timer, an exit
 * signal, a link or `terminate` can make them. If the root gives up, the loop is shut down and
 * the application boots again on a fresh loop.
 *
 * Safety, after every step: restarts stay within intensity, asks settle at most once and with
 * their own reply, no actor handles a message after its exit, and every live timer of the node
 * belongs to a live actor or to an ask timeout wheel with pending asks. Liveness, after the heal
 * phase (faults and load stop): every ask has settled exactly once, supervisors that gave up have
 * stopped, the tree is whole again, and no kernel timer is left.
 */

/** Length of the chaos phase, in virtual ms. */
export const SUPERVISION_CHAOS_MS = 1_000;
/** Budget of the heal phase, in virtual ms (convergence takes about 20 ms on average, 150 at most in 1,000 seeds). */
export const SUPERVISION_HEAL_MS = 5_000;

/** Deliberately broken variants, to prove the invariants can fail. Default: none. */
export interface SupervisionChaosVariant {
  /** Scenario name (default `supervision-chaos`). */
  readonly name?: string;
  /** Workers start a Reactor timer no actor holds: "no timer outlives its actor" must fire. */
  readonly leakTimer?: boolean;
  /**
   * Supervisors allow this many more restarts than the checker is told: "restarts stay within
   * intensity" must fire once a window holds more than the told intensity.
   */
  readonly intensitySlack?: number;
}

/** What the invariants read. */
export interface SupervisionState {
  readonly node: SimNode;
  readonly app: SupervisionApplication;
  readonly probes: SupervisionProbes;
}

const SAFETY: readonly Invariant<SupervisionState>[] = [
  {
    name: "restarts stay within intensity",
    check: ({ node, probes }) => probes.intensity.check(node.reactor.nowMs()),
  },
  { name: "every ask settles at most once, with its own reply", check: ({ probes }) => probes.ledger.violation },
  { name: "no message is handled by a stopped actor", check: ({ probes }) => probes.lifecycle.violation },
  { name: "the workload never crashes", check: ({ app }) => app.violation },
  { name: "no timer outlives its actor", check: ({ probes }) => probes.timers.check(false) },
];

// Cheapest first: the runner checks them after every step of the heal phase.
const LIVENESS: readonly Invariant<SupervisionState>[] = [
  {
    name: "every ask settles exactly once",
    check: ({ probes: { ledger } }) =>
      ledger.pending === 0 ? null : `${ledger.pending} of ${ledger.made} ask(s) never settled`,
  },
  { name: "a supervisor that gives up stops", check: ({ probes }) => probes.intensity.unsettled() },
  { name: "no kernel timer is left once asks have settled", check: ({ probes }) => probes.timers.check(true) },
  { name: "the supervision tree recovers", check: ({ app }) => app.unconverged() },
];

/** Creates the scenario, or a deliberately broken variant of it. */
export function createSupervisionChaosScenario(
  variant: SupervisionChaosVariant = {},
): Scenario<SupervisionOptions, SupervisionPlan, SupervisionState> {
  return {
    name: variant.name ?? "supervision-chaos",
    description: "a supervision tree on the real kernel; workers crash at random under load",
    options: drawSupervisionOptions,
    plan: (prng, options) => drawSupervisionPlan(prng, options, SUPERVISION_CHAOS_MS),
    planArbitrary: (options) => supervisionPlanArbitrary(options, SUPERVISION_CHAOS_MS),
    setup: (context, plan) => setup(context, plan, variant),
    safety: SAFETY,
    liveness: LIVENESS,
    chaosMs: SUPERVISION_CHAOS_MS,
    healMs: SUPERVISION_HEAL_MS,
    heal: (_context, state) => state.app.heal(),
  };
}

/** The supervision scenario (`chorus sim supervision-chaos`). */
export const supervisionChaosScenario = createSupervisionChaosScenario();

function setup(
  context: ScenarioContext<SupervisionOptions>,
  plan: SupervisionPlan,
  variant: SupervisionChaosVariant,
): SupervisionState {
  const { world, options, at } = context;
  const ledger = new SupervisionAskLedger();
  const node = world.addNode("server", { driftPpm: options.driftPpm, skewMs: options.skewMs });
  const probes: SupervisionProbes = {
    ledger,
    intensity: new RestartIntensityChecker(intensityLimits(options)),
    lifecycle: new ActorLifecycleChecker(),
    timers: new SupervisionTimerAudit(node, ledger),
  };
  const faults = {
    active: true,
    crashPerMille: plan.crashPerMille,
    initFailPerMille: plan.initFailPerMille,
    spared: new Set<string>(),
    leakTimer: variant.leakTimer ?? false,
  };
  const app = new SupervisionApplication(node, options, faults, probes, variant.intensitySlack ?? 0);
  node.setBoot(({ reactor }) => app.boot(reactor));
  const injector = new SupervisionFaultInjector(options, faults, ledger);
  for (const fault of plan.faults) {
    at(fault.atMs, `fault ${fault.mode} #${fault.target}`, () => injector.inject(app.current, fault));
  }
  return { node, app, probes };
}

function intensityLimits(options: SupervisionOptions): Map<string, IntensityLimit> {
  return new Map(
    supervisorAddresses(options.tree).map(({ supervisor }) => [
      supervisor.id,
      { intensity: supervisor.intensity, periodMs: supervisor.periodMs },
    ]),
  );
}
