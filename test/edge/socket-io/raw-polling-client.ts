/**
 * A Socket.IO client over Engine.IO long-polling, by hand (fetch): it polls only when told to,
 * so a test can hold it "paused" (no GET in flight: its transport is not writable) and see
 * exactly what the server queued meanwhile.
 */

/** A hand-driven polling client of one Engine.IO session. */
export interface RawPollingClient {
  /** The Engine.IO session id. */
  readonly sid: string;
  /** POSTs Engine.IO records (e.g. `40` for a Socket.IO CONNECT to `/`). */
  post(...records: string[]): Promise<void>;
  /** One GET (at most `timeoutMs`): the records the server had or sent while it was held. */
  poll(timeoutMs?: number): Promise<string[]>;
}

/** Opens a session at `${origin}/socket.io/` and sends a Socket.IO CONNECT to `/`. */
export async function openRawPollingClient(origin: string): Promise<RawPollingClient> {
  const base = `${origin}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
  const url = `${base}&sid=${sid}`;
  const client: RawPollingClient = {
    sid,
    async post(...records) {
      const res = await fetch(url, { method: "POST", body: records.join("\x1e") });
      await res.text();
      if (res.status !== 200) throw new Error(`POST answered ${res.status}`);
    },
    async poll(timeoutMs = 2000) {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      return (await res.text()).split("\x1e");
    },
  };
  await client.post("40");
  return client;
}
