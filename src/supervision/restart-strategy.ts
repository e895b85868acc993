/**
 * Which children a supervisor restarts when one of them exits and must be restarted (OTP's
 * strategies):
 * - `one_for_one`: only that child;
 * - `one_for_all`: every other child is stopped (in reverse start order), then all are started
 *   again in start order;
 * - `rest_for_one`: the children started after it are stopped (in reverse start order), then it
 *   and they are started again in start order.
 */
export type RestartStrategy = "one_for_one" | "one_for_all" | "rest_for_one";

/** Every strategy, for validation and property tests. */
export const RESTART_STRATEGIES: readonly RestartStrategy[] = ["one_for_one", "one_for_all", "rest_for_one"];

/** What to do to restart after one child exited: stop some children, then start some. */
export interface RestartPlan {
  /** Children to stop first, one at a time, in this order (reverse start order). */
  readonly stopIds: readonly string[];
  /** Children to start afterwards, in this order (start order); includes the exited child. */
  readonly startIds: readonly string[];
}

/**
 * The restart plan of `strategy` when child `exitedId` exited. A pure function of the ids: the
 * supervisor skips children that are not running when stopping and children that are running
 * when starting.
 * @param ids - every child id, in start order.
 * @throws RangeError if `exitedId` is not in `ids`.
 */
export function restartPlan(strategy: RestartStrategy, ids: readonly string[], exitedId: string): RestartPlan {
  const index = ids.indexOf(exitedId);
  if (index < 0) throw new RangeError(`restartPlan: no child "${exitedId}"`);
  switch (strategy) {
    case "one_for_one":
      return { stopIds: [], startIds: [exitedId] };
    case "one_for_all":
      return { stopIds: ids.filter((id) => id !== exitedId).reverse(), startIds: ids.slice() };
    case "rest_for_one":
      return { stopIds: ids.slice(index + 1).reverse(), startIds: ids.slice(index) };
  }
}
