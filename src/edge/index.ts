/**
 * The web edge's public API, re-exported by the package entry point: the HTTP server (health,
 * readiness, static files, limits), the Engine.IO v4 server usable on its own, and the
 * Socket.IO v5 server whose connections are supervised actors.
 * @packageDocumentation
 */
export { createHttpEdge, type HttpEdge, type HttpEdgeMountable } from "./http/http-edge.js";
export {
  HTTP_EDGE_DEFAULTS,
  type HttpEdgeOptions,
  type HttpReadiness,
  type HttpUnhandledHandler,
  notFound,
  type ResolvedHttpEdgeOptions,
} from "./http/http-edge-options.js";
export {
  createEngineIoServer,
  type EngineIoCloseOptions,
  type EngineIoConnectionListener,
  type EngineIoServer,
} from "./engine-io/engine-io-server.js";
export {
  ENGINE_IO_SERVER_DEFAULTS,
  SLOW_CONSUMER_CAP_FACTOR,
  type EngineIoServerOptions,
  type EngineIoTransportName,
  type ResolvedEngineIoServerOptions,
} from "./engine-io/engine-io-server-options.js";
export type {
  EngineIoCloseReason,
  EngineIoSocket,
  EngineIoSocketEvents,
  EngineIoSocketState,
} from "./engine-io/engine-io-socket.js";
export { ENGINE_IO_REQUEST_ERRORS, EngineIoRequestError, type EngineIoRequestErrorCode } from "./engine-io/errors.js";
export {
  ACK_TIMEOUT_MS_DEFAULT,
  CHILD_NAMESPACES_MAX_DEFAULT,
  createSocketIoServer,
  type SocketIoServer,
  type SocketIoServerOptions,
} from "./socket-io/socket-io-server.js";
export {
  CONNECTION_STATE_RECOVERY_DEFAULTS,
  type ConnectionStateRecoveryOptions,
  RECOVERABLE_DISCONNECT_REASONS,
  type ResolvedRecoveryOptions,
} from "./socket-io/recovery-options.js";
export {
  type SocketIoConnectionListener,
  type SocketIoMiddleware,
  SocketIoNamespace,
} from "./socket-io/socket-io-namespace.js";
export { type SocketIoNamespacePredicate, SocketIoParentNamespace } from "./socket-io/socket-io-parent-namespace.js";
export {
  AckTimeoutError,
  type SocketIoAckCallback,
  type SocketIoHandshake,
  type SocketIoListener,
  SocketIoSocket,
  type TimedEmitter,
  type VolatileEmitter,
} from "./socket-io/socket-io-socket.js";
export { BroadcastOperator } from "./socket-io/broadcast-operator.js";
export { SOCKET_IO_PARSE_ERROR_REASON, SocketIoCodecError, type SocketIoCodecErrorCode } from "./socket-io/errors.js";
