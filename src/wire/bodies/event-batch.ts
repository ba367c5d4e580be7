import { MeshError } from '../../errors.js';

/**
 * PROTOCOL §5.6: header property of a batch frame (value: the batch format, `1`), and of a
 * peer HELLO / HELLO_RESPONSE (value: the most events per batch frame that node accepts).
 */
export const BATCH_PROPERTY = 'evmeshbatch';
export const BATCH_FORMAT = '1';
/** PROTOCOL §5.6: the most events a batch frame carries, and what evmesh announces it accepts. */
export const BATCH_MAX_EVENTS = 1024;
/** PROTOCOL §5.6: a batch takes no more events once it holds this many bytes (a lone larger event has one of its own). */
export const BATCH_CLOSE_BYTES = 64 * 1024;
/** Bytes before the first entry (the count) and before each entry's JSON (its length). */
export const BATCH_COUNT_SIZE = 4;
export const BATCH_ENTRY_PREFIX = 4;

const BAD_BODY = 'ERR_MESH_WIRE_BAD_BODY';

/**
 * PROTOCOL §5.6: the body of a batch frame, the count then each event as its length and its
 * JSON. Used where bodies are at hand (tests, in-memory links); the encoder writes the same
 * layout in place (`FrameEncoder.sendBatched`).
 */
export function encodeEventBatch(events: readonly (Buffer | string)[]): Buffer {
  const bodies = events.map((e) => (typeof e === 'string' ? Buffer.from(e, 'utf8') : e));
  let size = BATCH_COUNT_SIZE;
  for (const body of bodies) size += BATCH_ENTRY_PREFIX + body.length;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32BE(bodies.length, 0);
  let at = BATCH_COUNT_SIZE;
  for (const body of bodies) {
    out.writeUInt32BE(body.length, at);
    out.set(body, at + BATCH_ENTRY_PREFIX);
    at += BATCH_ENTRY_PREFIX + body.length;
  }
  return out;
}

/**
 * PROTOCOL §5.6: the events of a batch body as views into it (no copy). The whole layout is
 * checked before anything is returned, so a malformed batch yields no event at all:
 * `ERR_MESH_WIRE_BAD_BODY`, with `details.reason`.
 */
export function decodeEventBatch(body: Buffer | undefined, maxEvents: number = BATCH_MAX_EVENTS): Buffer[] {
  if (body === undefined || body.length < BATCH_COUNT_SIZE) throw malformed('no event count', body?.length ?? 0);
  const count = body.readUInt32BE(0);
  if (count === 0 || count > maxEvents) throw malformed(`count ${count} outside 1..${maxEvents}`, body.length);
  const out = new Array<Buffer>(count);
  let at = BATCH_COUNT_SIZE;
  for (let i = 0; i < count; i++) {
    if (body.length - at < BATCH_ENTRY_PREFIX) throw malformed(`event ${i} has no length`, body.length);
    const length = body.readUInt32BE(at);
    at += BATCH_ENTRY_PREFIX;
    if (length === 0 || length > body.length - at) throw malformed(`event ${i} of ${length} bytes does not fit`, body.length);
    out[i] = body.subarray(at, at + length);
    at += length;
  }
  if (at !== body.length) throw malformed(`${body.length - at} bytes after the last event`, body.length);
  return out;
}

function malformed(reason: string, size: number): MeshError {
  return new MeshError(BAD_BODY, `malformed event batch: ${reason}`, { details: { reason, size } });
}
