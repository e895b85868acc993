/**
 * What {@link WireConnection.trySend} did with a fire-and-forget message, as a plain string (no
 * promise, no allocation):
 * - `"sent"`: the frame is in this tick's write batch; it goes to the byte stream at the end of
 *   the tick, in order with every other send (at most once, as any fire-and-forget send);
 * - `"blocked"`: nothing was written — the connection is not open yet, sends are queued ahead,
 *   the outbound budget is used up, the byte stream is above its high-water mark, or an idle
 *   probe must go first; await `whenWritable()` and try again (or use `send`, which queues);
 * - `"closed"`: the connection is closed; nothing will be written.
 */
export type TrySendStatus = "sent" | "blocked" | "closed";
