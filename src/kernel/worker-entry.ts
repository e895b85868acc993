/**
 * The entry point of a worker loop (run by `startWorkerLoop`): builds a loop on this thread with
 * the real Reactor, connects it to its parent and sibling loops, and spawns module-exported
 * behaviours on request. Not part of the public API.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createNodeReactor } from "../reactor/node/node-reactor.js";
import type { AnyBehaviour } from "./behaviour.js";
import type { SpawnOptions } from "./context.js";
import { BadMessageError } from "./errors.js";
import { LoopRuntime } from "./loop.js";
import { MessagePortTransport } from "./message-port-transport.js";
import { connectPeer } from "./peer-connection.js";
import type { WorkerControl, WorkerData } from "./worker-protocol.js";

const data = workerData as WorkerData;
const reactor = createNodeReactor();
const loop = new LoopRuntime({ reactor, id: data.id, name: data.name, askTimeoutMs: data.askTimeoutMs });

loop.moduleSpawner = async (moduleUrl, exportName, args, options) => {
  const module = (await import(moduleUrl)) as Record<string, unknown>;
  const behaviour = module[exportName] as AnyBehaviour | undefined;
  if (behaviour === undefined || typeof behaviour !== "object" || typeof behaviour.init !== "function") {
    throw new BadMessageError(`${moduleUrl} has no behaviour exported as "${exportName}"`);
  }
  return loop.spawn(behaviour, args, options as SpawnOptions);
};

connectPeer(
  loop,
  new MessagePortTransport(data.parent.port, reactor, data.transport),
  data.parent.id,
  data.parent.name,
);
for (const peer of data.peers) {
  connectPeer(loop, new MessagePortTransport(peer.port, reactor, data.transport), peer.id, peer.name);
}

parentPort?.on("message", (message: WorkerControl) => {
  switch (message.t) {
    case "peer":
      connectPeer(loop, new MessagePortTransport(message.port, reactor, message.transport), message.id, message.name);
      return;
    case "stop":
      loop.shutdown();
      parentPort?.close();
      return;
    case "ready":
      return;
  }
});

const ready: WorkerControl = { t: "ready" };
parentPort?.postMessage(ready);
