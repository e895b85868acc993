#!/usr/bin/env node
/**
 * The `chorus` command. `serve` starts a node; `sim` runs simulation scenarios from a seed;
 * `bench` runs a benchmark suite from a checkout; `chat` runs the example chat.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { chatCommand } from "./chat-command.js";
import { serve } from "./serve.js";
import { simCommand } from "./sim-command.js";

const packageJson = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

const program = new Command()
  .name("chorus")
  .description("Chorus: a realtime server runtime for TypeScript on Node.js")
  .version(packageJson.version);

program
  .command("serve")
  .description(
    "start a node: root supervisor, worker loops, a status reporter, optionally on the wire; stops gracefully on SIGINT/SIGTERM",
  )
  .option("--workers <n>", "worker-thread loops to start beside the main loop", integer(0), 0)
  .option("--status-interval <ms>", "status line period in ms", integer(100), 10_000)
  .option("--listen <addr>", "listen for wire peers on host:port (port 0 picks one) or unix:/path")
  .option(
    "--join <addr>",
    "join the node listening at addr (repeatable)",
    (v: string, all: string[]) => [...all, v],
    [],
  )
  .option("--demo", "after joining, exchange demo actor messages with each joined node")
  .action(
    async (options: { workers: number; statusInterval: number; listen?: string; join: string[]; demo?: boolean }) => {
      const handle = await serve({
        workers: options.workers,
        statusIntervalMs: options.statusInterval,
        listen: options.listen,
        join: options.join,
        demo: options.demo,
      }).catch((error: unknown) => {
        process.stderr.write(`chorus serve: ${(error as Error).message}\n`);
        process.exit(1);
      });
      let signals = 0;
      const shutdown = (signal: string) => {
        if (++signals > 1) {
          process.stderr.write(`chorus: ${signal} again, exiting without waiting for the shutdown\n`);
          process.exit(130);
        }
        process.stderr.write(`chorus: ${signal}, shutting down (send it again to force)\n`);
        void handle.stop().then(() => process.exit(0));
      };
      process.on("SIGINT", () => shutdown("SIGINT"));
      process.on("SIGTERM", () => shutdown("SIGTERM"));
      const exit = await handle.node.exited;
      if (!exit.requested) {
        process.stderr.write(`chorus: the root supervisor stopped on its own (${exit.reason.type}); exiting\n`);
        await Promise.all(handle.workers.map((w) => w.stop()));
        process.exit(1);
      }
    },
  );

program
  .command("chat")
  .description("run the realtime chat (UI, Socket.IO, SQLite history); stops gracefully on SIGINT/SIGTERM")
  .option("--port <n>", "TCP port", integer(0), 3000)
  .option("--host <host>", "interface to listen on (default: all interfaces)")
  .option("--data <dir>", "directory of the chat history (chat.sqlite)", "./chat-data")
  .action(async (options: { port: number; host?: string; data: string }) => {
    await chatCommand(options);
  });

program
  .command("sim")
  .description(
    "run a simulation scenario from a seed, or sweep seeds; prints SEED=… first and a replay command on failure",
  )
  .argument("[scenario]", "scenario name (omit, or --list, to list them)")
  .option("--seed <n>", "run this one seed", integer(0))
  .option("--seeds <n>", "sweep this many seeds", integer(1))
  .option("--first-seed <n>", "first seed of a sweep", integer(0))
  .option("--shrink", "shrink the failing plan to a minimal one")
  .option("--plan <json>", "run this plan instead of the one drawn from the seed (e.g. a shrunk plan)")
  .option("--list", "list the scenarios")
  .action(
    async (
      name: string | undefined,
      options: { seed?: number; seeds?: number; firstSeed?: number; shrink?: boolean; plan?: string; list?: boolean },
    ) => {
      process.exitCode = await simCommand(name, options);
    },
  );

program
  .command("bench")
  .description("run a benchmark suite (from a built checkout): kernel")
  .argument("<suite>", "suite name, e.g. kernel")
  .action((suite: string) => {
    const script = new URL(`../../bench/${suite}.bench.js`, import.meta.url);
    if (!existsSync(script)) {
      process.stderr.write(`chorus bench: no suite "${suite}" (run from a built checkout: npm run build)\n`);
      process.exit(2);
    }
    const result = spawnSync(process.execPath, ["--expose-gc", script.pathname], { stdio: "inherit" });
    process.exit(result.status ?? 1);
  });

await program.parseAsync(process.argv);
