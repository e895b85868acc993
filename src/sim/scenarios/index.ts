import type { AnyScenario } from "../scenario.js";
import { naiveTwoPeerScenario } from "./naive-two-peer.js";

/** The scenarios `chorus sim` knows, by name. */
export const builtInScenarios: ReadonlyMap<string, AnyScenario> = new Map<string, AnyScenario>(
  [naiveTwoPeerScenario].map((scenario) => [scenario.name, scenario]),
);
