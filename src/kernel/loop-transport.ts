import type { ErrorShape } from "./errors.js";

/** A ref crossing loops: an unguessable token that only the issuing loop can resolve. */
export interface EncodedRef {
  readonly __chorusRef__: string;
  /** Id of the loop that issued the token. */
  readonly loop: string;
}

/** An exit reason crossing loops (a crash carries its error as a shape). */
export type EncodedReason =
  | { readonly type: "normal" | "killed" | "noproc" | "noconnection" }
  | { readonly type: "shutdown"; readonly detail?: string }
  | { readonly type: "crash"; readonly error: ErrorShape };

/**
 * Frames exchanged between two loops. Payloads are structured-cloneable, with refs replaced
 * by {@link EncodedRef}s. The wire issue maps the same frames onto bytes.
 */
export type Frame =
  | { readonly t: "tell"; readonly to: string; readonly tag: string; readonly p: unknown }
  | { readonly t: "ask"; readonly to: string; readonly tag: string; readonly p: unknown; readonly id: number }
  | { readonly t: "reply"; readonly id: number; readonly ok: boolean; readonly v: unknown }
  | { readonly t: "mon"; readonly to: string; readonly mid: number }
  | { readonly t: "demon"; readonly mid: number }
  | { readonly t: "down"; readonly mid: number; readonly reason: EncodedReason }
  | { readonly t: "exit"; readonly to: string; readonly reason: EncodedReason }
  // Links across loops (see far-link.ts): `from` is the sender's actor token, `to` the receiver's.
  | { readonly t: "link"; readonly from: string; readonly to: string }
  | { readonly t: "unlink"; readonly from: string; readonly to: string }
  | { readonly t: "unlinked"; readonly from: string; readonly to: string }
  | { readonly t: "lexit"; readonly from: string; readonly to: string; readonly reason: EncodedReason }
  | {
      readonly t: "spawn";
      readonly id: number;
      readonly module: string;
      readonly exportName: string;
      readonly args: unknown;
      readonly options: unknown;
    };

/**
 * A bidirectional, ordered, bounded channel of frames to one peer loop: a MessagePort between
 * threads today, a wire connection between processes and machines later. Internal.
 */
export interface LoopTransport {
  /**
   * Queues a frame for the peer. Frames sent in one tick travel as one batch. A `control` frame
   * (an unlink's acknowledgement, which must not be lost: the peer waits for it) is queued even
   * past the bound; there is at most one per frame received, so the peer's own bound limits them.
   * @throws MailboxFullError when the outbound queue is full ({@link hasRoom} is false) and the
   *   frame is not `control`.
   */
  send(frame: Frame, control?: boolean): void;
  /** True while the outbound queue can take another frame. */
  hasRoom(): boolean;
  /** Called for each frame received, in order. Set by the peer connection. */
  onFrame: ((frame: Frame) => void) | null;
  /** Called once when the channel closes (either side). */
  onClose: (() => void) | null;
  /** Closes the channel; queued frames are dropped. */
  close(): void;
  /**
   * Checks, at the send, that an encoded payload can travel on this channel unchanged (the wire
   * carries msgpack). Absent when every structured-cloneable payload can.
   * @throws BadMessageError naming what cannot cross.
   */
  checkPayload?(payload: unknown, what: string): void;
}
