import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeshError } from '../../src/index.js';
import { decodeEventBatch, encodeEventBatch } from '../../src/wire/bodies/event-batch.js';
import { decodeSubscription } from '../../src/wire/bodies/subscription.js';
import { FrameDecoder } from '../../src/wire/frame-decoder.js';
import { encodeFrame, type WireFrame } from '../../src/wire/frame.js';
import type { JsonValue } from '../../src/wire/json.js';
import { until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';
import { NodeProcess } from './node-process.js';

const createMesh = closedAfterEach();
const running: NodeProcess[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(running.splice(0).map((n) => n.close()));
});

async function listening(id: string): Promise<{ mesh: ReturnType<typeof createMesh>; port: number; errors: MeshError[] }> {
  const mesh = createMesh({ id, listen: { port: 0 } });
  const errors: MeshError[] = [];
  mesh.on('error', (e) => void errors.push(e));
  await mesh.start();
  return { mesh, port: mesh.address?.port as number, errors };
}

/** A peer written by hand on a raw socket: it says the HELLO it is given and records every frame. */
async function rawPeer(port: number, hello: Record<string, JsonValue>): Promise<{ frames: WireFrame[]; send: (f: WireFrame) => void; closed: Promise<void> }> {
  const frames: WireFrame[] = [];
  const socket = await new Promise<Socket>((resolve) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
  });
  sockets.push(socket);
  socket.on('error', () => undefined);
  const decoder = new FrameDecoder({ onFrame: (f) => void frames.push({ header: f.header, body: f.body && Buffer.from(f.body) }), onError: () => undefined });
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const send = (f: WireFrame): void => void socket.write(encodeFrame(f));
  send({ header: { cmd: 'HELLO_REQUEST', code: 0, seq: '1', properties: hello }, body: undefined });
  await until(() => frames.some((f) => f.header.cmd === 'HELLO_RESPONSE'));
  return { frames, send, closed };
}

const isEvent = (f: WireFrame): boolean => f.header.cmd === 'ASYNC_MESSAGE_TO_SERVER';
const eventsOf = (f: WireFrame): unknown[] => (f.header.properties['evmeshbatch'] === '1' ? decodeEventBatch(f.body) : [f.body as Buffer])
  .map((b) => (JSON.parse(b.toString('utf8')) as { data: unknown }).data);
const cloudEvent = (i: number): string => JSON.stringify({ specversion: '1.0', id: `p-${i}`, source: '/p', type: 'o.created', data: i });

describe('batch frames between evmesh peers (PROTOCOL §5.6)', () => {
  it('carry a burst between two processes over TCP, each event once and in order, both ways', async () => {
    const { mesh: b, port } = await listening('b');
    const atB: unknown[] = [];
    b.subscribe('o.*', (e) => void atB.push(e.data));
    const a = await NodeProcess.start({ id: 'a', peers: [`tcp://127.0.0.1:${String(port)}`], subscribe: ['back.*'], respond: ['ask.a'] });
    running.push(a);
    await until(async () => (await b.request('ask.a', null, { timeout: 300 }).then(() => true, () => false)), 10_000);
    const n = 5000;
    a.emitMany('o.created', n);
    await until(() => atB.length === n, 20_000);
    expect(atB).toEqual(Array.from({ length: n }, (_, i) => i));
    for (let i = 0; i < n; i++) b.emit('back.created', i);
    await until(() => a.events.length === n, 20_000);
    expect(a.events.map((e) => e.data)).toEqual(Array.from({ length: n }, (_, i) => i));
    // Coalesced: far fewer frames than events came in over the link.
    const [peer] = b.peers();
    expect(peer?.inbound?.frames).toBeLessThan(n / 10);
    expect(peer?.outbound).toMatchObject({ batched: n });
    expect(peer?.outbound?.batches).toBeLessThan(n / 10);
  }, 60_000);

  it('go only to a peer whose HELLO announced them; one that did not gets a frame per event', async () => {
    for (const announces of [true, false]) {
      const { mesh, port } = await listening('n');
      const hello: Record<string, JsonValue> = { evmeshnode: 'p', evmeshproto: '1' };
      if (announces) hello['evmeshbatch'] = '1024';
      const peer = await rawPeer(port, hello);
      expect(peer.frames.find((f) => f.header.cmd === 'HELLO_RESPONSE')?.header.properties).toMatchObject({ evmeshnode: 'n', evmeshbatch: '1024' });
      const adv: WireFrame = {
        header: { cmd: 'SUBSCRIBE_REQUEST', code: 0, seq: '2', properties: { evmeshsub: 's1', evmeshnode: 'p', evmeshpath: '["p"]' } },
        body: Buffer.from(JSON.stringify({ topicList: [{ topic: 'o.*', mode: 'BROADCASTING', type: 'ASYNC' }] })),
      };
      peer.send(adv);
      peer.send({ header: { cmd: 'LISTEN_REQUEST', code: 0, seq: '3', properties: {} }, body: undefined });
      await until(() => mesh.peers()[0]?.interest?.learned === 1);
      for (let i = 0; i < 50; i++) mesh.emit('o.created', i);
      await until(() => peer.frames.filter(isEvent).flatMap(eventsOf).length === 50);
      const events = peer.frames.filter(isEvent);
      expect(events.flatMap(eventsOf)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      if (announces) expect(events.every((f) => f.header.properties['evmeshbatch'] === '1')).toBe(true);
      else expect(events.map((f) => f.header.properties['evmeshbatch'])).toEqual(Array.from({ length: 50 }, () => undefined));
      expect(events.length).toBe(announces ? 1 : 50);
      await mesh.close();
    }
  });

  it('refuse a malformed batch whole: reported, the link closed, the events accepted before it kept', async () => {
    const { mesh, port, errors } = await listening('n');
    const got: unknown[] = [];
    mesh.subscribe('o.*', (e) => void got.push(e.data));
    const peer = await rawPeer(port, { evmeshnode: 'p', evmeshproto: '1', evmeshbatch: '1024' });
    await until(() => peer.frames.some((f) => f.header.cmd === 'SUBSCRIBE_REQUEST' && decodeSubscription(f.body).topicList[0]?.topic === 'o.*'));
    const adv = peer.frames.find((f) => f.header.cmd === 'SUBSCRIBE_REQUEST' && decodeSubscription(f.body).topicList[0]?.topic === 'o.*');
    const dest = JSON.stringify({ n: [adv?.header.properties['evmeshsub'] as string] });
    const properties = { protocoltype: 'cloudevents', protocolversion: '1.0', protocoldesc: 'tcp', evmeshorigin: 'p', evmeshdest: dest, evmeshhops: '1', evmeshbatch: '1' };
    const batch = (body: Buffer): WireFrame => ({ header: { cmd: 'ASYNC_MESSAGE_TO_SERVER', code: 0, properties }, body });
    peer.send({ header: { cmd: 'LISTEN_REQUEST', code: 0, seq: '2', properties: {} }, body: undefined });
    peer.send(batch(encodeEventBatch([cloudEvent(0), cloudEvent(1)])));
    const cut = encodeEventBatch([cloudEvent(2), cloudEvent(3)]);
    peer.send(batch(cut.subarray(0, cut.length - 1)));
    await peer.closed;
    await until(() => errors.length > 0);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_WIRE_BAD_BODY']);
    expect(got).toEqual([0, 1]);
  });
});
