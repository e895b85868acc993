import type { AnyBehaviour } from "../../kernel/behaviour.js";
import type { AnyRef } from "../../kernel/ref.js";

/** What an instrumented behaviour reports, from inside its actor. */
export interface BehaviourProbe {
  /** `init` is about to run for the actor `self`. */
  onInit(self: AnyRef): void;
  /**
   * The actor described as `actor` (`w1#9@g0`) runs `what`: a handler (for a mailbox message or
   * a near call), `onExit`, `onDown` or `terminate`. Kernel trace events cover mailbox turns
   * only; this sees every turn.
   */
  onTurn(actor: string, what: string): void;
}

type Fn = (state: unknown, arg: unknown, ctx: { readonly self: AnyRef }) => unknown;

/**
 * A copy of `behaviour` whose `init`, handlers and hooks report to `probe` before running. The
 * copy keeps every other property (name, mailbox, `trapExits`, the supervisor brand).
 */
export function instrument<B extends AnyBehaviour>(behaviour: B, probe: BehaviourProbe): B {
  const handlers: Record<string, Fn> = {};
  for (const [tag, handler] of Object.entries(behaviour.handlers as Record<string, Fn>)) {
    handlers[tag] = reporting(handler, tag, probe);
  }
  const copy: AnyBehaviour = {
    ...behaviour,
    init(args: unknown, ctx: { readonly self: AnyRef }) {
      probe.onInit(ctx.self);
      return behaviour.init(args, ctx as never);
    },
    handlers,
  };
  for (const hook of ["onExit", "onDown", "terminate"] as const) {
    const fn = behaviour[hook] as Fn | undefined;
    if (fn !== undefined)
      (copy as unknown as Record<string, unknown>)[hook] = reporting(fn.bind(behaviour), hook, probe);
  }
  return copy as B;
}

function reporting(fn: Fn, what: string, probe: BehaviourProbe): Fn {
  return (state, arg, ctx) => {
    probe.onTurn(describe(ctx.self), what);
    return fn(state, arg, ctx);
  };
}

// `Ref<w1#9@g0>` → `w1#9@g0`, the description trace events use.
function describe(ref: AnyRef): string {
  const text = String(ref);
  return text.slice(4, -1);
}
