/**
 * Request/reply over the IPC channel of forked bench processes (the edge bench's servers and load
 * generators), with a time limit on every call and a registry that kills every child when the
 * parent ends — normally, by an error, by a watchdog's `process.exit` or by a signal.
 *
 * A child calls {@link serveRequests} with its handlers; it exits when the parent goes away
 * (its IPC channel closes), so no process outlives the bench.
 */
import { type ChildProcess, execFileSync, fork } from "node:child_process";

interface Request {
  readonly rpc: number;
  readonly command: string;
  readonly argument: unknown;
}

interface Reply {
  readonly rpc: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

/** Handlers of a child process, by command name. */
export type RequestHandlers = Record<string, (argument: any) => unknown>;

const children = new Set<ChildProcess>();
let cleanupInstalled = false;

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on("exit", killAllChildren);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killAllChildren();
      process.exit(130);
    });
  }
}

/** Kills every child process still running (SIGKILL). Safe to call more than once. */
export function killAllChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  children.clear();
}

/**
 * The hard limit on open files (`ulimit -H -n`). Node raises its own soft limit to the hard one at
 * start-up, so the hard limit is what a forked server or generator can use.
 */
export function openFilesHardLimit(): number {
  const text = execFileSync("sh", ["-c", "ulimit -H -n"], { encoding: "utf8" }).trim();
  return text === "unlimited" ? Number.POSITIVE_INFINITY : Number(text);
}

/** Options of {@link BenchProcess.start}. */
export interface StartOptions {
  /** Extra node flags, e.g. `--expose-gc`, `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
}

/** A forked bench process that answers requests. */
export class BenchProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextRpc = 1;
  #exit: string | null = null;

  private constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.#child = child;
    children.add(child);
    child.on("message", (reply: Reply) => this.#settle(reply));
    child.once("exit", (code, signal) => {
      children.delete(child);
      this.#exit = `${name} exited with ${signal ?? `code ${code}`}`;
      for (const pending of this.#pending.values()) pending.reject(new Error(this.#exit));
      this.#pending.clear();
    });
  }

  /** Forks the compiled module `modulePath` with `args`. */
  static start(name: string, modulePath: string, args: readonly string[], options: StartOptions = {}): BenchProcess {
    installCleanup();
    const child = fork(modulePath, [...args], {
      execArgv: [...(options.nodeFlags ?? [])],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    return new BenchProcess(name, child);
  }

  /** The child's pid. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Sends `command` and resolves with the child's answer; rejects after `limitMs` or if it fails. */
  call<T>(command: string, argument: unknown, limitMs: number): Promise<T> {
    if (this.#exit !== null) return Promise.reject(new Error(this.#exit));
    const rpc = this.#nextRpc++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(rpc);
        reject(new Error(`${this.name}: ${command} did not answer within ${limitMs} ms`));
      }, limitMs);
      this.#pending.set(rpc, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#child.send({ rpc, command, argument } satisfies Request);
    });
  }

  /** Resolves when the child has exited (at most `limitMs`, then kills it). */
  async exited(limitMs: number): Promise<void> {
    if (this.#exit !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#child.kill("SIGKILL");
      }, limitMs);
      this.#child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Kills the child at once. */
  kill(): void {
    if (this.#exit === null) this.#child.kill("SIGKILL");
  }

  #settle(reply: Reply): void {
    const pending = this.#pending.get(reply.rpc);
    if (pending === undefined) return;
    this.#pending.delete(reply.rpc);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new Error(`${this.name}: ${reply.error ?? "failed"}`));
  }
}

/**
 * Answers the parent's requests with `handlers` (sync or async); exits when the parent
 * disconnects. A handler returning the symbol {@link EXIT_AFTER_REPLY} ends the process once the
 * reply is sent.
 */
export function serveRequests(handlers: RequestHandlers): void {
  if (process.send === undefined) throw new Error("this module runs as a forked child of the edge bench");
  process.on("disconnect", () => process.exit(0));
  process.on("message", (request: Request) => {
    void answer(handlers, request);
  });
}

/** Returned by a handler to end the child once the reply went out. */
export const EXIT_AFTER_REPLY = Symbol("exit after reply");

async function answer(handlers: RequestHandlers, request: Request): Promise<void> {
  let reply: Reply;
  let exit = false;
  try {
    const handler = handlers[request.command];
    if (handler === undefined) throw new Error(`unknown command ${request.command}`);
    let value = await handler(request.argument);
    if (value === EXIT_AFTER_REPLY) {
      exit = true;
      value = null;
    }
    reply = { rpc: request.rpc, ok: true, value };
  } catch (error) {
    reply = { rpc: request.rpc, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  process.send!(reply, undefined, {}, () => {
    if (exit) process.exit(0);
  });
}
