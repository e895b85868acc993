/** Shared set-up for the chat's server tests: a chat on 127.0.0.1, port 0, a temp data dir, and stock clients. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io as connect, type Socket } from "socket.io-client";
import { type ChatOptions, type ChatServer, startChat } from "../../examples/chat/server/chat-app.js";

/** An ack body: `{ ok: true, ...result }` or `{ ok: false, error }`. */
export type Reply = { ok: true; [key: string]: any } | { ok: false; error: { code: string; message: string } };

/** A stock client that records every server → client event it receives. */
export interface TestClient {
  readonly socket: Socket;
  /** Every event received, in order: `[name, payload]`. */
  readonly events: Array<[string, any]>;
  /** Emits with an ack and resolves with the ack body (rejects after 3 s). */
  request(event: string, payload?: unknown): Promise<Reply>;
  /** Payloads of the received events named `name`. */
  received(name: string): any[];
}

/** A chat server for tests, with its temp data dir and clients. */
export interface TestChat {
  readonly chat: ChatServer;
  readonly dataDir: string;
  /**
   * Connects a client with `nickname` (and `sessionKey`, if given, in its handshake auth) over
   * WebSocket, or the given transports, and waits until it is connected.
   */
  client(nickname: unknown, options?: { transports?: string[]; sessionKey?: string }): Promise<TestClient>;
  /** Closes the clients and the chat (the data dir is kept until `dispose`). */
  close(): Promise<void>;
  /** Closes, then deletes the data dir. */
  dispose(): Promise<void>;
}

/** Starts a chat on a new temp data dir (or `dataDir`). */
export async function startTestChat(options: ChatOptions = {}, dataDir?: string): Promise<TestChat> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "chorus-chat-"));
  const chat = await startChat({ port: 0, host: "127.0.0.1", dataDir: dir, ...options });
  const clients: Socket[] = [];
  const testChat: TestChat = {
    chat,
    dataDir: dir,
    async client(nickname, clientOptions = {}) {
      const socket = connect(chat.url, {
        auth:
          clientOptions.sessionKey === undefined ? { nickname } : { nickname, sessionKey: clientOptions.sessionKey },
        forceNew: true,
        reconnection: false,
        transports: clientOptions.transports ?? ["websocket"],
      });
      clients.push(socket);
      const events: Array<[string, any]> = [];
      socket.onAny((name: string, payload: unknown) => events.push([name, payload]));
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("connect_error", reject);
      });
      return {
        socket,
        events,
        request: (event, payload = {}) => socket.timeout(3_000).emitWithAck(event, payload) as Promise<Reply>,
        received: (name) => events.filter(([n]) => n === name).map(([, p]) => p),
      };
    },
    async close() {
      for (const socket of clients) socket.disconnect();
      await chat.close();
    },
    async dispose() {
      await testChat.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return testChat;
}

/** Resolves once `predicate` holds (polls every 5 ms); rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 3_000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The ack's result, asserting it is a success. */
export function ok(reply: Reply): any {
  if (!reply.ok) throw new Error(`expected ok, got ${reply.error.code}: ${reply.error.message}`);
  return reply;
}

/** The ack's error code, asserting it is a failure. */
export function errorCode(reply: Reply): string {
  if (reply.ok) throw new Error(`expected an error, got ${JSON.stringify(reply)}`);
  return reply.error.code;
}
