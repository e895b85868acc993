/**
 * Liveness of one connection: PINGs with timeouts (user pings, keepalive pings, idle probes), the
 * keepalive that PINGs a peer it has heard nothing from, and the idle reaper that closes a
 * connection without message traffic. Timers go through the Reactor; the reaper's period is
 * jittered in [idleMs/2, idleMs] with the Reactor's random (T-GC-1).
 */
import type { Reactor, TimerHandle } from "../reactor/reactor.js";
import { WireError } from "./errors.js";
import { WireSendError } from "./send-error.js";

/** What liveness needs from its connection. */
export interface LivenessHost {
  /** Writes a PING with this id (flushed soon). */
  writePing(id: number): void;
  /** Monotonic ms when the last whole frame was received. */
  lastFrameMs(): number;
  /** Monotonic ms of the last MSG sent or received. */
  lastMessageMs(): number;
  /** True when nothing is queued, in flight or being handled. */
  isQuiet(): boolean;
  /** Closes with a protocol error. */
  fail(error: WireError): void;
  /** Closes normally. */
  closeIdle(): void;
}

interface PendingPing {
  readonly sentMs: number;
  readonly timer: TimerHandle;
  readonly onPong: (rttMs: number) => void;
  readonly onLost: () => void;
}

/** Pings, keepalive and reaping of one connection. */
export class ConnectionLiveness {
  readonly #pings = new Map<number, PendingPing>();
  #nextPingId = 1;
  #keepalive: TimerHandle | null = null;
  #keepalivePending = false;
  #reaper: TimerHandle | null = null;
  #probedAtMs = Number.NEGATIVE_INFINITY;
  #probing = false;

  constructor(
    readonly reactor: Reactor,
    readonly host: LivenessHost,
    readonly pingIntervalMs: number,
    readonly pingTimeoutMs: number,
    readonly idleMs: number,
  ) {}

  /** True while an idle probe is out: messages wait for its PONG. */
  get probing(): boolean {
    return this.#probing;
  }

  /** Starts keepalive and reaping (the connection is open). */
  start(): void {
    if (this.pingIntervalMs > 0) this.#keepalive = this.reactor.setRepeatingTimer(this.pingIntervalMs, this.#tick);
    if (this.idleMs > 0) this.#armReaper();
  }

  /**
   * Sends a PING; `onPong` gets the round trip in ms, `onTimeout` runs after `timeoutMs` without
   * a PONG, `onLost` if the connection closes first.
   */
  ping(timeoutMs: number, onPong: (rttMs: number) => void, onTimeout: () => void, onLost: () => void): void {
    const id = this.#nextPingId;
    this.#nextPingId = id === 0xffff_ffff ? 1 : id + 1;
    const timer = this.reactor.setTimer(timeoutMs, () => {
      this.#pings.delete(id);
      onTimeout();
    });
    this.#pings.set(id, { sentMs: this.reactor.nowMs(), timer, onPong, onLost });
    this.host.writePing(id);
  }

  /**
   * {@link ping} as a promise of the round trip in ms; rejects with `send_timeout` after
   * `timeoutMs`, or with `lost()` if the connection closes first.
   */
  pingRoundTrip(timeoutMs: number, lost: () => Error): Promise<number> {
    return new Promise((resolve, reject) =>
      this.ping(
        timeoutMs,
        resolve,
        () => reject(new WireSendError("send_timeout", `no PONG within ${timeoutMs} ms`)),
        () => reject(lost()),
      ),
    );
  }

  /** A PONG arrived. Unknown ids (a late answer) are ignored. */
  pong(id: number): void {
    const ping = this.#pings.get(id);
    if (ping === undefined) return;
    this.#pings.delete(id);
    ping.timer.cancel();
    ping.onPong(this.reactor.nowMs() - ping.sentMs);
  }

  /**
   * True when a message must wait for an idle probe (T-GC-2): the connection had no message
   * traffic for more than 3/4 of `idleMs`. Starts the probe if none is out; `onClear` runs when
   * its PONG arrives.
   */
  needsProbe(onClear: () => void): boolean {
    if (this.#probing) return true;
    if (this.idleMs === 0) return false;
    const quietSinceMs = Math.max(this.host.lastMessageMs(), this.#probedAtMs);
    if (this.reactor.nowMs() - quietSinceMs <= 0.75 * this.idleMs) return false;
    this.#probing = true;
    this.ping(
      this.pingTimeoutMs,
      () => {
        this.#probing = false;
        this.#probedAtMs = this.reactor.nowMs();
        onClear();
      },
      () => this.host.fail(new WireError("ping_timeout", `idle probe not answered within ${this.pingTimeoutMs} ms`)),
      () => {},
    );
    return true;
  }

  /** Stops every timer; outstanding pings are told the connection is lost. */
  stop(): void {
    this.#keepalive?.cancel();
    this.#reaper?.cancel();
    this.#keepalive = null;
    this.#reaper = null;
    const pings = [...this.#pings.values()];
    this.#pings.clear();
    for (const ping of pings) {
      ping.timer.cancel();
      ping.onLost();
    }
  }

  readonly #tick = (): void => {
    if (this.#keepalivePending) return;
    if (this.reactor.nowMs() - this.host.lastFrameMs() < this.pingIntervalMs) return;
    this.#keepalivePending = true;
    this.ping(
      this.pingTimeoutMs,
      () => {
        this.#keepalivePending = false;
      },
      () =>
        this.host.fail(new WireError("ping_timeout", `keepalive PING not answered within ${this.pingTimeoutMs} ms`)),
      () => {},
    );
  };

  #armReaper(): void {
    const delayMs = this.idleMs / 2 + this.reactor.random() * (this.idleMs / 2);
    this.#reaper = this.reactor.setTimer(delayMs, () => {
      this.#reaper = null;
      const idleForMs = this.reactor.nowMs() - this.host.lastMessageMs();
      if (idleForMs >= this.idleMs && this.host.isQuiet() && !this.#probing) this.host.closeIdle();
      else this.#armReaper();
    });
  }
}
