import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { SpawnOptions } from "./context.js";
import { LoopClosedError, SpawnError } from "./errors.js";
import type { Loop, LoopRuntime } from "./loop.js";
import { MessagePortTransport, type MessagePortTransportOptions } from "./message-port-transport.js";
import { connectPeer, type PeerConnection } from "./peer-connection.js";
import { PendingAsk } from "./pending-ask.js";
import type { Protocol } from "./protocol.js";
import type { Ref } from "./ref.js";
import type { WorkerControl, WorkerData } from "./worker-protocol.js";

/** Options of {@link startWorkerLoop}. */
export interface WorkerLoopOptions {
  /** Short name of the new loop. Default `worker-N`. */
  name?: string;
  /** How long to wait for the worker to boot, in ms. Default 10,000. */
  startTimeoutMs?: number;
  /** How long `stop()` waits for actors to terminate before terminating the thread, in ms. Default 5,000. */
  stopTimeoutMs?: number;
  /** Batching and flow-control limits of the MessagePort transports. */
  transport?: MessagePortTransportOptions;
  /** V8 heap limits of the worker thread. */
  resourceLimits?: import("node:worker_threads").ResourceLimits;
}

/** A loop on a `worker_threads` worker, reached with far refs. */
export interface WorkerLoop {
  /** The loop's 128-bit hex id. */
  readonly id: string;
  /** The loop's name. */
  readonly name: string;
  /**
   * Spawns on the worker loop the behaviour exported as `exportName` by the ES module at
   * `moduleUrl` (behaviours are code, so they travel as module references). Resolves with a far
   * ref; rejects with SpawnError if the module, the export or `init` fails.
   */
  spawn<M extends Protocol<M>>(
    moduleUrl: URL | string,
    exportName: string,
    args?: unknown,
    options?: SpawnOptions,
  ): Promise<Ref<M>>;
  /** Shuts the worker loop down (its actors stop with `shutdown`) and ends the thread. */
  stop(): Promise<void>;
  /** Resolves when the worker thread has ended, for whatever reason. */
  readonly exited: Promise<void>;
}

interface WorkerEntry {
  readonly id: string;
  readonly name: string;
  readonly worker: Worker;
}

const workersByLoop = new WeakMap<LoopRuntime, WorkerEntry[]>();

/**
 * Starts a loop on a new worker thread and connects it to `loop` and to every other worker loop
 * started from `loop` (a full mesh of MessagePorts), so refs passed between any two of them
 * work directly. Blocking work (SQLite, CPU-heavy code) belongs on such a loop.
 */
export async function startWorkerLoop(loop: Loop, options: WorkerLoopOptions = {}): Promise<WorkerLoop> {
  const runtime = loop as LoopRuntime;
  if (runtime.closed) throw new LoopClosedError(`loop ${runtime.name} is shut down`);
  const siblings = workersByLoop.get(runtime) ?? [];
  workersByLoop.set(runtime, siblings);
  const id = runtime.reactor.uniqueId();
  const name = options.name ?? `worker-${siblings.length + 1}`;
  const toParent = new MessageChannel();
  const meshPorts: WorkerData["peers"] = [];
  const transfer: MessagePort[] = [toParent.port2];
  for (const sibling of siblings) {
    const channel = new MessageChannel();
    const control: WorkerControl = { t: "peer", id, name, port: channel.port1, transport: options.transport };
    sibling.worker.postMessage(control, [channel.port1]);
    meshPorts.push({ id: sibling.id, name: sibling.name, port: channel.port2 });
    transfer.push(channel.port2);
  }
  const data: WorkerData = {
    id,
    name,
    parent: { id: runtime.id, name: runtime.name, port: toParent.port2 },
    peers: meshPorts,
    transport: options.transport,
    askTimeoutMs: runtime.askTimeoutMs,
  };
  const worker = new Worker(new URL("./worker-entry.js", import.meta.url), {
    workerData: data,
    transferList: transfer,
    ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
  });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  await waitReady(worker, runtime, options.startTimeoutMs ?? 10_000);
  const entry: WorkerEntry = { id, name, worker };
  siblings.push(entry);
  const peer = connectPeer(
    runtime,
    new MessagePortTransport(toParent.port1, runtime.reactor, options.transport),
    id,
    name,
  );
  void exited.then(() => {
    siblings.splice(siblings.indexOf(entry), 1);
    peer.close();
  });
  return {
    id,
    name,
    exited,
    spawn: (moduleUrl, exportName, args, spawnOptions) =>
      spawnOn(peer, String(moduleUrl), exportName, args, spawnOptions),
    stop: () => stopWorker(worker, exited, runtime, options.stopTimeoutMs ?? 5_000),
  };
}

function spawnOn<M extends Protocol<M>>(
  peer: PeerConnection,
  url: string,
  exportName: string,
  args: unknown,
  options: SpawnOptions | undefined,
): Promise<Ref<M>> {
  if (peer.closed) return Promise.reject(new LoopClosedError(`loop ${peer.peerName} is closed`));
  const pending = new PendingAsk(
    peer.loop.wheel,
    `spawn ${exportName} on ${peer.peerName}`,
    peer.loop.askTimeoutMs * 2,
  );
  peer.requestSpawn(url, exportName, args, options ?? {}, pending);
  return pending.promise.catch((error: unknown) => {
    throw new SpawnError(
      `spawning ${exportName} from ${url} on loop ${peer.peerName} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }) as Promise<Ref<M>>;
}

function waitReady(worker: Worker, runtime: LoopRuntime, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = runtime.reactor.setTimer(timeoutMs, () =>
      fail(new LoopClosedError(`worker loop did not start within ${timeoutMs} ms`)),
    );
    const onMessage = (message: WorkerControl) => {
      if (message.t !== "ready") return;
      cleanup();
      resolve();
    };
    const fail = (error: Error) => {
      cleanup();
      void worker.terminate();
      reject(error);
    };
    const onError = (error: Error) => fail(error);
    const onExit = (code: number) => fail(new LoopClosedError(`worker loop exited with code ${code} while starting`));
    const cleanup = () => {
      timer.cancel();
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    worker.on("message", onMessage);
    worker.once("error", onError);
    worker.once("exit", onExit);
  });
}

async function stopWorker(
  worker: Worker,
  exited: Promise<void>,
  runtime: LoopRuntime,
  timeoutMs: number,
): Promise<void> {
  const stop: WorkerControl = { t: "stop" };
  worker.postMessage(stop);
  let timer: { cancel(): void } | undefined;
  const late = new Promise<void>((resolve) => {
    timer = runtime.reactor.setTimer(timeoutMs, () => {
      void worker.terminate().then(() => resolve());
    });
  });
  await Promise.race([exited, late]);
  timer?.cancel();
}
