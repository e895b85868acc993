import { ActorDeadError, FarCallError, LoopClosedError, MailboxFullError } from "./errors.js";
import { type ExitReason, ExitReasons } from "./exit-reason.js";
import type { LoopRuntime } from "./loop.js";
import type { PeerConnection } from "./peer-connection.js";
import { PendingAsk } from "./pending-ask.js";
import type { AnyRef } from "./ref.js";
import { encodeReason, encodeValue } from "./ref-codec.js";
import type { ReplyTo, Target, Watcher } from "./target.js";

/** An actor on another loop, reached through a peer connection by its capability token. */
export class RemoteTarget implements Target {
  readonly isNear = false;
  readonly loop: LoopRuntime;
  readonly peer: PeerConnection;
  readonly token: string;
  readonly #label: number;

  constructor(peer: PeerConnection, token: string, label: number) {
    this.peer = peer;
    this.loop = peer.loop;
    this.token = token;
    this.#label = label;
  }

  describe(): string {
    // Never include the token: descriptions end up in logs, tokens are capabilities.
    return `far#${this.#label}@${this.peer.peerName}`;
  }

  deliverTell(tag: string, payload: unknown): void {
    if (this.peer.closed) {
      this.loop.deadLetter(this, tag, "unreachable");
      return;
    }
    const p = encodeValue(payload, this.peer);
    this.peer.transport.checkPayload?.(p, `payload of "${tag}"`);
    this.peer.transport.send({ t: "tell", to: this.token, tag, p });
  }

  deliverAsk(tag: string, payload: unknown, reply: ReplyTo): void {
    if (this.peer.closed) {
      reply.settle(false, new LoopClosedError(`loop ${this.peer.peerName} is unreachable`));
      return;
    }
    const id = this.peer.track(reply);
    if (reply instanceof PendingAsk) reply.onSettled = () => this.peer.untrack(id);
    try {
      const p = encodeValue(payload, this.peer);
      this.peer.transport.checkPayload?.(p, `payload of "${tag}"`);
      this.peer.transport.send({ t: "ask", to: this.token, tag, p, id });
    } catch (error) {
      this.peer.untrack(id);
      reply.settle(false, error);
    }
  }

  callNow(tag: string): unknown {
    throw new FarCallError(`near call "${tag}" to ${this.describe()}: the actor lives on another loop; use ask`);
  }

  reserve(tag: string, payload: unknown): void {
    if (this.peer.closed) return;
    const transport = this.peer.transport;
    if (!transport.hasRoom()) throw new MailboxFullError(`outbound queue to loop ${this.peer.peerName} is full`);
    // A payload the transport cannot carry (e.g. a Map over the wire) fails at the call, inside
    // the handler, instead of turning into a dead letter when the turn commits.
    if (transport.checkPayload !== undefined)
      transport.checkPayload(encodeValue(payload, this.peer), `payload of "${tag}"`);
  }

  release(): void {}

  monitor(watcher: Watcher): number {
    if (this.peer.closed) return this.loop.deferDown(watcher, ExitReasons.noconnection);
    const monitorId = this.loop.nextMonitorId();
    this.peer.watch(monitorId, watcher);
    this.peer.transport.send({ t: "mon", to: this.token, mid: monitorId });
    return monitorId;
  }

  demonitor(monitorId: number): void {
    this.loop.cancelDeferredDown(monitorId);
    if (this.peer.unwatch(monitorId) && !this.peer.closed) this.peer.transport.send({ t: "demon", mid: monitorId });
  }

  signalExit(reason: ExitReason, _from: AnyRef | null): void {
    if (!this.peer.closed) this.peer.transport.send({ t: "exit", to: this.token, reason: encodeReason(reason) });
  }

  exportToken(): string {
    return this.token;
  }
}

/** A ref whose actor is gone or unreachable: every send fails clearly. */
export class DeadTarget implements Target {
  readonly isNear = false;
  constructor(
    readonly loop: LoopRuntime,
    readonly why: string,
  ) {}
  describe(): string {
    return `dead(${this.why})`;
  }
  deliverTell(tag: string): void {
    this.loop.deadLetter(this, tag, "unreachable");
  }
  deliverAsk(_tag: string, _payload: unknown, reply: ReplyTo): void {
    reply.settle(false, new ActorDeadError(`actor is not reachable: ${this.why}`));
  }
  callNow(): unknown {
    throw new ActorDeadError(`actor is not reachable: ${this.why}`);
  }
  reserve(): void {}
  release(): void {}
  monitor(watcher: Watcher): number {
    return this.loop.deferDown(watcher, ExitReasons.noproc);
  }
  demonitor(monitorId: number): void {
    this.loop.cancelDeferredDown(monitorId);
  }
  signalExit(): void {}
  exportToken(): string {
    return this.loop.exportTarget(this);
  }
}
