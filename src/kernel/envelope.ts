import type { DownSignal, ExitSignal } from "./behaviour.js";
import type { ReplyTo } from "./target.js";

/** Envelope kinds. */
export const MESSAGE = 0;
export const EXIT_SIGNAL = 1;
export const DOWN_SIGNAL = 2;

/** A queued message or signal. Internal. */
export class Envelope {
  constructor(
    readonly kind: number,
    readonly tag: string,
    readonly payload: unknown,
    readonly reply: ReplyTo | null,
    readonly signal: ExitSignal | DownSignal | null,
  ) {}
}
