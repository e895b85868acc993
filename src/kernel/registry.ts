import type { Behaviour, DownSignal } from "./behaviour.js";
import type { Loop } from "./loop.js";
import type { Protocol } from "./protocol.js";
import type { MonitorRef, Ref } from "./ref.js";

/** Default bound of a registry, in names. */
export const REGISTRY_ENTRIES_MAX_DEFAULT = 100_000;

/** Outcome of {@link Registry.register}. */
export type RegisterResult = "ok" | "taken" | "full";

/**
 * The protocol of a registry: names to refs of one protocol. A registry is an actor, so it is
 * itself a capability: only holders of its ref can register or look up, and
 * `attenuate(registry, ["lookup"])` hands out read-only access.
 */
export interface Registry<M extends Protocol<M>> {
  /** Binds `name` to `ref` while the actor lives; "taken" if another live actor holds it. */
  register(entry: { readonly name: string; readonly ref: Ref<M> }): RegisterResult;
  /** Removes a binding (no-op if absent). */
  unregister(name: string): void;
  /** The ref bound to `name`, or null. */
  lookup(name: string): Ref<M> | null;
  /** Every bound name, in registration order. */
  names(): string[];
}

interface Entry {
  readonly ref: Ref<never>;
  readonly monitor: MonitorRef;
}

interface RegistryState {
  readonly entries: ReadonlyMap<string, Entry>;
  readonly entriesMax: number;
}

/** Options of {@link createRegistry}. */
export interface RegistryOptions {
  /** Most names at once; `register` answers "full" beyond it. Default 100,000. */
  entriesMax?: number;
  /** Actor name in descriptions. Default "registry". */
  name?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: one behaviour serves registries of every protocol.
type AnyRegistry = Registry<any>;

/** The registry's behaviour: bindings disappear when their actor stops (it monitors them). */
export const registryBehaviour: Behaviour<AnyRegistry, RegistryState, RegistryOptions> = {
  name: "registry",
  init: (options) => {
    const entriesMax = options.entriesMax ?? REGISTRY_ENTRIES_MAX_DEFAULT;
    if (!Number.isInteger(entriesMax) || entriesMax < 1)
      throw new RangeError(`entriesMax must be an integer >= 1, got ${entriesMax}`);
    return { entries: new Map(), entriesMax };
  },
  handlers: {
    register(state, { name, ref }, ctx) {
      if (typeof name !== "string" || name.length === 0)
        throw new TypeError("register: name must be a non-empty string");
      if (state.entries.has(name)) return "taken";
      if (state.entries.size >= state.entriesMax) return "full";
      const entries = new Map(state.entries);
      entries.set(name, { ref, monitor: ctx.monitor(ref) });
      ctx.setState({ ...state, entries });
      return "ok";
    },
    unregister(state, name, ctx) {
      const entry = state.entries.get(name);
      if (entry === undefined) return;
      ctx.demonitor(entry.monitor);
      const entries = new Map(state.entries);
      entries.delete(name);
      ctx.setState({ ...state, entries });
    },
    lookup: (state, name) => state.entries.get(name)?.ref ?? null,
    names: (state) => [...state.entries.keys()],
  },
  onDown(state, signal: DownSignal, ctx) {
    for (const [name, entry] of state.entries) {
      if (entry.monitor !== signal.monitor) continue;
      const entries = new Map(state.entries);
      entries.delete(name);
      ctx.setState({ ...state, entries });
      return;
    }
  },
};

/** Spawns a registry on `loop` and returns its ref: the registry capability. */
export function createRegistry<M extends Protocol<M>>(loop: Loop, options: RegistryOptions = {}): Ref<Registry<M>> {
  return loop.spawn(registryBehaviour, options, options.name === undefined ? undefined : { name: options.name }) as Ref<
    Registry<M>
  >;
}
