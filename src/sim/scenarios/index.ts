import type { AnyScenario } from "../scenario.js";
import { naiveTwoPeerScenario } from "./naive-two-peer.js";
import { supervisionChaosScenario } from "./supervision-chaos.js";
import { clusterTrafficScenario } from "./cluster-traffic.js";
import { wireTwoPeerScenario } from "./wire-two-peer.js";
import { edgeSessionsScenario } from "./edge-sessions.js";

/** The scenarios `chorus sim` knows, by name. */
export const builtInScenarios: ReadonlyMap<string, AnyScenario> = new Map<string, AnyScenario>(
  [
    naiveTwoPeerScenario,
    wireTwoPeerScenario,
    clusterTrafficScenario,
    supervisionChaosScenario,
    edgeSessionsScenario,
  ].map((scenario) => [scenario.name, scenario]),
);
