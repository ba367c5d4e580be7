import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME, FrameDecoder, encodeFrame, type WireFrame } from '../../src/wire/index.js';
import { expectThrowCode } from '../support/expect-code.js';
import { decodeChunks, plain, prefix, rawFrame, splitAt } from './harness.js';
import { VECTORS } from './vectors.js';

const HEARTBEAT = VECTORS[1]!;
const SUBSCRIBE = VECTORS[2]!;

/** A copy in its own ArrayBuffer (not Node's shared pool), so `.buffer` identifies it. */
function own(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(out);
  return out;
}

function codes(chunks: Buffer[], maxFrame?: number): string[] {
  return decodeChunks(chunks, maxFrame === undefined ? undefined : { maxFrame }).errors.map((e) => e.code);
}

describe('FrameDecoder: many frames in one chunk', () => {
  it('decodes every frame of a chunk holding 120 frames, in order', () => {
    const frames = Array.from({ length: 120 }, (_, i) => VECTORS[i % VECTORS.length]!);
    const { frames: got, errors } = decodeChunks([Buffer.concat(frames.map((v) => v.bytes))]);
    expect(errors).toEqual([]);
    expect(got.map(plain)).toEqual(frames.map((v) => plain(v.frame)));
  });

  it('hands out bodies as views of the chunk they arrived in (no copy)', () => {
    const chunk = own(Buffer.concat([SUBSCRIBE.bytes, VECTORS[3]!.bytes]));
    const { frames } = decodeChunks([chunk]);
    expect(frames).toHaveLength(2);
    for (const frame of frames) expect(frame.body?.buffer).toBe(chunk.buffer);
    expect(frames[0]!.body!.byteOffset).toBe(21 + 101);
    expect(frames[1]!.body!.byteOffset).toBe(SUBSCRIBE.bytes.length + 21 + 186);
  });

  it.each([[10], [21]])('decodes a frame cut at %i, whose rest arrives whole, from a view of that chunk', (cut) => {
    const tail = own(SUBSCRIBE.bytes.subarray(cut));
    const { frames } = decodeChunks([SUBSCRIBE.bytes.subarray(0, cut), tail]);
    expect(frames.map(plain)).toEqual([plain(SUBSCRIBE.frame)]);
    expect(frames[0]!.body!.buffer).toBe(tail.buffer);
    expect(frames[0]!.body!.byteOffset).toBe(21 - cut + 101);
  });

  it('keeps decoding after a frame ends exactly at a chunk boundary', () => {
    const { frames } = decodeChunks([HEARTBEAT.bytes, SUBSCRIBE.bytes, HEARTBEAT.bytes]);
    expect(frames.map((f) => f.header.cmd)).toEqual(['HEARTBEAT_REQUEST', 'SUBSCRIBE_REQUEST', 'HEARTBEAT_REQUEST']);
  });

  it('ignores empty chunks', () => {
    const { frames } = decodeChunks([Buffer.alloc(0), HEARTBEAT.bytes, Buffer.alloc(0)]);
    expect(frames).toHaveLength(1);
  });

  it('counts the frames it decoded', () => {
    const decoder = new FrameDecoder({ onFrame: () => undefined, onError: () => undefined });
    decoder.push(Buffer.concat([HEARTBEAT.bytes, HEARTBEAT.bytes]));
    expect(decoder.frames).toBe(2);
    expect(decoder.failed).toBe(false);
  });
});

describe('FrameDecoder: bad input closes the connection with a wire code', () => {
  it('refuses bad magic as soon as the first wrong byte arrives', () => {
    expect(codes([Buffer.from('GET / HTTP/1.1\r\n')])).toEqual(['ERR_MESH_WIRE_BAD_MAGIC']);
    expect(codes([Buffer.from('Ev'), Buffer.from('X')])).toEqual(['ERR_MESH_WIRE_BAD_MAGIC']);
  });

  it('refuses a bad version byte-for-byte (PROTOCOL §11.1)', () => {
    expect(codes([Buffer.from('EventMesh0001')])).toEqual(['ERR_MESH_WIRE_BAD_VERSION']);
    expect(codes([Buffer.concat([Buffer.from('EventMesh 000'), HEARTBEAT.bytes.subarray(13)])])).toEqual(['ERR_MESH_WIRE_BAD_VERSION']);
  });

  it('refuses a frame over 4 MiB in total from its 21-byte prefix alone', () => {
    // length + 8 = 4 MiB + 1: one byte over; nothing of the body has arrived yet.
    expect(codes([prefix(DEFAULT_MAX_FRAME - 7, 10)])).toEqual(['ERR_MESH_WIRE_FRAME_TOO_LARGE']);
    expect(codes([prefix(0x7fff_ffff, 10)])).toEqual(['ERR_MESH_WIRE_FRAME_TOO_LARGE']);
  });

  it('accepts a declared frame of exactly the limit (it waits for the bytes)', () => {
    expect(codes([prefix(DEFAULT_MAX_FRAME - 8, 10)])).toEqual([]);
  });

  it('applies a configured limit to the total frame size', () => {
    expect(codes([HEARTBEAT.bytes], HEARTBEAT.bytes.length)).toEqual([]);
    expect(codes([HEARTBEAT.bytes.subarray(0, 21)], HEARTBEAT.bytes.length - 1)).toEqual(['ERR_MESH_WIRE_FRAME_TOO_LARGE']);
  });

  it('refuses a negative length', () => {
    expect(codes([prefix(-1, 10)])).toEqual(['ERR_MESH_WIRE_BAD_LENGTH']);
    expect(codes([prefix(-2_147_483_648, 0)])).toEqual(['ERR_MESH_WIRE_BAD_LENGTH']);
  });

  it('refuses a length below 13 (it must count magic and version)', () => {
    expect(codes([prefix(12, 0)])).toEqual(['ERR_MESH_WIRE_BAD_LENGTH']);
  });

  it('refuses a length smaller than 13 + headerLength', () => {
    expect(codes([prefix(13 + 100 - 1, 100)])).toEqual(['ERR_MESH_WIRE_BAD_LENGTH']);
  });

  it('refuses a negative headerLength', () => {
    expect(codes([prefix(50, -1)])).toEqual(['ERR_MESH_WIRE_BAD_LENGTH']);
  });

  it('refuses legacy ≤1.8 framing (length = 8 + H) of a frame without body', () => {
    const legacy = Buffer.from(HEARTBEAT.bytes);
    legacy.writeInt32BE(8 + 101, 13);
    expect(codes([legacy])).toEqual(['ERR_MESH_WIRE_BAD_LENGTH']);
  });

  it('closes on legacy framing of a frame with a body, at its 5 leftover bytes', () => {
    // 8+H+B ≥ 13+H when B ≥ 5, so the prefix looks valid; the 5 body bytes the
    // legacy length leaves over then stand where the next magic must be.
    const legacy = Buffer.from(SUBSCRIBE.bytes);
    legacy.writeInt32BE(8 + 101 + 83, 13);
    expect(codes([legacy])).toEqual(['ERR_MESH_WIRE_BAD_MAGIC']);
  });

  it('refuses headerLength 0 (a frame with no header)', () => {
    expect(codes([prefix(13, 0)])).toEqual(['ERR_MESH_WIRE_BAD_HEADER']);
  });

  it.each([
    ['invalid JSON', '{"cmd":"HEARTBEAT_REQUEST",'],
    ['a JSON array', '["HEARTBEAT_REQUEST"]'],
    ['a JSON string', '"HEARTBEAT_REQUEST"'],
    ['no cmd', '{"code":0,"properties":{}}'],
    ['a null cmd', '{"cmd":null,"code":0}'],
    ['a boolean cmd', '{"cmd":true,"code":0}'],
    ['properties that are an array', '{"cmd":"HEARTBEAT_REQUEST","code":0,"properties":[]}'],
    ['properties that are a string', '{"cmd":"HEARTBEAT_REQUEST","code":0,"properties":"x"}'],
    ['a non-integer code', '{"cmd":"HEARTBEAT_REQUEST","code":0.5}'],
    ['a numeric seq', '{"cmd":"HEARTBEAT_REQUEST","code":0,"seq":1}'],
  ])('refuses a header that is %s', (_name, header) => {
    expect(codes([rawFrame(header)])).toEqual(['ERR_MESH_WIRE_BAD_HEADER']);
  });

  it.each([
    ['an unknown name', '{"cmd":"NOT_A_COMMAND","code":0}'],
    ['a lowercase name', '{"cmd":"heartbeat_request","code":0}'],
    ['an inherited property name', '{"cmd":"toString","code":0}'],
    ['__proto__', '{"cmd":"__proto__","code":0}'],
    ['an ordinal past the table', '{"cmd":37,"code":0}'],
    ['a negative ordinal', '{"cmd":-1,"code":0}'],
    ['a fractional ordinal', '{"cmd":1.5,"code":0}'],
  ])('refuses a cmd that is %s as an unknown command', (_name, header) => {
    expect(codes([rawFrame(header)])).toEqual(['ERR_MESH_WIRE_UNKNOWN_COMMAND']);
  });

  it('reports only the first error and ignores all later input', () => {
    const result = decodeChunks([HEARTBEAT.bytes, Buffer.from('garbage'), HEARTBEAT.bytes, Buffer.from('more garbage')]);
    expect(result.events).toEqual(['frame', 'error']);
    expect(result.errors[0]!.code).toBe('ERR_MESH_WIRE_BAD_MAGIC');
  });

  it('delivers the good frames before the bad one in the same chunk', () => {
    const result = decodeChunks([Buffer.concat([HEARTBEAT.bytes, SUBSCRIBE.bytes, rawFrame('{"cmd":"NOPE"}'), HEARTBEAT.bytes])]);
    expect(result.events).toEqual(['frame', 'frame', 'error']);
    expect(result.errors[0]!.code).toBe('ERR_MESH_WIRE_UNKNOWN_COMMAND');
  });

  it('stops, and lets the error through, when its sink throws', () => {
    const seen: WireFrame[] = [];
    const decoder = new FrameDecoder({
      onFrame: (frame) => {
        seen.push(frame);
        throw new Error('sink failed');
      },
      onError: () => undefined,
    });
    expect(() => decoder.push(Buffer.concat([HEARTBEAT.bytes, HEARTBEAT.bytes]))).toThrow('sink failed');
    decoder.push(HEARTBEAT.bytes);
    expect(seen).toHaveLength(1);
    expect(decoder.failed).toBe(true);
  });

  it.each([[20], [1.5], [Number.NaN], [2 ** 31]])('refuses a maxFrame option of %s', (maxFrame) => {
    expectThrowCode(() => new FrameDecoder({ onFrame: () => undefined, onError: () => undefined }, { maxFrame }), 'ERR_MESH_INVALID_OPTIONS');
  });

  it('decodes a frame it encoded at the limit, split anywhere in three', () => {
    const body = Buffer.alloc(5000, 0x61);
    const bytes = encodeFrame({ header: { cmd: 'ASYNC_MESSAGE_TO_SERVER', code: 0, seq: '1', properties: {} }, body });
    const { frames } = decodeChunks(splitAt(bytes, [7, 3000]), { maxFrame: bytes.length });
    expect(frames[0]!.body).toEqual(body);
  });
});
