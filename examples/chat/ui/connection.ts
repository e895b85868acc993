import { io, type Socket } from "socket.io-client";
import type { Ack } from "./protocol.js";

/** How long the UI waits for an ack before calling the request failed, in ms. */
export const ackTimeoutMs = 10_000;

/** Reconnection attempts in a row after the server closed the session, before showing "offline". */
export const serverRetriesMax = 6;

/** First reconnection delay after a dropped connection, in ms (then doubling up to 5 s). */
export const reconnectDelayMs = 500;

/** Where this tab's session key is kept (`sessionStorage`: per tab, kept across reloads). */
export const sessionKeyStorageKey = "chorus-chat/session-key";

const sessionKeyPattern = /^[0-9a-f]{32}$/;

/**
 * This tab's session key: 128 random bits (32 hex digits), made once per tab and kept in
 * `sessionStorage`, sent in the handshake `auth`. The server lets a connection with the same key
 * take over the nickname still held by this tab's previous connection (a reload, a quick
 * reconnect), instead of answering `nickname_taken`. Without storage, a key per page load.
 */
export function tabSessionKey(): string {
  try {
    const stored = sessionStorage.getItem(sessionKeyStorageKey);
    if (stored !== null && sessionKeyPattern.test(stored)) return stored;
  } catch {
    // Storage may be disabled (private mode): a fresh key still works until the next reload.
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const key = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  try {
    sessionStorage.setItem(sessionKeyStorageKey, key);
  } catch {
    // See above.
  }
  return key;
}

/** What the status pill shows. */
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline";

/** Callbacks the connection reports to. */
export interface ConnectionEvents {
  /** The state or transport changed (`transport` is "" while disconnected). */
  status(state: ConnectionState, transport: string): void;
  /** Connected (again): `first` is true the first time only. */
  connected(first: boolean): void;
  /** The server refused the handshake (e.g. an invalid nickname), before any connection. */
  refused(message: string, code: string): void;
}

/**
 * One Socket.IO connection to the chat (namespace `/`, path `/socket.io/`) authenticated with a
 * nickname and the tab's session key. It tracks the connection state and transport, and turns ack callbacks into promises
 * that always settle: with the server's ack, or an error ack for `timeout` / `disconnected`.
 */
export class Connection {
  readonly socket: Socket;
  private state: ConnectionState = "connecting";
  private everConnected = false;
  private serverRetries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly events: ConnectionEvents;
  private readonly abort = new AbortController();

  constructor(nickname: string, events: ConnectionEvents) {
    this.events = events;
    this.socket = io({
      auth: { nickname, sessionKey: tabSessionKey() },
      path: "/socket.io/",
      reconnectionDelay: reconnectDelayMs,
    });
    this.socket.on("connect", () => this.onConnect());
    this.socket.on("disconnect", (reason) => {
      if (reason === "io client disconnect") this.setState("offline");
      // A server-side disconnect (e.g. a restart) is not retried by Socket.IO itself: retry here.
      else if (reason === "io server disconnect") this.retryLater();
      else this.setState("reconnecting");
    });
    this.socket.on("connect_error", (error: Error & { data?: { code?: string } }) => {
      // Refused by the server (middleware error): Socket.IO will not retry on its own.
      if (!this.socket.active) {
        if (this.everConnected) this.retryLater();
        else this.events.refused(error.message, error.data?.code ?? "refused");
        return;
      }
      this.setState(navigator.onLine ? "reconnecting" : "offline");
    });
    this.socket.io.on("reconnect_attempt", () => this.setState(navigator.onLine ? "reconnecting" : "offline"));
    this.socket.io.on("open", () => {
      // A new engine per (re)connection: follow its polling → websocket upgrade.
      this.socket.io.engine.on("upgrade", () => this.report());
    });
    window.addEventListener(
      "offline",
      () => {
        if (this.state !== "connected") this.setState("offline");
      },
      { signal: this.abort.signal },
    );
    window.addEventListener(
      "online",
      () => {
        if (this.state === "offline") this.reconnect();
      },
      { signal: this.abort.signal },
    );
  }

  /** The current state. */
  get status(): ConnectionState {
    return this.state;
  }

  /** The transport in use ("polling" or "websocket"), or "" when not connected. */
  get transport(): string {
    return this.socket.connected ? (this.socket.io.engine?.transport?.name ?? "") : "";
  }

  /** Sends `event` with `payload` and resolves with its ack (never rejects). */
  request<T>(event: string, payload: object, timeoutMs = ackTimeoutMs): Promise<Ack<T>> {
    if (!this.socket.connected) {
      return Promise.resolve({ ok: false, error: { code: "disconnected", message: "not connected" } });
    }
    return new Promise((resolve) => {
      this.socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, ack: Ack<T> | undefined) => {
        if (err) resolve({ ok: false, error: { code: "timeout", message: err.message } });
        else if (!ack || typeof ack !== "object") {
          resolve({ ok: false, error: { code: "bad_request", message: "malformed ack" } });
        } else resolve(ack);
      });
    });
  }

  /** Sends `event` without waiting for an ack (dropped while disconnected). */
  notify(event: string, payload: object): void {
    if (this.socket.connected) this.socket.emit(event, payload);
  }

  /** Starts connecting again after going offline. */
  reconnect(): void {
    clearTimeout(this.retryTimer);
    if (this.socket.connected) return;
    this.setState("reconnecting");
    this.socket.connect();
  }

  /** Closes the connection for good. */
  close(): void {
    clearTimeout(this.retryTimer);
    this.abort.abort();
    this.socket.removeAllListeners();
    this.socket.io.removeAllListeners();
    this.socket.disconnect();
  }

  // Reconnects after the server closed the session, backing off; gives up (offline, the pill
  // offers a retry) after serverRetriesMax attempts in a row.
  private retryLater(): void {
    if (this.serverRetries >= serverRetriesMax) return this.setState("offline");
    const delayMs = Math.min(1000 * 2 ** this.serverRetries, 10_000) * (0.5 + Math.random());
    this.serverRetries++;
    this.setState("reconnecting");
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.socket.connect(), delayMs);
  }

  private onConnect(): void {
    this.serverRetries = 0;
    const first = !this.everConnected;
    this.everConnected = true;
    this.setState("connected");
    this.events.connected(first);
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.report();
  }

  private report(): void {
    this.events.status(this.state, this.transport);
  }
}
