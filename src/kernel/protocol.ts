/**
 * Typed protocols. A protocol is an interface of one-argument methods: the method name is the
 * message tag, the parameter is the payload, the return type is the reply.
 *
 * ```ts
 * interface Counter {
 *   add(by: number): void;   // tell it, or ask it for an acknowledgement
 *   get(): number;           // ask or near-call it for a number
 * }
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: the protocol constraint must accept any signature.
export type Protocol<M> = { [K in keyof M]: (payload: any) => any };

/** Any protocol; for collections of refs of different kinds. */
// biome-ignore lint/suspicious/noExplicitAny: erased protocol.
export type AnyProtocol = Record<string, (payload: any) => any>;

/** The message tags of protocol `M`. */
export type Tag<M> = keyof M & string;

/** The payload type of message `K` of protocol `M` (`void` for a method without parameter). */
export type PayloadOf<M, K extends keyof M> = M[K] extends () => unknown
  ? void
  : M[K] extends (payload: infer P) => unknown
    ? P
    : never;

/** The reply type of message `K` of protocol `M`. */
export type ReplyOf<M, K extends keyof M> = M[K] extends (...args: never[]) => infer R ? R : never;

/**
 * The payload argument list of message `K`: empty or optional when the payload is `void` or
 * may be undefined, required otherwise.
 */
export type PayloadArgs<M, K extends keyof M> = [PayloadOf<M, K>] extends [void]
  ? [payload?: PayloadOf<M, K>]
  : undefined extends PayloadOf<M, K>
    ? [payload?: PayloadOf<M, K>]
    : [payload: PayloadOf<M, K>];

/** Options accepted by `ask` after the payload. */
export interface AskOptions {
  /** How long to wait for the reply, in ms. Default: the loop's `askTimeoutMs` (5,000). */
  timeoutMs?: number;
}

/** The argument list of `ask` for message `K`: the payload (as for tell), then options. */
export type AskArgs<M, K extends keyof M> = [PayloadOf<M, K>] extends [void]
  ? [payload?: PayloadOf<M, K>, options?: AskOptions]
  : undefined extends PayloadOf<M, K>
    ? [payload?: PayloadOf<M, K>, options?: AskOptions]
    : [payload: PayloadOf<M, K>, options?: AskOptions];
