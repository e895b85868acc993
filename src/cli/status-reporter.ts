import type { Behaviour } from "../kernel/behaviour.js";
import type { Loop } from "../kernel/loop.js";

/** Arguments of {@link statusReporterBehaviour}. */
export interface StatusReporterArgs {
  /** The loop whose figures are reported. */
  readonly loop: Loop;
  /** Names of the worker loops started beside the main loop. */
  readonly workerLoops: readonly string[];
  /** How often to print, in ms. */
  readonly intervalMs: number;
  /** Where the line goes (stderr in the CLI; a collector in tests). */
  readonly print: (line: string) => void;
}

/** The status reporter's protocol. */
export interface StatusReporter {
  /** Prints one status line now (also sent to itself every `intervalMs`). */
  tick(): void;
  /** The number of lines printed so far. */
  printed(): number;
}

interface StatusState {
  readonly args: StatusReporterArgs;
  readonly startedMs: number;
  readonly printed: number;
}

/**
 * A supervised actor that prints a live status line for `chorus serve`: uptime, live actors,
 * dead letters and loops. It is the node's first real child until the chat arrives.
 */
export const statusReporterBehaviour: Behaviour<StatusReporter, StatusState, StatusReporterArgs> = {
  name: "status",
  init(args, ctx) {
    ctx.sendInterval(args.intervalMs, "tick");
    return { args, startedMs: ctx.reactor.nowMs(), printed: 0 };
  },
  handlers: {
    tick(state, _payload, ctx) {
      const { loop, workerLoops, print } = state.args;
      const uptimeS = Math.round((ctx.reactor.nowMs() - state.startedMs) / 1000);
      const loops = 1 + workerLoops.length;
      print(
        `status: up ${uptimeS}s, ${loop.actorCount} actors on the main loop, ${loops} loop(s), ` +
          `${loop.deadLetterCount} dead letters`,
      );
      ctx.setState({ ...state, printed: state.printed + 1 });
    },
    printed: (state) => state.printed,
  },
};
