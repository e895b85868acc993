/** Shared set-up for the Engine.IO server integration tests: a loopback server on port 0. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeReactor } from "../../../src/reactor/node/node-reactor.js";
import { type EngineIoServer, createEngineIoServer } from "../../../src/edge/engine-io/engine-io-server.js";
import type { EngineIoServerOptions } from "../../../src/edge/engine-io/engine-io-server-options.js";

/** A running server and how to reach and stop it. */
export interface TestServer {
  readonly engine: EngineIoServer;
  readonly http: Server;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Lines the server logged (its `log` option), unless the test passed its own `log`. */
  readonly logs: string[];
  /** Closes the engine, every connection and the listener. */
  close(): Promise<void>;
}

/** Starts an Engine.IO server at `/engine.io/` on 127.0.0.1, port 0. */
export async function startServer(options: Partial<EngineIoServerOptions> = {}): Promise<TestServer> {
  const http = createServer((_req, res) => res.writeHead(404).end("not here"));
  const logs: string[] = [];
  const engine = createEngineIoServer({ reactor: createNodeReactor(), log: (line) => logs.push(line), ...options });
  engine.attach(http);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    engine,
    http,
    origin: `http://127.0.0.1:${port}`,
    logs,
    close: async () => {
      engine.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** Resolves with the arguments of the next `event` emitted by an emitter-like object. */
export function once<T extends unknown[] = any[]>(
  emitter: { once(event: string, listener: (...args: any[]) => void): unknown },
  event: string,
): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args as T)));
}

/** Waits until `predicate` holds, polling every few ms, or fails after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
