import { describe, expect, it } from 'vitest';
import { MeshError } from '../../src/errors.js';
import {
  decodeAckBody, decodeMessage, decodeRedirectInfo, decodeSubscription, decodeUserAgent, isWireCommand, type WireFrame,
} from '../../src/wire/index.js';
import { decodeEventBatch } from '../../src/wire/bodies/event-batch.js';
import { decodeChunks, mulberry32, prefix, type DecodeResult } from './harness.js';
import { VECTORS } from './vectors.js';

const SEED = 0x5eed_2026;
const CASES = 2_500;
const MAX_FRAME = 64 * 1024;

type Random = () => number;
const int = (random: Random, below: number): number => Math.floor(random() * below);

function randomBytes(random: Random, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = int(random, 256);
  return out;
}

/** Cuts `bytes` into 1–6 chunks at random offsets (sometimes one byte at a time). */
function randomChunks(random: Random, bytes: Buffer): Buffer[] {
  if (random() < 0.05) return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  const cuts = Array.from({ length: int(random, 6) }, () => int(random, bytes.length + 1)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  return chunks;
}

/** A valid frame with 1–4 random flips, inserts or deletes, a third of them in the prefix or header. */
function mutate(random: Random, valid: Buffer): Buffer {
  let bytes = Buffer.from(valid);
  for (let n = 1 + int(random, 4); n > 0; n--) {
    const at = random() < 0.35 ? int(random, Math.min(bytes.length, 140)) : int(random, bytes.length);
    const kind = int(random, 3);
    if (kind === 0) bytes[at] = int(random, 256);
    else if (kind === 1) bytes = Buffer.concat([bytes.subarray(0, at), randomBytes(random, 1 + int(random, 4)), bytes.subarray(at)]);
    else bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + int(random, 4))]);
  }
  return bytes;
}

/** Magic and version right, length fields and everything after random. */
function randomAfterPrefix(random: Random): Buffer {
  const headerLength = int(random, 3) === 0 ? int(random, 2 ** 31) - 2 ** 30 : int(random, 80);
  const length = int(random, 3) === 0 ? int(random, 2 ** 32) - 2 ** 31 : 13 + headerLength + int(random, 40) - 5;
  return Buffer.concat([prefix(length, headerLength), randomBytes(random, int(random, 200))]);
}

/** The only allowed outcomes: frames, then at most one wire-coded MeshError. */
function expectWellBehaved(result: DecodeResult): void {
  expect(result.errors.length).toBeLessThanOrEqual(1);
  if (result.errors.length === 1) {
    expect(isWireError(result.errors[0])).toBe(true);
    expect(result.events.at(-1)).toBe('error');
  }
  for (const frame of result.frames) {
    expect(isWireCommand(frame.header.cmd)).toBe(true);
    expect(frame.body === undefined || frame.body.length > 0).toBe(true);
  }
}

/** What `fn` threw, or undefined when it returned. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

const isWireError = (err: unknown): boolean => err instanceof MeshError && err.code.startsWith('ERR_MESH_WIRE_');

/** Body decoders either return or throw a wire-coded MeshError, never anything else. */
function expectBodyDecodersWellBehaved(frame: WireFrame): void {
  const decoders = [
    () => decodeUserAgent(frame.body), () => decodeSubscription(frame.body), () => decodeRedirectInfo(frame.body),
    () => decodeMessage(frame.header.properties, frame.body), () => decodeAckBody(frame.body),
    () => decodeEventBatch(frame.body),
  ];
  for (const decode of decoders) {
    const err = thrownBy(decode);
    expect(err === undefined || isWireError(err)).toBe(true);
  }
}

describe(`seeded fuzz (mulberry32, seed ${SEED.toString(16)})`, () => {
  it(`survives ${CASES} inputs of random bytes`, () => {
    const random = mulberry32(SEED);
    for (let i = 0; i < CASES; i++) {
      const bytes = random() < 0.5 ? randomBytes(random, int(random, 300)) : randomAfterPrefix(random);
      expectWellBehaved(decodeChunks(randomChunks(random, bytes), { maxFrame: MAX_FRAME }));
    }
  });

  it(`survives ${CASES} mutated valid frames, and so do the body decoders`, () => {
    const random = mulberry32(SEED + 1);
    let decoded = 0;
    let failed = 0;
    for (let i = 0; i < CASES; i++) {
      const count = 1 + int(random, 3);
      const valid = Buffer.concat(Array.from({ length: count }, () => VECTORS[int(random, VECTORS.length)]!.bytes));
      const result = decodeChunks(randomChunks(random, mutate(random, valid)), { maxFrame: MAX_FRAME });
      expectWellBehaved(result);
      for (const frame of result.frames) expectBodyDecodersWellBehaved(frame);
      decoded += result.frames.length;
      failed += result.errors.length;
    }
    // The mutations must exercise both outcomes, or the fuzz proves little.
    expect(decoded).toBeGreaterThan(CASES / 5);
    expect(failed).toBeGreaterThan(CASES / 2);
  });

  it('decodes every unmutated stream of valid frames however it is chunked', () => {
    const random = mulberry32(SEED + 2);
    for (let i = 0; i < 500; i++) {
      const picks = Array.from({ length: 1 + int(random, 5) }, () => VECTORS[int(random, VECTORS.length)]!);
      const result = decodeChunks(randomChunks(random, Buffer.concat(picks.map((v) => v.bytes))));
      expect(result.errors).toEqual([]);
      expect(result.frames.map((f) => f.header)).toEqual(picks.map((v) => v.frame.header));
    }
  });
});
