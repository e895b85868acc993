import type { MessagePort } from "node:worker_threads";
import type { MessagePortTransportOptions } from "./message-port-transport.js";

/** What a worker loop is started with (`workerData`). Internal. */
export interface WorkerData {
  readonly id: string;
  readonly name: string;
  readonly parent: { readonly id: string; readonly name: string; readonly port: MessagePort };
  readonly peers: Array<{ readonly id: string; readonly name: string; readonly port: MessagePort }>;
  readonly transport: MessagePortTransportOptions | undefined;
  readonly askTimeoutMs: number;
}

/** Control messages between the parent thread and a worker loop (not actor traffic). Internal. */
export type WorkerControl =
  | { readonly t: "ready" }
  | { readonly t: "stop" }
  | {
      readonly t: "peer";
      readonly id: string;
      readonly name: string;
      readonly port: MessagePort;
      readonly transport: MessagePortTransportOptions | undefined;
    };
