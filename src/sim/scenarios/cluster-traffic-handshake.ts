import type { EncodedRef } from "../../kernel/loop-transport.js";
import type { Loop, LoopRuntime } from "../../kernel/loop.js";
import { connectPeer } from "../../kernel/peer-connection.js";
import type { AnyRef } from "../../kernel/ref.js";
import type { SimConnection } from "../sim-network.js";
import { SimLoopTransport } from "../sim-loop-transport.js";

/**
 * Links two kernel loops over a simulated connection, the way a wire handshake will:
 *
 *   dialer                                   acceptor
 *     | -- hello { id, name } -------------------> |  connectPeer(acceptor, transport, id)
 *     | <------- hello { id, name, bootstrap } --- |
 *     |  connectPeer(dialer, transport, id)        |
 *     | <=========== kernel frames ==============> |
 *
 * The acceptor's hello carries its bootstrap capability (a ref encoded for this peer), the one
 * ref a loop gets without a message; every other ref then travels inside kernel messages. The
 * link is FIFO, so the acceptor's hello reaches the dialer before any frame.
 */

interface Hello {
  readonly hello: { readonly id: string; readonly name: string; readonly bootstrap: EncodedRef | null };
}

function helloOf(data: unknown): Hello["hello"] {
  const hello = (data as Partial<Hello> | null)?.hello;
  if (hello === undefined) throw new TypeError(`expected a hello, got ${JSON.stringify(data)}`);
  return hello;
}

/** Accepts a loop dialing in on `connection`: hands it `bootstrap` and carries frames from then on. */
export function acceptLoop(connection: SimConnection, loop: Loop, bootstrap: AnyRef): void {
  connection.onMessage = (data) => {
    const hello = helloOf(data);
    const transport = new SimLoopTransport(connection, loop.reactor);
    const peer = connectPeer(loop as LoopRuntime, transport, hello.id, hello.name);
    const reply: Hello = { hello: { id: loop.id, name: loop.name, bootstrap: peer.encodeRef(bootstrap) } };
    connection.send(reply);
  };
}

/** Dials in on `connection`; calls `onBootstrap` with a far ref to the acceptor's bootstrap. */
export function dialLoop(connection: SimConnection, loop: Loop, onBootstrap: (bootstrap: AnyRef) => void): void {
  const hello: Hello = { hello: { id: loop.id, name: loop.name, bootstrap: null } };
  connection.send(hello);
  connection.onMessage = (data) => {
    const reply = helloOf(data);
    const transport = new SimLoopTransport(connection, loop.reactor);
    const peer = connectPeer(loop as LoopRuntime, transport, reply.id, reply.name);
    if (reply.bootstrap === null) throw new TypeError(`loop ${reply.name} sent no bootstrap capability`);
    onBootstrap(peer.decodeRef(reply.bootstrap));
  };
}
