/**
 * The chat bench's baseline: the same client/server protocol on a minimal stock `socket.io`
 * server — rooms and broadcasts from `socket.io`'s own adapter, ids from a counter, no history,
 * no persistence, no supervision. What the chat adds (actors, durable batched writes, presence)
 * is measured against it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";

/** A running baseline server. */
export interface BaselineServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the baseline on 127.0.0.1, port 0. */
export async function startBaselineChat(): Promise<BaselineServer> {
  const http = createServer();
  const io = new Server(http, { transports: ["websocket"] });
  const members = new Map<string, Set<string>>();
  let nextId = 1;
  io.on("connection", (socket) => {
    const nickname = String(socket.handshake.auth.nickname);
    const joined = new Set<string>();
    const leave = (room: string) => {
      joined.delete(room);
      void socket.leave(room);
      members.get(room)?.delete(nickname);
      io.to(room).emit("member:left", { room, nickname });
      io.to(room).emit("presence", { room, members: [...(members.get(room) ?? [])] });
    };
    socket.on("room:join", ({ room }: { room: string }, ack: (reply: unknown) => void) => {
      const set = members.get(room) ?? new Set<string>();
      members.set(room, set.add(nickname));
      joined.add(room);
      socket.to(room).emit("member:joined", { room, nickname });
      void socket.join(room);
      io.to(room).emit("presence", { room, members: [...set] });
      ack({ ok: true, room, members: [...set], messages: [], hasMore: false });
    });
    socket.on("room:leave", ({ room }: { room: string }, ack: (reply: unknown) => void) => {
      leave(room);
      ack({ ok: true });
    });
    socket.on("typing", ({ room, typing }: { room: string; typing: boolean }) => {
      socket.to(room).emit("typing", { room, nickname, typing });
    });
    socket.on(
      "message:send",
      ({ room, text, clientId }: { room: string; text: string; clientId: string }, ack: (reply: unknown) => void) => {
        const message = { id: nextId++, room, nickname, text, ts: Date.now(), clientId };
        io.to(room).emit("message", message);
        ack({ ok: true, message });
      },
    );
    socket.on("disconnect", () => {
      for (const room of [...joined]) leave(room);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
