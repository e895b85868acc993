/**
 * A chat room: an actor holding the room's members and typing state, and the sequencer of its
 * messages. A send is stored first (through the history keeper, which batches it on the store's
 * worker loop) and only then broadcast to the room and acknowledged to the sender. While the
 * store restarts, the room retries the append (it is idempotent on the sender's clientId) for up
 * to `storeRetryWindowMs`. A restarted room rebuilds its member list from the Socket.IO room the
 * sessions' sockets are still in, and announces it.
 *
 * Typing: the first `typing: true` of a member is broadcast, `typing: false` when it says so, goes
 * quiet for `typingTimeoutMs` or leaves. A send ends its sender's typing without a broadcast of
 * its own: the `message` itself says so (clients clear the sender's indicator when it arrives),
 * which keeps a send to one broadcast; a send that broadcasts no message says `typing: false`.
 *
 * A nickname is held by one socket at a time. A join for a held nickname from a socket with the
 * holder's `sessionKey` (the same browser tab, reconnected or reloaded before the server noticed
 * its old socket was gone) takes it over: the old socket leaves the Socket.IO room and, if it is
 * still connected, gets `room:replaced { room }`. Any other join for it is `nickname_taken`.
 *
 * ```
 * session ──ask send──► room ──ask append──► history keeper ──► store (worker loop)
 *                         ◄──── appended ◄───────┘
 *                         ├─► io.to(room).emit("message")
 *                         └─► reply { ok, message } ──► session ──► ack
 * ```
 */
import type { ActorContext, Behaviour, Replier, Settled, SocketIoServer, TimerRef } from "../../../src/index.js";
import { DEFER } from "../../../src/index.js";
import type { ChatErrorBody } from "./chat-error.js";
import type { AppendRequest, AppendResult, ChatMessage } from "./chat-message.js";
import type { ChatServices, RoomSummary } from "./chat-services.js";
import type { ChatLimits } from "./limits.js";

/** Delay between two attempts of an append while the store is away, in ms. */
export const APPEND_RETRY_DELAY_MS = 50;

/** The Socket.IO room of chat room `name` (prefixed, so it can never be a socket id). */
export function roomKey(name: string): string {
  return `room:${name}`;
}

/** One member: a nickname, the socket it joined from and that client's session key. */
export interface RoomMember {
  readonly nickname: string;
  readonly socketId: string;
  /** The client's per-tab secret (see `normalizeSessionKey`), or null: no takeover. */
  readonly sessionKey: string | null;
}

/** The socket holding a nickname in a room, and its session key. */
interface Holder {
  readonly socketId: string;
  readonly sessionKey: string | null;
}

/** The answer to `join`. */
export type JoinOutcome = { readonly ok: true; readonly members: readonly string[] } | FailedOutcome;
/** The answer to `send`. */
export type SendOutcome = { readonly ok: true; readonly message: ChatMessage } | FailedOutcome;
/** A refusal, with the ack error to report. */
export interface FailedOutcome {
  readonly ok: false;
  readonly error: ChatErrorBody;
}

interface AppendAttempt {
  readonly seq: number;
  readonly result?: AppendResult;
}

/** What a room understands. */
export interface RoomProtocol {
  join(member: RoomMember): JoinOutcome;
  leave(member: RoomMember): void;
  send(request: RoomMember & { readonly text: string; readonly clientId: string }): SendOutcome;
  typing(request: RoomMember & { readonly typing: boolean }): void;
  summary(): RoomSummary;
  /** The store answered (or failed) append `seq`. */
  appended(attempt: Settled<AppendAttempt>): void;
  /** Try append `seq` again. */
  retryAppend(seq: number): void;
  /** `nickname` has been silent for `typingTimeoutMs`. */
  typingExpired(expiry: { readonly nickname: string; readonly generation: number }): void;
}

/** What a room is started with. */
export interface RoomArgs {
  readonly name: string;
  readonly io: SocketIoServer;
  readonly services: ChatServices;
  readonly limits: ChatLimits;
}

interface PendingSend {
  readonly request: AppendRequest;
  readonly replier: Replier<SendOutcome>;
  readonly deadlineMs: number;
  /** The sender's socket. */
  readonly socketId: string;
  /** The sender was typing: if no `message` goes out, the room says `typing: false` instead. */
  readonly wasTyping: boolean;
}

interface Typist {
  readonly timer: TimerRef;
  readonly generation: number;
}

interface RoomState {
  readonly args: RoomArgs;
  readonly key: string;
  /** nickname → the socket holding it, in join order. */
  readonly members: ReadonlyMap<string, Holder>;
  readonly typing: ReadonlyMap<string, Typist>;
  readonly pending: ReadonlyMap<number, PendingSend>;
  readonly nextSeq: number;
}

type Ctx = ActorContext<RoomProtocol, RoomState>;

function refusal(code: ChatErrorBody["code"], message: string): FailedOutcome {
  return { ok: false, error: { code, message } };
}

function without<K, V>(map: ReadonlyMap<K, V>, key: K): Map<K, V> {
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}

/** True when `nickname` is held in the room by socket `socketId`. */
function holds(state: RoomState, nickname: string, socketId: string): boolean {
  return state.members.get(nickname)?.socketId === socketId;
}

function announcePresence(state: RoomState): void {
  state.args.io.to(state.key).emit("presence", { room: state.args.name, members: [...state.members.keys()] });
}

function roomsChanged(state: RoomState): void {
  try {
    state.args.services.lobby()?.tell("changed");
  } catch {
    // the lobby is restarting or saturated; the next change announces the rooms again
  }
}

/** Forgets `nickname`'s typing (cancelling its timer) without telling anyone. */
function forgetTyping(state: RoomState, nickname: string, ctx: Ctx): RoomState {
  const typist = state.typing.get(nickname);
  if (typist === undefined) return state;
  ctx.cancelTimer(typist.timer);
  return { ...state, typing: without(state.typing, nickname) };
}

function announceStoppedTyping(state: RoomState, nickname: string, socketId: string): void {
  state.args.io.to(state.key).except(socketId).emit("typing", { room: state.args.name, nickname, typing: false });
}

/** A send ended without a `message` broadcast: say its sender stopped typing, if it was and still is quiet. */
function quietTypistStopped(state: RoomState, pending: PendingSend): void {
  const nickname = pending.request.nickname;
  if (pending.wasTyping && !state.typing.has(nickname)) announceStoppedTyping(state, nickname, pending.socketId);
}

/** Stops `nickname`'s typing (and tells the others) if it was typing. */
function stopTyping(state: RoomState, nickname: string, socketId: string, ctx: Ctx): RoomState {
  const next = forgetTyping(state, nickname, ctx);
  if (next !== state) announceStoppedTyping(state, nickname, socketId);
  return next;
}

/** Sends append `seq` to the history keeper; the answer comes back as `appended`. */
function dispatch(state: RoomState, seq: number, request: AppendRequest, ctx: Ctx): void {
  const history = state.args.services.history();
  if (history === null) {
    ctx.sendAfter(APPEND_RETRY_DELAY_MS, "retryAppend", seq);
    return;
  }
  const attempt: Promise<AppendAttempt> = history.ask("append", request).then(
    (result) => ({ seq, result }),
    () => ({ seq }),
  );
  ctx.pipe(attempt, "appended");
}

/** Members rebuilt from the sockets still in the Socket.IO room (after a restart). */
function rebuildMembers(args: RoomArgs, key: string): Map<string, Holder> {
  const members = new Map<string, Holder>();
  const sockets = args.io.of("/").sockets;
  for (const socketId of args.io.to(key).socketIds()) {
    const data = sockets.get(socketId)?.data;
    const nickname: unknown = data?.nickname;
    const sessionKey: unknown = data?.sessionKey;
    if (typeof nickname === "string" && !members.has(nickname))
      members.set(nickname, { socketId, sessionKey: typeof sessionKey === "string" ? sessionKey : null });
  }
  return members;
}

/**
 * `member` takes its nickname over from `holder`, an older socket of the same client: the old
 * socket stops typing, leaves the Socket.IO room and is told with `room:replaced`. The member
 * list keeps its order and names, so nobody else is told anything.
 */
function takeOver(state: RoomState, member: RoomMember, holder: Holder, ctx: Ctx): RoomState {
  const stopped = stopTyping(state, member.nickname, holder.socketId, ctx);
  const members = new Map(stopped.members).set(member.nickname, {
    socketId: member.socketId,
    sessionKey: member.sessionKey,
  });
  const io = state.args.io;
  io.to(holder.socketId).emit("room:replaced", { room: state.args.name });
  io.of("/").sockets.get(holder.socketId)?.leave(state.key);
  return { ...stopped, members };
}

/** The room behaviour: children `room:<name>` of the rooms supervisor. */
export const roomBehaviour: Behaviour<RoomProtocol, RoomState, RoomArgs> = {
  name: "room",
  init(args) {
    const key = roomKey(args.name);
    const state: RoomState = {
      args,
      key,
      members: rebuildMembers(args, key),
      typing: new Map(),
      pending: new Map(),
      nextSeq: 1,
    };
    if (state.members.size > 0) announcePresence(state);
    return state;
  },
  handlers: {
    join(state, member, ctx) {
      const holder = state.members.get(member.nickname);
      if (holder?.socketId === member.socketId) return { ok: true, members: [...state.members.keys()] };
      if (holder !== undefined && holder.sessionKey !== null && holder.sessionKey === member.sessionKey) {
        const next = takeOver(state, member, holder, ctx);
        ctx.setState(next);
        return { ok: true, members: [...next.members.keys()] };
      }
      if (holder !== undefined)
        return refusal("nickname_taken", `the nickname ${member.nickname} is already in #${state.args.name}`);
      if (state.members.size >= state.args.limits.roomMembersMax)
        return refusal("room_invalid", `#${state.args.name} is full`);
      const joined: Holder = { socketId: member.socketId, sessionKey: member.sessionKey };
      const next: RoomState = { ...state, members: new Map(state.members).set(member.nickname, joined) };
      ctx.setState(next);
      const io = state.args.io;
      io.to(state.key)
        .except(member.socketId)
        .emit("member:joined", { room: state.args.name, nickname: member.nickname });
      announcePresence(next);
      roomsChanged(next);
      return { ok: true, members: [...next.members.keys()] };
    },
    leave(state, member, ctx) {
      if (!holds(state, member.nickname, member.socketId)) return;
      const stopped = stopTyping(state, member.nickname, member.socketId, ctx);
      const next: RoomState = { ...stopped, members: without(stopped.members, member.nickname) };
      ctx.setState(next);
      next.args.io.to(next.key).emit("member:left", { room: next.args.name, nickname: member.nickname });
      announcePresence(next);
      roomsChanged(next);
    },
    send(state, request, ctx) {
      if (!holds(state, request.nickname, request.socketId))
        return refusal("not_in_room", `join #${state.args.name} before sending to it`);
      const replier = ctx.replyLater<SendOutcome>();
      const append: AppendRequest = {
        room: state.args.name,
        nickname: request.nickname,
        text: request.text,
        ts: ctx.reactor.wallClockMs(),
        clientId: request.clientId,
      };
      const seq = state.nextSeq;
      const deadlineMs = ctx.reactor.nowMs() + state.args.limits.storeRetryWindowMs;
      // The `message` broadcast tells everyone the sender stopped typing (clients clear it), so
      // a send costs one broadcast, not two; `appended` says `typing: false` if none goes out.
      const stopped = forgetTyping(state, request.nickname, ctx);
      const wasTyping = stopped !== state;
      ctx.setState({
        ...stopped,
        nextSeq: seq + 1,
        pending: new Map(stopped.pending).set(seq, {
          request: append,
          replier,
          deadlineMs,
          socketId: request.socketId,
          wasTyping,
        }),
      });
      dispatch(state, seq, append, ctx);
      return DEFER;
    },
    appended(state, settled, ctx) {
      if (!settled.ok) return; // the attempt promise never rejects
      const { seq, result } = settled.value;
      const pending = state.pending.get(seq);
      if (pending === undefined) return;
      if (result === undefined) {
        if (ctx.reactor.nowMs() < pending.deadlineMs) {
          ctx.sendAfter(APPEND_RETRY_DELAY_MS, "retryAppend", seq);
          return;
        }
        ctx.setState({ ...state, pending: without(state.pending, seq) });
        quietTypistStopped(state, pending);
        pending.replier.reply(refusal("unavailable", "the history store is unavailable, try again"));
        return;
      }
      ctx.setState({ ...state, pending: without(state.pending, seq) });
      // A duplicate was broadcast when it was first stored; its sender only needs the ack.
      if (!result.duplicate) state.args.io.to(state.key).emit("message", result.message);
      else quietTypistStopped(state, pending);
      pending.replier.reply({ ok: true, message: result.message });
    },
    retryAppend(state, seq, ctx) {
      const pending = state.pending.get(seq);
      if (pending !== undefined) dispatch(state, seq, pending.request, ctx);
    },
    typing(state, request, ctx) {
      if (!holds(state, request.nickname, request.socketId)) return;
      if (!request.typing) return void ctx.setState(stopTyping(state, request.nickname, request.socketId, ctx));
      const previous = state.typing.get(request.nickname);
      if (previous !== undefined) ctx.cancelTimer(previous.timer);
      else
        state.args.io
          .to(state.key)
          .except(request.socketId)
          .emit("typing", { room: state.args.name, nickname: request.nickname, typing: true });
      const generation = (previous?.generation ?? 0) + 1;
      const timer = ctx.sendAfter(state.args.limits.typingTimeoutMs, "typingExpired", {
        nickname: request.nickname,
        generation,
      });
      ctx.setState({ ...state, typing: new Map(state.typing).set(request.nickname, { timer, generation }) });
    },
    typingExpired(state, expiry, ctx) {
      const typist = state.typing.get(expiry.nickname);
      const socketId = state.members.get(expiry.nickname)?.socketId;
      if (typist === undefined || typist.generation !== expiry.generation || socketId === undefined) return;
      ctx.setState(stopTyping(state, expiry.nickname, socketId, ctx));
    },
    summary: (state) => ({ name: state.args.name, members: state.members.size }),
  },
};
