/**
 * Test and simulation helpers (`chorus/testing`): the virtual Reactor, the deterministic
 * simulator (world, nodes, network, scenarios, runner, shrinking), its seeded PRNG, and the
 * simulated edge (an Engine.IO/Socket.IO server and clients over simulated connections).
 * @packageDocumentation
 */
export { VirtualReactor, type VirtualReactorOptions } from "./reactor/virtual/virtual-reactor.js";
export { Prng } from "./reactor/virtual/prng.js";
export { RealWorldAccessError } from "./reactor/node/real-world-guard.js";
export { SimWorld, type SimWorldOptions } from "./sim/sim-world.js";
export { SimNode, SimReactor, type BootContext, type SimNodeOptions, type SimNodeStatus } from "./sim/sim-node.js";
export { SimNetwork, SimConnection, LINK_DEFAULTS, type LinkConfig } from "./sim/sim-network.js";
export { SimLoopTransport, SIM_OUTBOUND_FRAMES_MAX_DEFAULT } from "./sim/sim-loop-transport.js";
export { Trace, formatTraceEvent, TRACE_TAIL_DEFAULT, type TraceEvent, type FaultEvent } from "./sim/trace.js";
export { traceLoop } from "./sim/trace-loop.js";
export type { Scenario, AnyScenario, ScenarioContext, Invariant } from "./sim/scenario.js";
export { runScenario, type RunOptions, type RunResult, type Violation } from "./sim/run-scenario.js";
export { sweep, type SweepOptions, type SweepResult } from "./sim/sweep.js";
export { shrinkPlan, type ShrinkResult } from "./sim/shrink.js";
export { formatFailure, formatRunHeader, formatRunLine } from "./sim/report.js";
export { builtInScenarios } from "./sim/scenarios/index.js";
export { serveEdge, type SimEdgeServer, type SimEdgeServerOptions } from "./sim/edge/sim-edge-server.js";
export {
  SimEngineIoClient,
  type SimEngineIoClientMode,
  type SimEngineIoClientOptions,
} from "./sim/edge/sim-engine-io-client.js";
export { SimSocketIoClient, type SimSocketIoClientOptions } from "./sim/edge/sim-socket-io-client.js";
