/**
 * The wire: Chorus's node-to-node transport. Public surface (re-exported from the package entry):
 * connections over any byte stream, TCP / Unix / TLS listeners and dialers, the simulator
 * adapter, the frame codec, and the error types. Spec: docs/wire-protocol.md.
 */
export { BodyCodec } from "./body-codec.js";
export {
  CONNECTION_DEFAULTS,
  type WhenFull,
  type WireConnectionOptions,
  type ResolvedConnectionOptions,
} from "./connection-options.js";
export {
  type CloseRecord,
  type NackRecord,
  decodeClose,
  decodeNack,
  encodeClose,
  encodeNack,
} from "./control-records.js";
export { connectSocket, defaultConnectTimeoutMs, dialWire, type DialOptions } from "./dial-wire.js";
export {
  WIRE_CLOSE_NORMAL,
  WIRE_ERRORS,
  WireError,
  type WireErrorCode,
  type WireErrorEntry,
  wireErrorEntry,
} from "./errors.js";
export {
  FrameDecoder,
  type FrameDecoderEvent,
  type FrameDecoderSink,
  type FrameDecoderStatus,
} from "./frame-decoder.js";
export { encodeFrame, FrameEncoder } from "./frame-encoder.js";
export {
  FIXED_HEADER_BYTES,
  FRAME_TYPE_RULES,
  WIRE_LIMITS_DEFAULT,
  WIRE_MAGIC,
  WIRE_VERSION,
  type WireFrame,
  type WireFrameType,
  type WireLimits,
} from "./frame.js";
export {
  decodeHello,
  encodeHello,
  type HelloRecord,
  nodeIdHex,
  NODE_ID_BYTES,
  SLOTS_MAX,
  WIRE_PROTOCOL_VERSION,
} from "./hello-record.js";
export type { SendOptions } from "./outbound-entry.js";
export { WireSendError, type WireSendErrorCode } from "./send-error.js";
export { SimDuplex } from "./sim-duplex.js";
export type { TrySendStatus } from "./try-send-status.js";
export { SocketDuplex } from "./socket-duplex.js";
export { WireConnection } from "./wire-connection.js";
export type { WireCloseInfo, WireConnectionStats, WireConnectionStatus } from "./wire-connection-types.js";
export { WireDialer, type WireDialerOptions } from "./wire-dialer.js";
export type { WireDuplex } from "./wire-duplex.js";
export { addressText, canonicalAddress, parseWireAddress, type WireAddress, type WireTls } from "./wire-endpoint.js";
export { listenWire, type WireListener, type WireListenOptions } from "./wire-listener.js";
export type { WireFireAndForgetHandler, WireMessage, WireMessageHandler } from "./wire-message.js";
export { joinWireLoop, type WireExports, type WireLoopNode, type WireLoopNodeOptions } from "./wire-loop-node.js";
export {
  acceptWireLoop,
  dialWireLoop,
  loopNodeId,
  WIRE_LOOP_FRAMES_MAX_DEFAULT,
  WireLoopTransport,
  type WireLoopTransportOptions,
} from "./wire-loop-transport.js";
export { checkWirePayload, WIRE_PAYLOAD_DEPTH_MAX } from "./wire-payload.js";
export { DUPLICATE_CLOSE_REASON, WirePeer, type WirePeerEvent } from "./wire-peer.js";
export { WirePeerRegistry, type WirePeerRegistryOptions } from "./wire-peer-registry.js";
