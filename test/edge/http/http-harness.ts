/** Shared set-up for the HTTP edge tests: a loopback edge on port 0 and a raw request helper. */
import { existsSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHttpEdge, type HttpEdge } from "../../../src/edge/http/http-edge.js";
import type { HttpEdgeOptions } from "../../../src/edge/http/http-edge-options.js";

function findFixtures(): string {
  const relative = join("test", "edge", "http", "fixtures");
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, relative))) return join(dir, relative);
    if (dirname(dir) === dir) throw new Error(`${relative} not found above ${import.meta.url}`);
  }
}

/** The fixtures folder (in the source tree, wherever the compiled test runs from). */
export const FIXTURES = findFixtures();
/** The static root used by the tests. */
export const PUBLIC = join(FIXTURES, "public");

/** A listening edge and how to stop it. */
export interface TestEdge {
  readonly edge: HttpEdge;
  readonly port: number;
  readonly origin: string;
  close(): Promise<void>;
}

/** Starts an edge on 127.0.0.1, port 0; `setup` runs before listening (to attach other servers). */
export async function startEdge(options: HttpEdgeOptions = {}, setup?: (edge: HttpEdge) => void): Promise<TestEdge> {
  const edge = createHttpEdge(options);
  setup?.(edge);
  await new Promise<void>((resolve) => edge.server.listen(0, "127.0.0.1", resolve));
  const { port } = edge.server.address() as AddressInfo;
  return {
    edge,
    port,
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      edge.server.closeAllConnections();
      await new Promise<void>((resolve) => edge.server.close(() => resolve()));
    },
  };
}

/** A complete response, body undecoded. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Sends one request without any automatic decompression and collects the response. */
export function send(
  port: number,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path, method: init.method ?? "GET", headers: init.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}
