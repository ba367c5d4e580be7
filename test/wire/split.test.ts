import { describe, expect, it } from 'vitest';
import { bytewise, decodeChunks, plain, splitAt } from './harness.js';
import { VECTORS } from './vectors.js';

const CASES = [
  ...VECTORS.map((v) => ({ name: `${v.section} ${v.name}`, bytes: v.bytes, frames: [v.frame] })),
  {
    name: 'three frames back to back (HELLO, heartbeat, CloudEvent publish)',
    bytes: Buffer.concat([VECTORS[0]!.bytes, VECTORS[1]!.bytes, VECTORS[3]!.bytes]),
    frames: [VECTORS[0]!.frame, VECTORS[1]!.frame, VECTORS[3]!.frame],
  },
];

describe('FrameDecoder across chunk boundaries', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('decodes %s the same at every split offset', (_name, { bytes, frames }) => {
    const expected = frames.map(plain);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { frames: got, errors } = decodeChunks(splitAt(bytes, [cut]));
      expect(errors, `cut at ${cut}`).toEqual([]);
      expect(got.map(plain), `cut at ${cut}`).toEqual(expected);
    }
  });

  it.each(CASES.map((c) => [c.name, c] as const))('decodes %s fed one byte at a time', (_name, { bytes, frames }) => {
    const { frames: got, errors } = decodeChunks(bytewise(bytes));
    expect(errors).toEqual([]);
    expect(got.map(plain)).toEqual(frames.map(plain));
  });

  it('decodes the heartbeat vector the same for every pair of cut points', () => {
    const vector = VECTORS[1]!;
    const expected = [plain(vector.frame)];
    for (let a = 0; a <= vector.bytes.length; a++) {
      for (let b = a; b <= vector.bytes.length; b++) {
        const { frames, errors } = decodeChunks(splitAt(vector.bytes, [a, b]));
        expect(errors).toEqual([]);
        expect(frames.map(plain)).toEqual(expected);
      }
    }
  });

  it('copies a straddling frame once, so its body survives the chunks being reused', () => {
    const vector = VECTORS[0]!;
    const chunks = splitAt(Buffer.from(vector.bytes), [100, 200]);
    const { frames } = decodeChunks(chunks);
    for (const chunk of chunks) chunk.fill(0);
    expect(frames.map(plain)).toEqual([plain(vector.frame)]);
  });
});
