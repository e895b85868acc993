/**
 * The chat bench's load generator, run in its own process (`fork`ed by `chat.bench.ts`): simulated
 * users with the stock `socket.io-client` over WebSocket, each in one of the rooms, sending
 * messages (with a typing event first) and, a few at a time, leaving and joining rooms. It
 * measures, in the measurement window only, messages delivered to clients per second and the
 * latency from send to each delivery (both ends in this process, one monotonic clock), and counts
 * every error: failed connects, refused acks, ack timeouts, unexpected disconnects.
 *
 * Parent → child: argv `[url, JSON(LoadPlan)]`. Child → parent: one {@link LoadResult} message.
 */
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";

/** What to simulate. */
export interface LoadPlan {
  readonly users: number;
  readonly rooms: number;
  /** Mean time between two messages of one user, in ms. */
  readonly sendIntervalMs: number;
  /** Users that move to another room every second. */
  readonly movesPerSecond: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Concurrent connection attempts while connecting. */
  readonly connectBatch: number;
}

/** What the generator measured. */
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
let measuring = false;
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
    if (!measuring) return;
    delivered++;
    const at = Number(message.text.slice(2));
    if (message.text.startsWith("t:") && Number.isFinite(at)) latencies.push(performance.now() - at);
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
  if (user.moving) return;
  user.socket.emit("typing", { room: user.room, typing: true });
  const start = performance.now();
  user.sent++;
  if (measuring) sent++;
  try {
    await request(user, "message:send", { room: user.room, text: `t:${start}`, clientId: `c${user.sent}` });
    if (measuring) {
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
    moves++;
  } catch (e) {
    error(`u${user.index} move: ${(e as Error).message}`);
  } finally {
    user.moving = false;
  }
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
  const mover = setInterval(() => {
    for (let k = 0; k < plan.movesPerSecond; k++) void move(users[Math.floor(Math.random() * users.length)]!);
  }, 1_000);
  await new Promise((resolve) => setTimeout(resolve, plan.warmupMs));
  measuring = true;
  const measureStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, plan.measureMs));
  measuring = false;
  const elapsedS = (performance.now() - measureStart) / 1_000;
  clearInterval(mover);
  for (const timer of timers) clearTimeout(timer);
  await new Promise((resolve) => setTimeout(resolve, 500)); // let in-flight acks land
  for (const user of users) user.socket.disconnect();
  const result: LoadResult = {
    connectMs,
    sent,
    delivered,
    deliveredPerSecond: delivered / elapsedS,
    ackedPerSecond: acked / elapsedS,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    ackP99Ms: percentile(ackLatencies, 99),
    moves,
    errors,
    firstErrors,
  };
  process.send!(result, () => process.exit(0));
}

main().catch((e: unknown) => {
  process.send!({ fatal: e instanceof Error ? e.message : String(e) }, () => process.exit(1));
});
