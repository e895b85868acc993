/** Connection actors run as temporary children of a per-server supervisor. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Socket as ClientSocket } from "socket.io-client";
import type { SocketIoSocket } from "../../../src/edge/socket-io/socket-io-socket.js";
import { ExitReasons } from "../../../src/kernel/exit-reason.js";
import { type SupervisionReport, createCrashReporter } from "../../../src/supervision/crash-reporter.js";
import { once, startIo, waitFor } from "./server-harness.js";

describe("Socket.IO connection supervisor", () => {
  it("io.close() stops every connection actor, newest first, then the supervisor", async () => {
    const t = await startIo();
    try {
      const server: SocketIoSocket[] = [];
      t.io.on("connection", (socket) => server.push(socket));
      const clients: ClientSocket[] = [];
      for (const transports of [["websocket"], ["polling"], ["websocket"]]) {
        const client = t.client("/", { transports });
        await once(client, "connect");
        clients.push(client);
      }
      const children = await t.io.supervisor.ask("whichChildren");
      assert.deepEqual(
        children.map((child) => [child.id, child.restart, child.status]),
        clients.map((client) => [`connection-${client.io.engine.id}`, "temporary", "running"]),
      );
      const exited: string[] = [];
      t.loop.onExit((event) => exited.push(String(event.ref)));
      const gone = clients.map((client) => once<[string]>(client, "disconnect"));

      t.io.close();
      t.io.close(); // idempotent

      await Promise.all(gone);
      const supervisorRef = String(t.io.supervisor);
      await waitFor(() => exited.includes(supervisorRef));
      const childRefs = children.map((child) => String(child.ref));
      assert.deepEqual(
        exited.filter((ref) => childRefs.includes(ref)),
        [...childRefs].reverse(),
      );
      assert.equal(exited.at(-1), supervisorRef);
      assert.deepEqual(
        server.map((socket) => socket.disconnectReason),
        ["server shutting down", "server shutting down", "server shutting down"],
      );
      assert.equal(t.io.engine.clientsCount, 0);
      assert.equal(t.loop.actorCount, 0);
    } finally {
      await t.close();
    }
  });

  it("a crashed connection actor is reported and forgotten; the others keep running", async () => {
    const reporter = createCrashReporter();
    const reports: SupervisionReport[] = [];
    reporter.subscribe((report) => reports.push(report));
    const t = await startIo({ reporter });
    try {
      t.io.on("connection", (socket) => {
        socket.on("boom", () => {
          throw new Error("kaboom");
        });
        socket.on("echo", (value: unknown, ack: (v: unknown) => void) => ack(value));
      });
      const victim = t.client();
      const bystander = t.client();
      await Promise.all([once(victim, "connect"), once(bystander, "connect")]);
      const victimSid = victim.io.engine.id;
      const gone = once<[string]>(victim, "disconnect");
      victim.emit("boom");
      assert.equal((await gone)[0], "io server disconnect");
      await waitFor(() => reports.length === 1);
      const report = reports[0]!;
      assert.equal(report.type, "crash_report");
      assert.equal(report.supervisor, "socket-io-connections");
      assert.equal(report.childId, `connection-${victimSid}`);
      assert.equal(report.reason.type, "crash");
      assert.match(report.stack ?? "", /kaboom/);

      const children = await t.io.supervisor.ask("whichChildren");
      assert.deepEqual(
        children.map((child) => child.id),
        [`connection-${bystander.io.engine.id}`],
      );
      assert.equal(await bystander.emitWithAck("echo", "alive"), "alive");
    } finally {
      await t.close();
    }
  });

  it("a client that closes leaves no child behind", async () => {
    const t = await startIo();
    try {
      const client = t.client();
      await once(client, "connect");
      assert.equal((await t.io.supervisor.ask("countChildren")).active, 1);
      client.disconnect();
      await waitFor(() => t.io.engine.clientsCount === 0);
      await waitFor(() => t.loop.actorCount === 1);
      assert.deepEqual(await t.io.supervisor.ask("countChildren"), {
        specs: 0,
        active: 0,
        supervisors: 0,
        workers: 0,
      });
    } finally {
      await t.close();
    }
  });

  for (const transport of ["websocket", "polling"]) {
    it(`a connection actor killed outright closes its ${transport} session: the client sees it and reconnects`, async () => {
      const t = await startIo();
      try {
        const reasons: string[] = [];
        t.io.on("connection", (socket) => {
          socket.on("disconnect", (reason: string) => reasons.push(reason));
          socket.on("echo", (value: unknown, ack: (v: unknown) => void) => ack(value));
        });
        const client = t.client("/", { transports: [transport], reconnection: true, reconnectionDelay: 10 });
        await once(client, "connect");
        const killedSid = client.io.engine.id;
        const [child] = await t.io.supervisor.ask("whichChildren");
        assert.equal(child?.id, `connection-${killedSid}`);
        assert.ok(child.ref !== null);
        const gone = once<[string]>(client, "disconnect");

        t.loop.exit(child.ref, ExitReasons.killed);

        assert.equal((await gone)[0], "transport close", "the client notices at once and may reconnect");
        assert.deepEqual(reasons, ["server shutting down (killed)"], "the server socket got its disconnect");
        await once(client, "connect");
        assert.notEqual(client.io.engine.id, killedSid);
        assert.equal(await client.timeout(2_000).emitWithAck("echo", "back"), "back");
        const children = await t.io.supervisor.ask("whichChildren");
        assert.deepEqual(
          children.map((c) => c.id),
          [`connection-${client.io.engine.id}`],
        );
        assert.equal(t.io.of("/").sockets.size, 1, "the killed socket left the namespace");
        assert.equal(t.io.engine.clientsCount, 1);
      } finally {
        await t.close();
      }
    });
  }
});
