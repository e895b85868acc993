/**
 * The chat bench's load generator, run in its own process (`fork`ed by `chat.bench.ts`): simulated
 * users with the stock `socket.io-client` over WebSocket, each in one of the rooms, sending
 * messages (with a typing event first) and, a few at a time, leaving and joining rooms. It
 * measures messages delivered to clients per second of active time and the latency from send to
 * each delivery (both ends in this process, one monotonic clock), and counts every error: failed
 * connects, refused acks, ack timeouts, unexpected disconnects. It also reports its own CPU use
 * and event-loop delay while active: a generator short of CPU delivers late and inflates every
 * latency it measures, whatever the server does.
 *
 * The parent drives it in slices, so that two generators (one per server) can take turns and
 * both servers see the same background load on a shared machine:
 *
 * ```
 * parent                         generator
 *   fork [url, JSON(LoadPlan)] ──►  connect + join every user
 *                              ◄──  { ready, connectMs }
 *   { type: "active" }         ──►  users send and move (until "idle")
 *   { type: "idle" }           ──►  no new sends or moves; deliveries still counted
 *   { type: "measure" }        ──►  from now on, sends are measured (warm-up over)
 *   { type: "finish" }         ──►  waits for in-flight acks, disconnects
 *                              ◄──  LoadResult
 * ```
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";

/** What to simulate. */
export interface LoadPlan {
  readonly users: number;
  readonly rooms: number;
  /** Mean time between two messages of one user while active, in ms. */
  readonly sendIntervalMs: number;
  /** Users that move to another room every second while active. */
  readonly movesPerSecond: number;
  /** Concurrent connection attempts while connecting. */
  readonly connectBatch: number;
}

/** A command from the parent. */
export type LoadCommand = { readonly type: "active" | "idle" | "measure" | "finish" };

/** Sent to the parent once every user is connected and joined. */
export interface LoadReady {
  readonly ready: true;
  readonly connectMs: number;
}

/** What the generator measured (sends made after `measure`, over the active time after it). */
export interface LoadResult {
  readonly connectMs: number;
  readonly sent: number;
  readonly delivered: number;
  readonly deliveredPerSecond: number;
  readonly ackedPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly ackP99Ms: number;
  readonly moves: number;
  readonly errors: number;
  readonly firstErrors: readonly string[];
  /** Active time measured, in ms. */
  readonly activeMs: number;
  /** The generator's CPU time while active and measured, in % of one core (user + system). */
  readonly generatorCpuPercent: number;
  /** The generator's event-loop delay p99 while active and measured, in ms. */
  readonly generatorLoopDelayP99Ms: number;
}

interface User {
  readonly index: number;
  readonly socket: Socket;
  room: string;
  moving: boolean;
  sent: number;
}

const ACK_TIMEOUT_MS = 10_000;

const [url, planJson] = process.argv.slice(2) as [string, string];
const plan = JSON.parse(planJson) as LoadPlan;
/** Users send and move only while active. */
let active = false;
/** Sends started at or after this time are measured. */
let measureFromMs = Number.POSITIVE_INFINITY;
let activeSinceMs = 0;
let activeMs = 0;
let cpuMark: NodeJS.CpuUsage | undefined;
let cpuMicros = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
let delivered = 0;
let sent = 0;
let acked = 0;
let moves = 0;
let errors = 0;
const firstErrors: string[] = [];
const latencies: number[] = [];
const ackLatencies: number[] = [];

function error(what: string): void {
  errors++;
  if (firstErrors.length < 10) firstErrors.push(what);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function roomName(i: number): string {
  return `room-${i % plan.rooms}`;
}

async function request(user: User, event: string, payload: unknown): Promise<any> {
  const reply = await user.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
  if (!reply?.ok) throw new Error(`${event}: ${reply?.error?.code ?? "no reply"} ${reply?.error?.message ?? ""}`);
  return reply;
}

function connectUser(index: number): Promise<User> {
  const socket = io(url, {
    auth: { nickname: `u${index}` },
    forceNew: true,
    reconnection: false,
    transports: ["websocket"],
  });
  const user: User = { index, socket, room: roomName(index), moving: false, sent: 0 };
  socket.on("message", (message: { text: string }) => {
    const at = Number(message.text.slice(2));
    if (!message.text.startsWith("t:") || !(at >= measureFromMs)) return;
    delivered++;
    latencies.push(performance.now() - at);
  });
  socket.on("disconnect", (reason: string) => {
    if (reason !== "io client disconnect") error(`u${index} disconnected: ${reason}`);
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(user));
    socket.once("connect_error", (e: Error) => reject(new Error(`u${index} connect: ${e.message}`)));
  });
}

async function send(user: User): Promise<void> {
  if (!active || user.moving) return;
  user.socket.emit("typing", { room: user.room, typing: true });
  const start = performance.now();
  const measured = start >= measureFromMs;
  user.sent++;
  if (measured) sent++;
  try {
    await request(user, "message:send", { room: user.room, text: `t:${start}`, clientId: `c${user.sent}` });
    if (measured) {
      acked++;
      ackLatencies.push(performance.now() - start);
    }
  } catch (e) {
    error(`u${user.index} send: ${(e as Error).message}`);
  }
}

async function move(user: User): Promise<void> {
  if (user.moving) return;
  user.moving = true;
  try {
    await request(user, "room:leave", { room: user.room });
    const next = roomName(user.index + 1 + Math.floor(Math.random() * (plan.rooms - 1)));
    await request(user, "room:join", { room: next });
    user.room = next;
    if (performance.now() >= measureFromMs) moves++;
  } catch (e) {
    error(`u${user.index} move: ${(e as Error).message}`);
  } finally {
    user.moving = false;
  }
}

/** Applies a command from the parent; resolves `finished` on "finish". */
function command(message: LoadCommand, finished: () => void): void {
  const measuring = measureFromMs !== Number.POSITIVE_INFINITY;
  if (message.type === "active" && !active) {
    active = true;
    activeSinceMs = performance.now();
    cpuMark = process.cpuUsage();
    if (measuring) loopDelay.enable();
  } else if ((message.type === "idle" || message.type === "finish") && active) {
    active = false;
    if (measuring) {
      activeMs += performance.now() - activeSinceMs;
      const cpu = process.cpuUsage(cpuMark);
      cpuMicros += cpu.user + cpu.system;
      loopDelay.disable();
    }
  }
  if (message.type === "measure") measureFromMs = performance.now();
  if (message.type === "finish") finished();
}

async function main(): Promise<void> {
  const users: User[] = [];
  const connectStart = performance.now();
  // Connect and join in batches, so the presence broadcasts of a join storm do not pile up.
  for (let i = 0; i < plan.users; i += plan.connectBatch) {
    const batch = Array.from({ length: Math.min(plan.connectBatch, plan.users - i) }, async (_, k) => {
      const user = await connectUser(i + k);
      await request(user, "room:join", { room: user.room }).catch((e: Error) => error(`u${i + k} join: ${e.message}`));
      return user;
    });
    users.push(...(await Promise.all(batch)));
  }
  const connectMs = performance.now() - connectStart;
  const timers: NodeJS.Timeout[] = [];
  for (const user of users) {
    const tick = () => {
      void send(user);
      timers.push(setTimeout(tick, plan.sendIntervalMs * (0.5 + Math.random())));
    };
    timers.push(setTimeout(tick, Math.random() * plan.sendIntervalMs));
  }
  // One move per tick, so turns of any length get their share of moves.
  const mover = setInterval(() => {
    if (active) void move(users[Math.floor(Math.random() * users.length)]!);
  }, 1_000 / plan.movesPerSecond);
  const finish = new Promise<void>((resolve) => process.on("message", (m: LoadCommand) => command(m, resolve)));
  process.send!({ ready: true, connectMs } satisfies LoadReady);
  await finish;
  clearInterval(mover);
  for (const timer of timers) clearTimeout(timer);
  await new Promise((resolve) => setTimeout(resolve, 500)); // let in-flight acks land
  for (const user of users) user.socket.disconnect();
  const activeS = activeMs / 1_000;
  const result: LoadResult = {
    connectMs,
    sent,
    delivered,
    deliveredPerSecond: delivered / activeS,
    ackedPerSecond: acked / activeS,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    ackP99Ms: percentile(ackLatencies, 99),
    moves,
    errors,
    firstErrors,
    activeMs,
    generatorCpuPercent: cpuMicros / 10 / activeMs,
    generatorLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
  };
  process.send!(result, () => process.exit(0));
}

main().catch((e: unknown) => {
  process.send!({ fatal: e instanceof Error ? e.message : String(e) }, () => process.exit(1));
});
