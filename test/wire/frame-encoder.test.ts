import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  FrameDecoder, FrameEncoder, encodeFrame, type WireFrame, type WritableLike,
} from '../../src/wire/index.js';
import { expectThrowCode, until } from '../support/expect-code.js';
import { decodeChunks, plain } from './harness.js';
import { VECTORS } from './vectors.js';

/** A writable whose `write` result the test controls and whose 'drain' it fires. */
class FakeSocket implements WritableLike {
  readonly writes: Buffer[] = [];
  accepting = true;
  private drainListeners: (() => void)[] = [];

  write(chunk: Buffer): boolean {
    this.writes.push(chunk);
    return this.accepting;
  }

  once(_event: 'drain', listener: () => void): this {
    this.drainListeners.push(listener);
    return this;
  }

  get waitingForDrain(): number {
    return this.drainListeners.length;
  }

  drain(): void {
    this.accepting = true;
    const listeners = this.drainListeners;
    this.drainListeners = [];
    for (const listener of listeners) listener();
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const heartbeat = (seq: string): WireFrame => ({ header: { cmd: 'HEARTBEAT_REQUEST', code: 0, seq, properties: {} }, body: undefined });

describe('FrameEncoder', () => {
  it('accepts a net.Socket as its writable', () => {
    expectTypeOf<Socket>().toExtend<WritableLike>();
  });

  it('coalesces frames sent in the same tick into one write', async () => {
    const socket = new FakeSocket();
    const encoder = new FrameEncoder(socket);
    const frames = VECTORS.slice(0, 4).map((v) => v.frame);
    for (const frame of frames) encoder.send(frame);
    expect(socket.writes).toHaveLength(0);
    expect(encoder.queuedBytes).toBe(VECTORS.slice(0, 4).reduce((n, v) => n + v.bytes.length, 0));
    await tick();
    expect(socket.writes).toHaveLength(1);
    expect(socket.writes[0]).toEqual(Buffer.concat(VECTORS.slice(0, 4).map((v) => v.bytes)));
    expect(encoder.queuedBytes).toBe(0);
    expect(encoder.stats).toMatchObject({ frames: 4, writes: 1, drainWaits: 0, queuedBytes: 0 });
  });

  it('writes a lone frame as encoded, and frames of separate ticks separately', async () => {
    const socket = new FakeSocket();
    const encoder = new FrameEncoder(socket);
    encoder.send(heartbeat('1'));
    await tick();
    encoder.send(heartbeat('2'));
    await tick();
    expect(socket.writes).toEqual([encodeFrame(heartbeat('1')), encodeFrame(heartbeat('2'))]);
  });

  it('trim: a quiet connection lets go of its 64 KiB chunk and writes on from a small one; a busy one keeps it', async () => {
    const socket = new FakeSocket();
    const encoder = new FrameEncoder(socket);
    encoder.send(heartbeat('1'));
    await tick();
    // The frame is a view of the encoder's chunk: what the connection holds while quiet.
    expect((socket.writes[0] as Buffer).buffer.byteLength).toBeGreaterThanOrEqual(64 * 1024);
    encoder.trim();
    encoder.send(heartbeat('2'));
    const big = VECTORS.reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));
    encoder.send(big.frame); // larger than what is left of the small chunk: a chunk of its own
    await tick();
    expect((socket.writes[1] as Buffer).buffer.byteLength).toBeLessThanOrEqual(8 * 1024);
    expect(Buffer.concat(socket.writes.slice(1))).toEqual(Buffer.concat([encodeFrame(heartbeat('2')), big.bytes]));
    // More than 4 KiB went out since the last trim: a busy connection keeps its chunk.
    const filler: WireFrame = { header: { cmd: 'HEARTBEAT_REQUEST', code: 0, seq: 'f', properties: {} }, body: Buffer.alloc(5000) };
    encoder.send(filler);
    await tick();
    encoder.trim();
    encoder.send(heartbeat('3'));
    await tick();
    expect((socket.writes.at(-1) as Buffer).buffer.byteLength).toBeGreaterThanOrEqual(64 * 1024);
    expect(socket.writes.at(-1)).toEqual(encodeFrame(heartbeat('3')));
  });

  it("waits for 'drain' when write returns false, then writes what queued meanwhile at once", async () => {
    const socket = new FakeSocket();
    socket.accepting = false;
    const encoder = new FrameEncoder(socket);
    encoder.send(heartbeat('1'));
    await tick();
    encoder.send(heartbeat('2'));
    encoder.send(heartbeat('3'));
    await tick();
    expect(socket.writes).toHaveLength(1);
    expect(socket.waitingForDrain).toBe(1);
    expect(encoder.queuedBytes).toBe(2 * encodeFrame(heartbeat('2')).length);
    socket.drain();
    expect(socket.writes).toHaveLength(2);
    expect(socket.writes[1]).toEqual(Buffer.concat([encodeFrame(heartbeat('2')), encodeFrame(heartbeat('3'))]));
    expect(encoder.stats).toMatchObject({ frames: 3, writes: 2, drainWaits: 1, queuedBytes: 0 });
  });

  it('refuses a frame past its queue bound with ERR_MESH_WIRE_BACKPRESSURE, and recovers after drain', async () => {
    const socket = new FakeSocket();
    socket.accepting = false;
    const size = encodeFrame(heartbeat('1')).length;
    const encoder = new FrameEncoder(socket, { maxFrame: size, maxQueuedBytes: 3 * size });
    encoder.send(heartbeat('1'));
    await tick();
    for (let i = 0; i < 3; i++) encoder.send(heartbeat('1'));
    expectThrowCode(() => encoder.send(heartbeat('1')), 'ERR_MESH_WIRE_BACKPRESSURE');
    expect(encoder.queuedBytes).toBe(3 * size);
    expect(encoder.stats.refused).toBe(1);
    socket.drain();
    expect(encoder.queuedBytes).toBe(0);
    encoder.send(heartbeat('1'));
    expect(encoder.queuedBytes).toBe(size);
  });

  it('marks backpressure retryable: the peer may catch up', () => {
    const socket = new FakeSocket();
    const size = encodeFrame(heartbeat('1')).length;
    const encoder = new FrameEncoder(socket, { maxFrame: size, maxQueuedBytes: size });
    encoder.send(heartbeat('1'));
    expect(() => encoder.send(heartbeat('1'))).toThrow(expect.objectContaining({ code: 'ERR_MESH_WIRE_BACKPRESSURE', retryable: true }));
  });

  it('refuses a frame over the limit with ERR_MESH_WIRE_FRAME_TOO_LARGE and queues nothing', () => {
    const encoder = new FrameEncoder(new FakeSocket(), { maxFrame: 1000 });
    const big = { header: heartbeat('1').header, body: Buffer.alloc(1000) };
    expectThrowCode(() => encoder.send(big), 'ERR_MESH_WIRE_FRAME_TOO_LARGE');
    expect(encoder.queuedBytes).toBe(0);
  });

  it('refuses by default a frame of 4 MiB + 1 in total and sends one of exactly 4 MiB', () => {
    const header = heartbeat('1').header;
    const headerLength = encodeFrame(heartbeat('1')).length - 21;
    const fits = Buffer.alloc(4_194_304 - 21 - headerLength);
    expect(encodeFrame({ header, body: fits }).length).toBe(4_194_304);
    expectThrowCode(() => encodeFrame({ header, body: Buffer.alloc(fits.length + 1) }), 'ERR_MESH_WIRE_FRAME_TOO_LARGE');
  });

  it('drops its queue on close and refuses later frames with ERR_MESH_CLOSED', async () => {
    const socket = new FakeSocket();
    const encoder = new FrameEncoder(socket);
    encoder.send(heartbeat('1'));
    expect(encoder.close()).toBe(encodeFrame(heartbeat('1')).length);
    await tick();
    expect(socket.writes).toHaveLength(0);
    expectThrowCode(() => encoder.send(heartbeat('2')), 'ERR_MESH_CLOSED');
  });

  it('refuses a queue bound smaller than one frame', () => {
    expectThrowCode(() => new FrameEncoder(new FakeSocket(), { maxFrame: 1000, maxQueuedBytes: 999 }), 'ERR_MESH_INVALID_OPTIONS');
  });

  it('round-trips every vector through the decoder', async () => {
    const socket = new FakeSocket();
    const encoder = new FrameEncoder(socket);
    for (const vector of VECTORS) encoder.send(vector.frame);
    await tick();
    const { frames, errors } = decodeChunks(socket.writes);
    expect(errors).toEqual([]);
    expect(frames.map(plain)).toEqual(VECTORS.map((v) => plain(v.frame)));
  });

  it('delivers 2,000 frames over a real loopback socket to a decoder, in order', async () => {
    const received: WireFrame[] = [];
    const server = createServer((conn) => {
      const decoder = new FrameDecoder({ onFrame: (frame) => received.push(frame), onError: (err) => conn.destroy(err) });
      conn.on('data', (chunk: Buffer) => decoder.push(chunk));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    const encoder = new FrameEncoder(client);
    const body = Buffer.alloc(2000, 0x62);
    for (let i = 0; i < 2000; i++) {
      encoder.send({ header: { cmd: 'ASYNC_MESSAGE_TO_SERVER', code: 0, seq: String(i), properties: {} }, body });
      if (i % 100 === 99) await tick();
    }
    await until(() => received.length === 2000, 10_000);
    client.destroy();
    server.close();
    expect(received.map((f) => f.header.seq)).toEqual(Array.from({ length: 2000 }, (_, i) => String(i)));
    expect(received.every((f) => f.body?.equals(body))).toBe(true);
  });
});
