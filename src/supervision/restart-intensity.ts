/**
 * The restart-intensity window of a supervisor: a pure sliding-window counter over Reactor time.
 * Values are immutable; {@link RestartIntensity.record} returns the next window.
 *
 * A restart at time `t` is inside the window at time `now` when `now - t <= periodMs` (OTP counts
 * the same way, in whole seconds). Recording a restart that leaves more than `intensity` restarts
 * in the window makes the window {@link RestartIntensity.exceeded}: exactly `intensity` restarts
 * within `periodMs` are allowed, one more is not.
 *
 * ```text
 * intensity 2, periodMs 100:  restart at 0 ok, at 50 ok, at 100 exceeded (0, 50, 100 all within 100 ms)
 *                             restart at 0 ok, at 50 ok, at 101 ok       (0 has left the window)
 * ```
 */
export class RestartIntensity {
  /** Most restarts allowed within the window (an integer >= 0). */
  readonly intensity: number;
  /** Window length, in ms (> 0). */
  readonly periodMs: number;
  /** Times of the restarts still inside the window, in ms, oldest first; at most `intensity + 1`. */
  readonly restartsMs: readonly number[];

  /**
   * An empty window (or one holding `restartsMs`). The arguments are trusted: supervisors
   * validate them with `resolveSupervisorFlags` first.
   */
  constructor(intensity: number, periodMs: number, restartsMs: readonly number[] = []) {
    this.intensity = intensity;
    this.periodMs = periodMs;
    this.restartsMs = restartsMs;
  }

  /**
   * The window after a restart at `nowMs` (Reactor monotonic time, never less than the last
   * recorded time): restarts older than `periodMs` are forgotten, and only the newest
   * `intensity + 1` are kept, which is enough to tell whether the limit is exceeded.
   */
  record(nowMs: number): RestartIntensity {
    const kept = this.restartsMs.filter((atMs) => nowMs - atMs <= this.periodMs);
    kept.push(nowMs);
    const bounded = kept.length > this.intensity + 1 ? kept.slice(kept.length - this.intensity - 1) : kept;
    return new RestartIntensity(this.intensity, this.periodMs, bounded);
  }

  /** True when the last recorded restart was one too many: the supervisor must give up. */
  get exceeded(): boolean {
    return this.restartsMs.length > this.intensity;
  }
}
