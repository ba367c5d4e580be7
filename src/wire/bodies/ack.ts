import { MeshError } from '../../errors.js';
import type { WireCommand } from '../constants.js';
import { parseJson, toJsonBytes, type JsonValue } from '../json.js';

/**
 * PROTOCOL §11.12 / §11.13: the ACK a client sends, with the same seq, for each push.
 * A push the client fails to ACK in time is not acknowledged at all.
 */
const ACK_OF_PUSH: Readonly<Partial<Record<WireCommand, WireCommand>>> = {
  ASYNC_MESSAGE_TO_CLIENT: 'ASYNC_MESSAGE_TO_CLIENT_ACK',
  BROADCAST_MESSAGE_TO_CLIENT: 'BROADCAST_MESSAGE_TO_CLIENT_ACK',
  REQUEST_TO_CLIENT: 'REQUEST_TO_CLIENT_ACK',
  RESPONSE_TO_CLIENT: 'RESPONSE_TO_CLIENT_ACK',
};

/** The ACK command for a push, or undefined when `push` is not one that is ACKed. */
export function ackCommandOf(push: WireCommand): WireCommand | undefined {
  return ACK_OF_PUSH[push];
}

/**
 * PROTOCOL §11.8: an ACK body is opaque JSON, if any. The server's `…_SERVER_ACK` carries
 * a Jackson bean dump of its CloudEvent; the Java SDK's client ACK echoes the pushed
 * body as a JSON string literal. Readers may look at it, never depend on it.
 */
export function decodeAckBody(body: Uint8Array | undefined): JsonValue | undefined {
  if (body === undefined || body.length === 0) return undefined;
  return parseJson(body, 'ERR_MESH_WIRE_BAD_BODY', 'ACK body');
}

/**
 * An ACK body for the wire. PROTOCOL §11.8: the server ignores client ACK bodies, so
 * evmesh sends none (`undefined`); a value is written as plain JSON, as Java does
 * for a frame without `protocoltype`.
 */
export function encodeAckBody(value: JsonValue | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  try {
    return toJsonBytes(value);
  } catch (err) {
    throw new MeshError('ERR_MESH_WIRE_BAD_BODY', 'ACK body is not JSON-serialisable', { cause: err });
  }
}
