// The wire codec of the Apache EventMesh TCP protocol (PROTOCOL §11), listed by
// name. It is pure: no sockets, no timers beyond the encoder's microtask flush.
export {
  DEFAULT_MAX_FRAME, FIXED_PREFIX_SIZE, LENGTH_FIELDS_SIZE, PREFIX_LENGTH, WIRE_COMMANDS, WIRE_COMMAND_NAMES,
  WIRE_MAGIC, WIRE_VERSION, isWireCommand, replyCommandOf,
} from './constants.js';
export type { WireCommand } from './constants.js';
export type { JsonObject, JsonValue } from './json.js';
export { decodeHeader, encodeHeader } from './header.js';
export type { WireHeader } from './header.js';
export { encodeFrame } from './frame.js';
export type { WireFrame } from './frame.js';
export { FrameDecoder } from './frame-decoder.js';
export type { FrameDecoderOptions, FrameSink } from './frame-decoder.js';
export { DEFAULT_MAX_QUEUED_BYTES, FrameEncoder } from './frame-encoder.js';
export type { FrameEncoderOptions, FrameEncoderStats, WritableLike } from './frame-encoder.js';
export { decodeUserAgent, encodeUserAgent } from './bodies/user-agent.js';
export type { UserAgent } from './bodies/user-agent.js';
export { SUBSCRIPTION_MODES, SUBSCRIPTION_TYPES, decodeSubscription, encodeSubscription } from './bodies/subscription.js';
export type { SubscriptionBody, SubscriptionItem, SubscriptionMode, SubscriptionType } from './bodies/subscription.js';
export { decodeRedirectInfo, encodeRedirectInfo } from './bodies/redirect-info.js';
export type { RedirectInfo } from './bodies/redirect-info.js';
export {
  decodeCloudEventBody, decodeEventMeshMessage, decodeMessage, encodeCloudEventBody, encodeEventMeshMessage,
  encodeMessage, messageProperties, protocolTypeOf,
} from './bodies/message.js';
export type { CloudEventJson, EventMeshMessage, WireMessage, WireProtocolType } from './bodies/message.js';
export { ackCommandOf, decodeAckBody, encodeAckBody } from './bodies/ack.js';
export { BATCH_MAX_EVENTS, decodeEventBatch, encodeEventBatch } from './bodies/event-batch.js';
