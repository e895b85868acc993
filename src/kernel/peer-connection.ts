import {
  ActorDeadError,
  BadMessageError,
  type ErrorShape,
  fromErrorShape,
  LoopClosedError,
  toErrorShape,
} from "./errors.js";
import { ExitReasons } from "./exit-reason.js";
import { farLinksOf } from "./far-link.js";
import type { LoopRuntime } from "./loop.js";
import type { EncodedRef, Frame, LoopTransport } from "./loop-transport.js";
import type { AnyRef } from "./ref.js";
import {
  decodeReason,
  decodeValue,
  encodedRef,
  encodeReason,
  encodeValue,
  makeRef,
  type RefTranslator,
  targetOf,
  tokenOf,
} from "./ref-codec.js";
import { DeadTarget, RemoteTarget } from "./remote-target.js";
import type { ReplyTo, Target, Watcher } from "./target.js";

/** Spawns a behaviour exported by a module, on request of another loop. */
export type ModuleSpawner = (moduleUrl: string, exportName: string, args: unknown, options: unknown) => Promise<AnyRef>;

/** The reply side of an ask that came from another loop. */
class RemoteReply implements ReplyTo {
  #settled = false;
  constructor(
    readonly peer: PeerConnection,
    readonly id: number,
  ) {}
  settle(okIn: boolean, value: unknown): void {
    let ok = okIn;
    if (this.#settled || this.peer.closed) return;
    this.#settled = true;
    let v = ok ? encodeValue(value, this.peer) : toErrorShape(value);
    try {
      if (ok) this.peer.transport.checkPayload?.(v, "reply");
    } catch (error) {
      // The asker learns why instead of receiving a silently changed reply.
      ok = false;
      v = toErrorShape(error);
    }
    try {
      this.peer.transport.send({ t: "reply", id: this.id, ok, v });
    } catch {
      // Outbound queue full: the asker's own timeout reports it.
    }
  }
}

/**
 * The kernel's side of a connection to one peer loop: outstanding asks, monitors in both
 * directions, link frames (handed to the loop's far-link table), and the translation of refs to
 * capability tokens and back. When the transport closes, every pending ask fails with
 * LoopClosedError, every monitor fires `noconnection`, and every actor linked across it gets an
 * exit signal `noconnection`.
 */
export class PeerConnection implements RefTranslator {
  readonly loop: LoopRuntime;
  readonly transport: LoopTransport;
  readonly peerId: string;
  readonly peerName: string;
  closed = false;
  readonly #pending = new Map<number, ReplyTo>();
  readonly #watchers = new Map<number, Watcher>();
  readonly #inbound = new Map<number, { target: Target; localId: number }>();
  #nextId = 0;

  constructor(loop: LoopRuntime, transport: LoopTransport, peerId: string, peerName: string) {
    this.loop = loop;
    this.transport = transport;
    this.peerId = peerId;
    this.peerName = peerName;
    transport.onFrame = (frame) => this.#receive(frame);
    transport.onClose = () => this.#lost();
  }

  // ---- bookkeeping used by RemoteTarget ----

  track(reply: ReplyTo): number {
    const id = ++this.#nextId;
    this.#pending.set(id, reply);
    return id;
  }

  untrack(id: number): void {
    this.#pending.delete(id);
  }

  watch(monitorId: number, watcher: Watcher): void {
    this.#watchers.set(monitorId, watcher);
  }

  unwatch(monitorId: number): boolean {
    return this.#watchers.delete(monitorId);
  }

  /** Asks the peer loop to spawn `exportName` from `moduleUrl`; resolves with a far ref. */
  requestSpawn(moduleUrl: string, exportName: string, args: unknown, options: unknown, reply: ReplyTo): void {
    const encoded = encodeValue(args, this);
    this.transport.checkPayload?.(encoded, "spawn arguments");
    const id = this.track(reply);
    this.transport.send({ t: "spawn", id, module: moduleUrl, exportName, args: encoded, options });
  }

  // ---- ref translation ----

  encodeRef(ref: AnyRef): EncodedRef {
    const target = targetOf(ref);
    if (target instanceof RemoteTarget) return encodedRef(target.token, target.peer.peerId);
    return encodedRef(target.exportToken(), this.loop.id);
  }

  /** A far ref to the actor exported as `token` by the peer loop (works until the peer is lost). */
  farRef(token: string): AnyRef {
    return makeRef(new RemoteTarget(this, token, this.loop.nextMonitorId()));
  }

  decodeRef(encoded: EncodedRef): AnyRef {
    const token = tokenOf(encoded);
    if (encoded.loop === this.loop.id) {
      return makeRef(this.loop.resolveToken(token) ?? new DeadTarget(this.loop, "unknown or expired capability"));
    }
    const peer = this.loop.peers.get(encoded.loop);
    if (peer === undefined || peer.closed) return makeRef(new DeadTarget(this.loop, "its loop is not connected"));
    return peer.farRef(token);
  }

  // ---- inbound frames ----

  #receive(frame: Frame): void {
    switch (frame.t) {
      case "tell":
        this.#tell(frame);
        break;
      case "ask":
        this.#ask(frame);
        break;
      case "reply": {
        const reply = this.#pending.get(frame.id);
        if (reply === undefined) break;
        this.#pending.delete(frame.id);
        reply.settle(frame.ok, frame.ok ? decodeValue(frame.v, this) : fromErrorShape(frame.v as ErrorShape));
        break;
      }
      case "mon":
        this.#monitorFor(frame.to, frame.mid);
        break;
      case "demon": {
        const entry = this.#inbound.get(frame.mid);
        this.#inbound.delete(frame.mid);
        entry?.target.demonitor(entry.localId);
        break;
      }
      case "down": {
        const watcher = this.#watchers.get(frame.mid);
        this.#watchers.delete(frame.mid);
        watcher?.down(frame.mid, decodeReason(frame.reason));
        break;
      }
      case "exit":
        this.loop.resolveToken(frame.to)?.signalExit(decodeReason(frame.reason), null);
        break;
      case "spawn":
        this.#spawnFor(frame);
        break;
      case "link":
        farLinksOf(this.loop).accept(this, frame.from, frame.to);
        break;
      case "unlink":
        farLinksOf(this.loop).dropped(this, frame.from, frame.to);
        break;
      case "unlinked":
        this.loop.farLinks?.unlinkAcknowledged(this, frame.from, frame.to);
        break;
      case "lexit":
        this.loop.farLinks?.signalled(this, frame.from, frame.to, decodeReason(frame.reason));
        break;
    }
  }

  // Frames of a batch mostly go to one target with one tag. Comparing with the last token is
  // cheaper than hashing each freshly deserialized string for the exports map, and handing the
  // cell the same tag string lets V8 internalize it once for the handler lookup.
  #lastToken = "";
  #lastTarget: Target | undefined = undefined;
  #lastEpoch = -1;
  #lastTag = "";

  #resolve(token: string): Target | undefined {
    const epoch = this.loop.exportsEpoch;
    if (token === this.#lastToken && epoch === this.#lastEpoch) return this.#lastTarget;
    const target = this.loop.resolveToken(token);
    if (target !== undefined) {
      this.#lastToken = token;
      this.#lastEpoch = epoch;
      this.#lastTarget = target;
    }
    return target;
  }

  #tell(frame: Extract<Frame, { t: "tell" }>): void {
    const target = this.#resolve(frame.to);
    const tag = frame.tag === this.#lastTag ? this.#lastTag : (this.#lastTag = frame.tag);
    if (target === undefined) {
      this.loop.deadLetter(new DeadTarget(this.loop, "unknown capability"), tag, "dead");
      return;
    }
    try {
      target.deliverTell(tag, decodeValue(frame.p, this));
    } catch {
      this.loop.deadLetter(target, tag, "mailbox_full");
    }
  }

  #ask(frame: Extract<Frame, { t: "ask" }>): void {
    const reply = new RemoteReply(this, frame.id);
    const target = this.loop.resolveToken(frame.to);
    if (target === undefined) reply.settle(false, new ActorDeadError("actor is not alive (unknown capability)"));
    else target.deliverAsk(frame.tag, decodeValue(frame.p, this), reply);
  }

  #monitorFor(token: string, mid: number): void {
    const target = this.loop.resolveToken(token);
    const sendDown = (reason: import("./exit-reason.js").ExitReason) => {
      this.#inbound.delete(mid);
      if (this.closed) return;
      try {
        this.transport.send({ t: "down", mid, reason: encodeReason(reason) });
      } catch {
        // Outbound queue full: the down is lost like a frame on a lost connection; throwing here
        // would break the exit of the watched actor, which runs this.
      }
    };
    if (target === undefined) {
      sendDown(ExitReasons.noproc);
      return;
    }
    const localId = target.monitor({ down: (_id, reason) => sendDown(reason) });
    this.#inbound.set(mid, { target, localId });
  }

  #spawnFor(frame: Extract<Frame, { t: "spawn" }>): void {
    const reply = new RemoteReply(this, frame.id);
    const spawner = this.loop.moduleSpawner;
    if (spawner === null) {
      reply.settle(false, new BadMessageError(`loop ${this.loop.name} does not accept spawn requests`));
      return;
    }
    spawner(frame.module, frame.exportName, decodeValue(frame.args, this), frame.options).then(
      (ref) => reply.settle(true, ref),
      (error) => reply.settle(false, error),
    );
  }

  /** Closes the connection (both directions). */
  close(): void {
    this.transport.close();
  }

  #lost(): void {
    if (this.closed) return;
    this.closed = true;
    this.loop.peers.delete(this.peerId);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const reply of pending)
      reply.settle(false, new LoopClosedError(`connection to loop ${this.peerName} closed before the reply`));
    const watchers = [...this.#watchers];
    this.#watchers.clear();
    for (const [id, watcher] of watchers) watcher.down(id, ExitReasons.noconnection);
    for (const { target, localId } of this.#inbound.values()) target.demonitor(localId);
    this.#inbound.clear();
    this.loop.farLinks?.peerLost(this);
  }
}

/** Connects `loop` to a peer loop over `transport`. */
export function connectPeer(
  loop: LoopRuntime,
  transport: LoopTransport,
  peerId: string,
  peerName: string,
): PeerConnection {
  const peer = new PeerConnection(loop, transport, peerId, peerName);
  loop.peers.set(peerId, peer);
  loop.peerHooks ??= {
    onShutdown: () => {
      for (const p of [...loop.peers.values()]) p.close();
    },
  };
  return peer;
}
