import { describe, expect, it } from 'vitest';
import { FrameDecoder, FrameEncoder, decodeHeader, encodeFrame, type WireFrame, type WireHeader, type WritableLike } from '../../src/wire/index.js';
import { decodeChunks, rawFrame } from './harness.js';

/** Records writes and whether they came corked. */
class Recorder implements WritableLike {
  readonly writes: Buffer[] = [];
  corks = 0;
  write(chunk: Buffer): boolean {
    this.writes.push(Buffer.from(chunk)); // copied: proves later frames never overwrite a view handed over
    return true;
  }
  once(): this {
    return this;
  }
  cork(): void {
    this.corks++;
  }
  uncork(): void {}
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// PROTOCOL §5.2: the header of an event between peers, which carries no seq.
const EVENT_HEADER: WireHeader = {
  cmd: 'ASYNC_MESSAGE_TO_SERVER', code: 0,
  properties: { protocoltype: 'cloudevents', protocolversion: '1.0', protocoldesc: 'tcp', evmeshorigin: 'a', evmeshdest: '{"b":["s1"]}', evmeshhops: '1' },
};
const EVENT_HEADER_JSON =
  '{"cmd":"ASYNC_MESSAGE_TO_SERVER","code":0,"properties":{"protocoltype":"cloudevents","protocolversion":"1.0","protocoldesc":"tcp",' +
  '"evmeshorigin":"a","evmeshdest":"{\\"b\\":[\\"s1\\"]}","evmeshhops":"1"},"command":"ASYNC_MESSAGE_TO_SERVER"}';

describe('an event header without seq (PROTOCOL §5.2)', () => {
  const body = Buffer.from('{"specversion":"1.0","id":"x-1","source":"/s","type":"o.created","time":"2026-01-01T00:00:00.000Z","data":1}');
  const bytes = Buffer.concat([
    Buffer.from('EventMesh0000', 'latin1'),
    Buffer.from([0, 0, 0x01, 0x64, 0, 0, 0, 0xeb]), // length 13 + 235 + 108 = 356, headerLength 235
    Buffer.from(EVENT_HEADER_JSON), body,
  ]);

  it('encodes to these exact bytes, and decodes back to its frame', () => {
    expect(Buffer.byteLength(EVENT_HEADER_JSON)).toBe(235);
    expect(body.length).toBe(108);
    expect(encodeFrame({ header: EVENT_HEADER, body }).toString('hex')).toBe(bytes.toString('hex'));
    const { frames, errors } = decodeChunks([bytes]);
    expect(errors).toEqual([]);
    expect(frames).toEqual([{ header: EVENT_HEADER, body }]);
  });
});

describe('FrameEncoder with repeated headers and many frames', () => {
  it('writes a header object sent again with the same bytes, and a changed one anew', async () => {
    const out = new Recorder();
    const encoder = new FrameEncoder(out);
    const other: WireHeader = { ...EVENT_HEADER, properties: { ...EVENT_HEADER.properties, evmeshhops: '2' } };
    const frames: WireFrame[] = [EVENT_HEADER, EVENT_HEADER, other, EVENT_HEADER].map((header, i) => ({ header, body: Buffer.from(`body ${i}`) }));
    for (const frame of frames) encoder.send(frame);
    await tick();
    expect(Buffer.concat(out.writes)).toEqual(Buffer.concat(frames.map((f) => encodeFrame(f))));
  });

  it('spreads a tick of frames beyond one chunk over corked writes, every byte as encoded', async () => {
    const out = new Recorder();
    const encoder = new FrameEncoder(out);
    // ~200 KB in one tick, including one frame larger than a 64 KiB chunk.
    const frames: WireFrame[] = Array.from({ length: 150 }, (_, i) => ({
      header: { cmd: 'HEARTBEAT_REQUEST', code: 0, seq: String(i), properties: {} },
      body: Buffer.alloc(i === 70 ? 100_000 : 700, i),
    }));
    for (const frame of frames) encoder.send(frame);
    await tick();
    expect(out.writes.length).toBeGreaterThan(1);
    expect(out.corks).toBe(1);
    expect(Buffer.concat(out.writes).equals(Buffer.concat(frames.map((f) => encodeFrame(f))))).toBe(true);
    expect(encoder.stats).toMatchObject({ frames: 150, writes: out.writes.length, queuedBytes: 0 });
    // Later ticks go on in the same chunk after what was handed over.
    encoder.send(frames[0] as WireFrame);
    await tick();
    expect(out.writes.at(-1)).toEqual(encodeFrame(frames[0] as WireFrame));
  });
});

describe('FrameDecoder with repeated headers', () => {
  it('decodes a run of byte-identical seq-less headers, then a different one, each to its own content', () => {
    const a = rawFrame(EVENT_HEADER_JSON, Buffer.from('1'));
    const changed = EVENT_HEADER_JSON.replace('"evmeshhops":"1"', '"evmeshhops":"3"');
    const b = rawFrame(changed, Buffer.from('2'));
    const { frames, errors } = decodeChunks([Buffer.concat([a, a, b, a])]);
    expect(errors).toEqual([]);
    expect(frames.map((f) => [f.header.properties['evmeshhops'], f.body?.toString()])).toEqual([['1', '1'], ['1', '1'], ['3', '2'], ['1', '1']]);
    expect(frames[1]?.header).toEqual(decodeHeader(Buffer.from(EVENT_HEADER_JSON)));
  });

  it('still refuses a bad header that follows a good one of the same length', () => {
    const bad = `${EVENT_HEADER_JSON.slice(0, -1)} `; // same length, the closing brace gone
    const got: string[] = [];
    const decoder = new FrameDecoder({ onFrame: () => void got.push('frame'), onError: (e) => void got.push(e.code) });
    decoder.push(rawFrame(EVENT_HEADER_JSON));
    decoder.push(rawFrame(bad));
    expect(got).toEqual(['frame', 'ERR_MESH_WIRE_BAD_HEADER']);
  });
});
