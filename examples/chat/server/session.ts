/**
 * One user's session: the chat's event handlers on a Socket.IO socket, run inside its connection
 * actor. Each handler validates its payload, rate-limits sends (a {@link TokenBucket} on the
 * Reactor clock), forwards to the room or the history keeper, and acks `{ ok: true, ...result }`
 * or `{ ok: false, error: { code, message } }`. A room or keeper that is restarting is looked up
 * again and the request retried (sends are idempotent on clientId), so a crash behind the
 * session costs a short delay, not an error.
 *
 * The handshake `auth` carries the `nickname` and a `sessionKey` (a random per-tab secret): a
 * join whose nickname a room still holds for an older socket with the same key takes it over
 * (see `room.ts`), so a reload or a quick reconnect never waits for the server to notice that the
 * old socket is gone.
 */
import { ActorDeadError, ActorExitedError, type Reactor, type Ref, type SocketIoSocket } from "../../../src/index.js";
import { ChatError, errorBody } from "./chat-error.js";
import type { HistoryPage } from "./chat-message.js";
import type { ChatServices } from "./chat-services.js";
import type { HistoryKeeperProtocol } from "./history-keeper.js";
import {
  type ChatLimits,
  isClientId,
  isRoomName,
  normalizeNickname,
  normalizeSessionKey,
  textProblem,
} from "./limits.js";
import { roomKey, type RoomMember, type RoomProtocol } from "./room.js";
import { TokenBucket } from "./token-bucket.js";

/** Attempts of a request whose room or keeper is restarting. */
export const SERVICE_ATTEMPTS_MAX = 8;
/** Delay before retry `n` is `n` times this, in ms. */
export const SERVICE_RETRY_DELAY_MS = 25;

/** What every session shares. */
export interface SessionContext {
  readonly services: ChatServices;
  readonly limits: ChatLimits;
  readonly reactor: Reactor;
}

type Ack = (reply: unknown) => void;
type Payload = Record<string, unknown>;

function sleep(reactor: Reactor, ms: number): Promise<void> {
  return new Promise((resolve) => reactor.setTimer(ms, resolve));
}

function transient(error: unknown): boolean {
  return (
    error instanceof ActorDeadError ||
    error instanceof ActorExitedError ||
    (error instanceof ChatError && error.code === "unavailable")
  );
}

function roomOf(payload: Payload): string {
  if (!isRoomName(payload.room))
    throw new ChatError("room_invalid", "a room name is 1-32 characters of a-z, 0-9 and -");
  return payload.room;
}

function optionalId(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw new ChatError("bad_request", `${field} must be an integer >= 0`);
  return value;
}

/** The handlers of one socket. */
class Session {
  readonly #socket: SocketIoSocket;
  readonly #context: SessionContext;
  readonly #nickname: string | null;
  readonly #sessionKey: string | null;
  readonly #rooms = new Set<string>();
  readonly #bucket: TokenBucket;

  constructor(socket: SocketIoSocket, context: SessionContext) {
    this.#socket = socket;
    this.#context = context;
    this.#nickname = normalizeNickname(socket.handshake.auth.nickname);
    this.#sessionKey = normalizeSessionKey(socket.handshake.auth.sessionKey);
    if (this.#nickname !== null) socket.data.nickname = this.#nickname;
    // Read by a restarted room to rebuild its members (socket.data never goes to a client).
    if (this.#sessionKey !== null) socket.data.sessionKey = this.#sessionKey;
    this.#bucket = new TokenBucket(
      context.reactor,
      context.limits.rateBurstMessages,
      context.limits.rateRefillPerSecond,
    );
  }

  get #member(): RoomMember {
    if (this.#nickname === null)
      throw new ChatError(
        "nickname_invalid",
        "a nickname is 1-24 letters, digits, _, - or . (reconnect with a valid one)",
      );
    return { nickname: this.#nickname, socketId: this.#socket.id, sessionKey: this.#sessionKey };
  }

  roomsList(): object {
    const lobby = this.#context.services.lobby();
    return { rooms: lobby === null ? this.#context.services.roomSummaries() : lobby.call("list") };
  }

  async join(payload: Payload): Promise<object> {
    const member = this.#member;
    const room = roomOf(payload);
    const sinceId = optionalId(payload.sinceId, "sinceId");
    this.#forgetReplaced();
    if (!this.#rooms.has(room) && this.#rooms.size >= this.#context.limits.roomsPerConnectionMax)
      throw new ChatError(
        "bad_request",
        `leave a room first: at most ${this.#context.limits.roomsPerConnectionMax} at once`,
      );
    const outcome = await this.#withRoom(room, true, (ref) => ref.ask("join", member));
    if (!outcome.ok) throw new ChatError(outcome.error.code, outcome.error.message);
    if (!this.#socket.connected) {
      this.#context.services.room(room)?.tell("leave", member);
      throw new ChatError("unavailable", "disconnected while joining");
    }
    this.#socket.join(roomKey(room));
    this.#rooms.add(room);
    const limits = this.#context.limits;
    const page: HistoryPage = await this.#withHistory((history) =>
      sinceId === undefined
        ? history.ask("latest", { room, limit: limits.joinHistoryLength })
        : history.ask("after", { room, afterId: sinceId, limit: limits.sinceHistoryLengthMax }),
    );
    return { room, members: outcome.members, messages: page.messages, hasMore: page.hasMore };
  }

  leave(payload: Payload): object {
    const member = this.#member;
    const room = roomOf(payload);
    this.#forgetReplaced();
    if (!this.#rooms.has(room)) throw new ChatError("not_in_room", `you are not in #${room}`);
    this.#rooms.delete(room);
    this.#socket.leave(roomKey(room));
    this.#tellRoom(room, (ref) => ref.tell("leave", member));
    return {};
  }

  async send(payload: Payload): Promise<object> {
    const member = this.#member;
    const room = roomOf(payload);
    const { text, clientId } = payload;
    if (!isClientId(clientId)) throw new ChatError("bad_request", "clientId must be a string of 1-64 characters");
    if (typeof text !== "string") throw new ChatError("bad_request", "text must be a string");
    const problem = textProblem(text);
    if (problem === "empty") throw new ChatError("bad_request", "the message is empty");
    if (problem === "too_long") throw new ChatError("too_long", "a message is at most 2,000 characters");
    if (!this.#rooms.has(room)) throw new ChatError("not_in_room", `join #${room} before sending to it`);
    if (!this.#bucket.take())
      throw new ChatError(
        "rate_limited",
        `slow down: ${this.#context.limits.rateBurstMessages} messages at most, then ${this.#context.limits.rateRefillPerSecond} per second (next in ${this.#bucket.waitMs()} ms)`,
      );
    const request = { ...member, text: text.trim(), clientId };
    const outcome = await this.#withRoom(room, false, (ref) => ref.ask("send", request));
    if (!outcome.ok) throw new ChatError(outcome.error.code, outcome.error.message);
    return { message: outcome.message };
  }

  async before(payload: Payload): Promise<object> {
    const room = roomOf(payload);
    const beforeId = optionalId(payload.beforeId, "beforeId");
    if (beforeId === undefined) throw new ChatError("bad_request", "beforeId is required");
    const limits = this.#context.limits;
    const asked = optionalId(payload.limit, "limit") ?? limits.beforeHistoryLengthDefault;
    if (asked < 1) throw new ChatError("bad_request", "limit must be >= 1");
    const limit = Math.min(asked, limits.beforeHistoryLengthMax);
    const page = await this.#withHistory((history) => history.ask("before", { room, beforeId, limit }));
    return { messages: page.messages, hasMore: page.hasMore };
  }

  typing(payload: Payload): object {
    const member = this.#member;
    const room = roomOf(payload);
    if (typeof payload.typing !== "boolean") throw new ChatError("bad_request", "typing must be true or false");
    if (!this.#rooms.has(room)) throw new ChatError("not_in_room", `you are not in #${room}`);
    const typing = payload.typing;
    this.#tellRoom(room, (ref) => ref.tell("typing", { ...member, typing }));
    return {};
  }

  /** Forgets the rooms a newer socket of this client took over (they made this socket leave). */
  #forgetReplaced(): void {
    for (const room of this.#rooms) if (!this.#socket.rooms.has(roomKey(room))) this.#rooms.delete(room);
  }

  /** The socket is gone: leave every room. */
  disconnected(): void {
    if (this.#nickname === null) return;
    const member = this.#member;
    for (const room of this.#rooms) this.#tellRoom(room, (ref) => ref.tell("leave", member));
    this.#rooms.clear();
  }

  #tellRoom(room: string, tell: (ref: Ref<RoomProtocol>) => void): void {
    const ref = this.#context.services.room(room);
    if (ref === null) return; // restarting: it rebuilds its members from the Socket.IO room
    try {
      tell(ref);
    } catch {
      // the room stopped or is saturated; a restarted room rebuilds its state
    }
  }

  #withRoom<T>(room: string, open: boolean, use: (ref: Ref<RoomProtocol>) => Promise<T>): Promise<T> {
    const services = this.#context.services;
    return this.#retrying(() => services.room(room) ?? (open ? services.openRoom(room) : null), use);
  }

  #withHistory<T>(use: (ref: Ref<HistoryKeeperProtocol>) => Promise<T>): Promise<T> {
    return this.#retrying(() => this.#context.services.history(), use);
  }

  /**
   * Finds the service and uses it, retrying while it restarts. When `find` answers at once (the
   * usual case) `use` runs synchronously, still inside the connection actor's turn: its ask then
   * reaches the room in the same drain of the loop instead of one loop iteration later.
   */
  async #retrying<R, T>(find: () => R | null | Promise<R | null>, use: (ref: R) => Promise<T>): Promise<T> {
    for (let attempt = 0; attempt < SERVICE_ATTEMPTS_MAX; attempt++) {
      if (attempt > 0) await sleep(this.#context.reactor, SERVICE_RETRY_DELAY_MS * attempt);
      try {
        const found = find();
        const ref = found instanceof Promise ? await found : found;
        if (ref !== null) return await use(ref);
      } catch (error) {
        if (!transient(error)) throw error;
      }
    }
    throw new ChatError("unavailable", "the chat is restarting a component, try again");
  }
}

/** Runs a handler and acks its result or error (if the client asked for an ack). */
function answer(ack: Ack | undefined, work: () => object | Promise<object>): void {
  const reply = (body: unknown) => {
    if (ack !== undefined) ack(body);
  };
  try {
    const result = work();
    if (result instanceof Promise) {
      result.then(
        (value) => reply({ ok: true, ...value }),
        (error: unknown) => reply({ ok: false, error: errorBody(error) }),
      );
    } else reply({ ok: true, ...result });
  } catch (error) {
    reply({ ok: false, error: errorBody(error) });
  }
}

type Handler = (session: Session, payload: Payload) => object | Promise<object>;

const HANDLERS: ReadonlyArray<readonly [string, Handler]> = [
  ["rooms:list", (session) => session.roomsList()],
  ["room:join", (session, payload) => session.join(payload)],
  ["room:leave", (session, payload) => session.leave(payload)],
  ["message:send", (session, payload) => session.send(payload)],
  ["history:before", (session, payload) => session.before(payload)],
  ["typing", (session, payload) => session.typing(payload)],
];

/**
 * Installs the chat's event handlers on a newly connected socket. A nickname that breaks the
 * rules does not refuse the connection; every request that needs one then fails with
 * `nickname_invalid`, so the client can show why.
 */
export function attachSession(socket: SocketIoSocket, context: SessionContext): void {
  const session = new Session(socket, context);
  for (const [event, handler] of HANDLERS) {
    socket.on(event, (...args: unknown[]) => {
      const ack = typeof args[args.length - 1] === "function" ? (args.pop() as Ack) : undefined;
      const payload = args[0];
      answer(ack, () => {
        if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
          if (event !== "rooms:list") throw new ChatError("bad_request", "the payload must be an object");
          return handler(session, {});
        }
        return handler(session, payload as Payload);
      });
    });
  }
  socket.on("disconnect", () => session.disconnected());
}
