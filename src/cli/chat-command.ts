/**
 * `chorus chat`: runs the example chat (`examples/chat/server/chat-app.ts`) until SIGINT/SIGTERM,
 * then closes it gracefully (connections, supervision tree, history store) and exits 0. A second
 * signal exits at once with 130.
 */
import type { ChatServer } from "../../examples/chat/server/chat-app.js";

/** Options of {@link chatCommand}. */
export interface ChatCommandOptions {
  /** TCP port. Default 3000. */
  readonly port: number;
  /** Interface to listen on; undefined: all interfaces. */
  readonly host?: string;
  /** Directory of the history file. Default `./chat-data`. */
  readonly data: string;
  /** Where log lines go. Default: stderr. */
  readonly print?: (line: string) => void;
}

/** Starts the chat, prints `Chorus chat on <url>` on stdout, and installs the signal handlers. */
export async function chatCommand(options: ChatCommandOptions): Promise<ChatServer> {
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Loaded on demand, so the other commands do not load the chat.
  const { startChat } = await import("../../examples/chat/server/chat-app.js");
  const chat = await startChat({
    port: options.port,
    dataDir: options.data,
    log: print,
    ...(options.host === undefined ? {} : { host: options.host }),
  });
  process.stdout.write(`Chorus chat on ${chat.url}\n`);
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) {
      print(`chorus chat: ${signal} again, exiting without waiting for the shutdown`);
      process.exit(130);
    }
    print(`chorus chat: ${signal}, shutting down (send it again to force)`);
    chat.close().then(
      () => process.exit(0),
      (error: unknown) => {
        print(`chorus chat: shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  void chat.node.exited.then((exit) => {
    if (exit.requested) return;
    print(`chorus chat: the root supervisor stopped on its own (${exit.reason.type}); exiting`);
    void chat.close().finally(() => process.exit(1));
  });
  return chat;
}
