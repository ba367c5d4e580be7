import { MeshError } from '../errors.js';
import { DEFAULT_MAX_FRAME, FIXED_PREFIX_SIZE, LENGTH_FIELDS_SIZE, PREFIX_LENGTH, WIRE_MAGIC, WIRE_VERSION } from './constants.js';
import { headerJson, type WireHeader } from './header.js';

const MAGIC_AND_VERSION = Buffer.concat([WIRE_MAGIC, WIRE_VERSION]);

/**
 * One PROTOCOL §11.1 frame. A decoded `body` is a view into the bytes it arrived in
 * (no copy), and `undefined` when the frame has no body.
 */
export interface WireFrame {
  readonly header: WireHeader;
  readonly body: Buffer | undefined;
}

/** Refuses a nonsensical limit up front rather than misframing later. */
export function checkMaxFrame(maxFrame: number): number {
  if (!Number.isInteger(maxFrame) || maxFrame < FIXED_PREFIX_SIZE || maxFrame > 0x7fff_ffff) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', `maxFrame must be an integer from ${FIXED_PREFIX_SIZE} to 2^31-1`);
  }
  return maxFrame;
}

/**
 * Encodes one frame into one exactly-sized buffer, the header written in place
 * (no intermediate header buffer).
 */
export function encodeFrame(frame: WireFrame, maxFrame: number = DEFAULT_MAX_FRAME): Buffer {
  const json = headerJson(frame.header);
  const headerLength = Buffer.byteLength(json, 'utf8');
  const body = frame.body;
  const total = frameTotal(frame, headerLength, maxFrame);
  const out = Buffer.allocUnsafe(total);
  writePrefix(out, 0, total, headerLength);
  out.write(json, FIXED_PREFIX_SIZE, headerLength, 'utf8');
  if (body !== undefined) out.set(body, FIXED_PREFIX_SIZE + headerLength);
  return out;
}

/**
 * The total size of `frame` with a header of `headerLength` bytes; throws
 * `ERR_MESH_WIRE_FRAME_TOO_LARGE` past `maxFrame`.
 */
export function frameTotal(frame: WireFrame, headerLength: number, maxFrame: number): number {
  const bodyLength = frame.body === undefined ? 0 : frame.body.length;
  // PROTOCOL §11.1: length counts magic+version+header+body; the total adds the two int fields.
  const total = PREFIX_LENGTH + headerLength + bodyLength + LENGTH_FIELDS_SIZE;
  // PROTOCOL §11.1: judged on the total, as Java's decoder does, so the peer never refuses it.
  if (total > maxFrame) {
    throw new MeshError('ERR_MESH_WIRE_FRAME_TOO_LARGE', `frame of ${total} bytes exceeds the limit of ${maxFrame}`, {
      details: { cmd: frame.header.cmd, size: total, limit: maxFrame },
    });
  }
  return total;
}

/** Writes the 21-byte prefix of a frame of `total` bytes at `at` (PROTOCOL §11.1). */
export function writePrefix(out: Buffer, at: number, total: number, headerLength: number): void {
  out.set(MAGIC_AND_VERSION, at);
  out.writeInt32BE(total - LENGTH_FIELDS_SIZE, at + PREFIX_LENGTH);
  out.writeInt32BE(headerLength, at + PREFIX_LENGTH + 4);
}
