import { type MeshError } from '../../src/errors.js';
import { FrameDecoder, type FrameDecoderOptions, type WireFrame } from '../../src/wire/index.js';

/** What a decoder reported, in order. */
export interface DecodeResult {
  readonly frames: WireFrame[];
  readonly errors: MeshError[];
  /** 'frame' / 'error' in the order the sink saw them. */
  readonly events: ('frame' | 'error')[];
}

/** Feeds `chunks` to one fresh decoder and records what its sink receives. */
export function decodeChunks(chunks: Iterable<Buffer>, options?: FrameDecoderOptions): DecodeResult {
  const result: DecodeResult = { frames: [], errors: [], events: [] };
  const decoder = new FrameDecoder({
    onFrame: (frame) => {
      result.frames.push(frame);
      result.events.push('frame');
    },
    onError: (error) => {
      result.errors.push(error);
      result.events.push('error');
    },
  }, options);
  for (const chunk of chunks) decoder.push(chunk);
  return result;
}

/** `bytes` cut at each offset in `cuts` (ascending), as views. */
export function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/** `bytes` as one-byte chunks. */
export function bytewise(bytes: Buffer): Buffer[] {
  return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
}

/** A frame's header and body as plain data, so frames compare by content. */
export function plain(frame: WireFrame): { header: WireFrame['header']; body: string | undefined } {
  return { header: frame.header, body: frame.body?.toString('hex') };
}

/** A 21-byte prefix with the right magic and version and the given length fields. */
export function prefix(length: number, headerLength: number): Buffer {
  const out = Buffer.alloc(21);
  out.write('EventMesh0000', 0, 'latin1');
  out.writeInt32BE(length | 0, 13);
  out.writeInt32BE(headerLength | 0, 17);
  return out;
}

/** A well-framed frame around arbitrary header bytes (to test header decoding). */
export function rawFrame(header: string | Buffer, body: Buffer = Buffer.alloc(0)): Buffer {
  const headerBytes = typeof header === 'string' ? Buffer.from(header, 'utf8') : header;
  return Buffer.concat([prefix(13 + headerBytes.length + body.length, headerBytes.length), headerBytes, body]);
}

export { mulberry32 } from '../support/prng.js';
