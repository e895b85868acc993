/**
 * What an Engine.IO session shows the objects that drive it, with no closure per session: the
 * {@link SessionPort} (its transport's sink and its heartbeat entry, one small object with
 * prototype methods) and the {@link EngineIoSessionObserver} a layer above sets in place of
 * listeners. The session registers its private handlers once, in a static block, through
 * {@link setSessionEntryPoints}.
 */
import type { EngineIoSession } from "./engine-io-session.js";
import type { EngineIoCloseReason } from "./engine-io-socket.js";
import type { EngineIoTransportSink } from "./engine-io-transport.js";
import { Heartbeat, type HeartbeatActions, type HeartbeatScheduler } from "./heartbeat.js";
import type { EngineIoPacket } from "./packet.js";

/**
 * Told of a session's events in place of listeners: one object per connection, no closures
 * (the Socket.IO layer's bridge to its connection actor). Called before the listeners.
 */
export interface EngineIoSessionObserver {
  /** See the `message` event. */
  message(data: string | Uint8Array): void;
  /** See the `close` event. */
  close(reason: EngineIoCloseReason, description: string | undefined): void;
  /** See the `drain` event. */
  drain(): void;
}

/** The session's private handlers, as functions of the session (registered once). */
export interface SessionEntryPoints {
  packet(session: EngineIoSession, packet: EngineIoPacket): void;
  drain(session: EngineIoSession): void;
  end(session: EngineIoSession, reason: EngineIoCloseReason, description: string | undefined): void;
  ping(session: EngineIoSession): void;
}

let entry: SessionEntryPoints | null = null;

/** Registers the session's handlers; called once, by `EngineIoSession`'s static block. */
export function setSessionEntryPoints(points: SessionEntryPoints): void {
  entry = points;
}

/**
 * What a session's transport and heartbeat call: the session's heartbeat entry, with prototype
 * methods as the transport's sink and the heartbeat's actions — one small object per session
 * instead of a sink object and closures.
 */
export class SessionPort extends Heartbeat implements EngineIoTransportSink, HeartbeatActions {
  readonly #session: EngineIoSession;

  constructor(session: EngineIoSession, heartbeats: HeartbeatScheduler) {
    super(heartbeats);
    this.#session = session;
  }

  /** A packet from the transport. */
  packet(packet: EngineIoPacket): void {
    entry!.packet(this.#session, packet);
  }

  /** The transport can take more. */
  drain(): void {
    entry!.drain(this.#session);
  }

  /** The transport is gone. */
  closed(reason: EngineIoCloseReason, description?: string): void {
    entry!.end(this.#session, reason, description);
  }

  /** Time to ping. */
  ping(): void {
    entry!.ping(this.#session);
  }

  /** No pong in time. */
  timeout(): void {
    entry!.end(this.#session, "ping timeout", undefined);
  }
}
