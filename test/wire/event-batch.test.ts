import { describe, expect, it } from 'vitest';
import { BATCH_MAX_EVENTS, decodeEventBatch, encodeEventBatch } from '../../src/wire/bodies/event-batch.js';
import { FrameEncoder, encodeFrame, type WireFrame, type WireHeader, type WritableLike } from '../../src/wire/index.js';
import { OutboundBudget } from '../../src/wire/outbound-budget.js';
import { expectThrowCode } from '../support/expect-code.js';
import { decodeChunks, splitAt } from './harness.js';

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** PROTOCOL §5.6 byte tables: a body, and the events it carries. */
const TABLE: { name: string; events: string[]; bytes: Buffer }[] = [
  { name: 'one event', events: ['{"id":"1"}'], bytes: Buffer.concat([u32(1), u32(10), Buffer.from('{"id":"1"}')]) },
  {
    name: 'two events, one with multi-byte UTF-8',
    events: ['{"a":1}', '{"é":"€"}'],
    bytes: Buffer.concat([u32(2), u32(7), Buffer.from('{"a":1}'), u32(12), Buffer.from('{"é":"€"}')]),
  },
];

/** Malformed bodies: each must be refused whole, with ERR_MESH_WIRE_BAD_BODY. */
const MALFORMED: { name: string; body: Buffer | undefined }[] = [
  { name: 'no body', body: undefined },
  { name: 'shorter than the count', body: Buffer.from([0, 0, 1]) },
  { name: 'count 0', body: u32(0) },
  { name: 'count past the limit', body: Buffer.concat([u32(BATCH_MAX_EVENTS + 1), u32(2), Buffer.from('{}')]) },
  { name: 'an entry of length 0', body: Buffer.concat([u32(1), u32(0)]) },
  { name: 'fewer entries than counted', body: Buffer.concat([u32(2), u32(2), Buffer.from('{}')]) },
  { name: 'an entry running past the body', body: Buffer.concat([u32(1), u32(9), Buffer.from('{}')]) },
  { name: 'a length cut short', body: Buffer.concat([u32(2), u32(2), Buffer.from('{}'), Buffer.from([0, 0])]) },
  { name: 'bytes after the last entry', body: Buffer.concat([u32(1), u32(2), Buffer.from('{}'), Buffer.from('x')]) },
];

describe('event batch body (PROTOCOL §5.6)', () => {
  for (const row of TABLE) {
    it(`encodes and decodes ${row.name} byte for byte`, () => {
      expect(encodeEventBatch(row.events)).toEqual(row.bytes);
      expect(decodeEventBatch(row.bytes).map((b) => b.toString('utf8'))).toEqual(row.events);
    });
  }

  it('decodes the events as views into the body, not copies', () => {
    const body = encodeEventBatch(['{"x":1}', '{"y":2}']);
    const [first] = decodeEventBatch(body);
    body[8] = 0x20;
    expect(first?.toString('utf8')).toBe(' "x":1}');
  });

  for (const row of MALFORMED) {
    it(`refuses a batch with ${row.name}, returning no event`, () => {
      expectThrowCode(() => decodeEventBatch(row.body), 'ERR_MESH_WIRE_BAD_BODY');
    });
  }

  it('takes a lower limit from the receiver', () => {
    expectThrowCode(() => decodeEventBatch(encodeEventBatch(['{}', '{}', '{}']), 2), 'ERR_MESH_WIRE_BAD_BODY');
  });
});

class Sink implements WritableLike {
  readonly writes: Buffer[] = [];
  write(chunk: Buffer): boolean {
    this.writes.push(Buffer.from(chunk));
    return true;
  }
  once(): this {
    return this;
  }
}

const batchHeader: WireHeader = { cmd: 'ASYNC_MESSAGE_TO_SERVER', code: 0, properties: { evmeshbatch: '1' } };
const otherHeader: WireHeader = { cmd: 'ASYNC_MESSAGE_TO_SERVER', code: 0, properties: { evmeshbatch: '1', evmeshhops: '2' } };
const heartbeat: WireFrame = { header: { cmd: 'HEARTBEAT_REQUEST', code: 0, seq: '7', properties: {} }, body: undefined };
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const ev = (i: number): string => JSON.stringify({ id: String(i), text: 'é'.repeat(i % 5) });

/** Decodes what the sink got into frames, and each batch frame into its events. */
function received(sink: Sink): { frames: WireFrame[]; events: string[][] } {
  const { frames, errors } = decodeChunks(sink.writes);
  expect(errors).toEqual([]);
  return {
    frames,
    events: frames.map((f) => (f.header.properties['evmeshbatch'] === undefined ? [] : decodeEventBatch(f.body).map((b) => b.toString('utf8')))),
  };
}

describe('FrameEncoder.sendBatched (PROTOCOL §5.6)', () => {
  it('puts the events of one tick with one header into one batch frame, strings and buffers alike', async () => {
    const sink = new Sink();
    const encoder = new FrameEncoder(sink);
    for (let i = 0; i < 10; i++) encoder.sendBatched(batchHeader, i % 2 === 0 ? ev(i) : Buffer.from(ev(i)), 1024);
    await tick();
    const { frames, events } = received(sink);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.header).toEqual(batchHeader);
    expect(events[0]).toEqual(Array.from({ length: 10 }, (_, i) => ev(i)));
    expect(encoder.stats).toMatchObject({ frames: 1, batches: 1, batched: 10, writes: 1, queuedBytes: 0 });
  });

  it('writes the same bytes as a frame built with encodeEventBatch', async () => {
    const sink = new Sink();
    const encoder = new FrameEncoder(sink);
    encoder.sendBatched(batchHeader, ev(1), 1024);
    encoder.sendBatched(batchHeader, ev(2), 1024);
    await tick();
    const expected = new Sink();
    const plain = new FrameEncoder(expected);
    plain.send({ header: batchHeader, body: encodeEventBatch([ev(1), ev(2)]) });
    await tick();
    expect(Buffer.concat(sink.writes)).toEqual(Buffer.concat(expected.writes));
  });

  it('keeps the order of everything sent: another frame or header closes the open batch', async () => {
    const sink = new Sink();
    const encoder = new FrameEncoder(sink);
    encoder.sendBatched(batchHeader, ev(1), 1024);
    encoder.sendBatched(batchHeader, ev(2), 1024);
    encoder.send(heartbeat);
    encoder.sendBatched(batchHeader, ev(3), 1024);
    encoder.sendBatched(otherHeader, ev(4), 1024);
    encoder.sendBatched(batchHeader, ev(5), 1024);
    await tick();
    const { frames, events } = received(sink);
    expect(frames.map((f) => f.header.cmd)).toEqual(['ASYNC_MESSAGE_TO_SERVER', 'HEARTBEAT_REQUEST', 'ASYNC_MESSAGE_TO_SERVER', 'ASYNC_MESSAGE_TO_SERVER', 'ASYNC_MESSAGE_TO_SERVER']);
    expect(events).toEqual([[ev(1), ev(2)], [], [ev(3)], [ev(4)], [ev(5)]]);
  });

  it('never changes bytes handed over: a batch flushed in one tick takes no events in the next', async () => {
    const sink = new Sink();
    const encoder = new FrameEncoder(sink);
    encoder.sendBatched(batchHeader, ev(1), 1024);
    await tick();
    const first = Buffer.from(sink.writes[0] as Buffer);
    encoder.sendBatched(batchHeader, ev(2), 1024);
    await tick();
    expect(sink.writes[0]).toEqual(first);
    expect(received(sink).events).toEqual([[ev(1)], [ev(2)]]);
  });

  it('closes a batch at the peer\'s event limit and at 64 KiB, and gives a large event a batch of its own', async () => {
    const sink = new Sink();
    const encoder = new FrameEncoder(sink);
    for (let i = 0; i < 7; i++) encoder.sendBatched(batchHeader, ev(i), 3);
    const big = JSON.stringify({ id: 'big', data: 'x'.repeat(100_000) });
    encoder.sendBatched(batchHeader, big, 1024);
    const kb = JSON.stringify({ data: 'y'.repeat(1000) });
    for (let i = 0; i < 100; i++) encoder.sendBatched(batchHeader, kb, 1024);
    await tick();
    const { frames, events } = received(sink);
    expect(events.slice(0, 4).map((e) => e.length)).toEqual([3, 3, 1, 1]);
    expect(events[3]).toEqual([big]);
    expect(events.slice(4).flat()).toHaveLength(100);
    for (const f of frames.slice(4)) expect(f.body?.length).toBeLessThanOrEqual(64 * 1024 + 1100);
    expect(frames.length).toBeGreaterThan(5);
  });

  it('stays within maxFrame and refuses, nothing queued, what cannot fit or exceeds the queue bound', async () => {
    const sink = new Sink();
    const encoder = new FrameEncoder(sink, { maxFrame: 300, maxQueuedBytes: 1000 });
    for (let i = 0; i < 4; i++) encoder.sendBatched(batchHeader, 'z'.repeat(100), 1024);
    expectThrowCode(() => encoder.sendBatched(batchHeader, 'z'.repeat(400), 1024), 'ERR_MESH_WIRE_FRAME_TOO_LARGE');
    expectThrowCode(() => encoder.sendBatched(batchHeader, 'z'.repeat(100), 1024), 'ERR_MESH_WIRE_BACKPRESSURE');
    const queued = encoder.queuedBytes;
    await tick();
    const { frames, events } = received(sink);
    for (const f of frames) expect(encodeFrame(f).length).toBeLessThanOrEqual(300);
    expect(events.flat()).toEqual(Array.from({ length: 4 }, () => 'z'.repeat(100)));
    expect(Buffer.concat(sink.writes).length).toBe(queued);
  });

  it('decodes the same whatever the chunk boundaries', async () => {
    const sink = new Sink();
    const encoder = new FrameEncoder(sink);
    for (let i = 0; i < 5; i++) encoder.sendBatched(batchHeader, ev(i), 1024);
    await tick();
    const bytes = Buffer.concat(sink.writes);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const { frames } = decodeChunks(splitAt(bytes, [cut]));
      expect(decodeEventBatch(frames[0]?.body).map((b) => b.toString('utf8'))).toEqual(Array.from({ length: 5 }, (_, i) => ev(i)));
    }
  });

  it('redoes an event whose charge shed another connection that sent a frame here meanwhile', async () => {
    const sink = new Sink();
    const budget = new OutboundBudget(4096);
    const slow = new FrameEncoder({ write: () => false, once: () => undefined }, {
      budget,
      // As a link's close does: what it carried is withdrawn on the other links, this one too.
      onShed: () => {
        slow.close();
        encoder.send(heartbeat);
      },
    });
    const encoder: FrameEncoder = new FrameEncoder(sink, { budget });
    encoder.sendBatched(batchHeader, ev(1), 1024);
    // The slow connection takes all but 10 bytes of the budget: the next event cannot fit without shedding it.
    const overhead = encodeFrame({ header: heartbeat.header, body: undefined }).length;
    slow.send({ header: heartbeat.header, body: Buffer.alloc(4096 - budget.usedBytes - overhead - 10) });
    encoder.sendBatched(batchHeader, ev(2), 1024);
    await tick();
    const { frames, events } = received(sink);
    expect(frames.map((f) => f.header.cmd)).toEqual(['ASYNC_MESSAGE_TO_SERVER', 'HEARTBEAT_REQUEST', 'ASYNC_MESSAGE_TO_SERVER']);
    expect(events).toEqual([[ev(1)], [], [ev(2)]]);
    expect(budget.usedBytes).toBe(0);
  });
});
