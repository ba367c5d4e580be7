import { describe, expect, it } from 'vitest';
import { type Mesh, type MeshStore } from '../../../src/index.js';
import { natsStore } from '../../../adapters/nats/index.js';
import { serviceAvailable } from '../../support/services.js';
import { deferred, expectRejectCode, until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';
import { brokerAbsentCases, holdAHundred, keepsNothingBeforeTheDurable, keepsTheCloudEventIntact } from '../support/broker-cases.js';
import { natsStores } from './nats-fixture.js';

const up = await serviceAvailable('nats');

describe.runIf(up)('natsStore against a real JetStream', () => {
  const fixture = natsStores();
  const tracked = closedAfterEach();
  const mesh = (store: MeshStore): Mesh => tracked({ store });

  it('delivers durable events, keeps those published while unsubscribed, resumes where it stopped', async () => {
    const store = fixture.store();
    const m = mesh(store);
    await m.start();
    const got: unknown[] = [];
    const sub = m.subscribe('o.*', (e) => void got.push(e.data), { durable: 'resume' });
    await sub.ready;
    await m.publish('o.created', 1);
    await until(() => got.length === 1, 10_000);
    await sub.unsubscribe();
    await m.publish('o.created', 2);
    await m.publish('o.created', 3);
    const again = m.subscribe('o.*', (e) => void got.push(e.data), { durable: 'resume' });
    await again.ready;
    await until(() => got.length === 3, 10_000);
    expect(got).toEqual([1, 2, 3]);
  });

  it('survives a restart: a new store instance resumes the durable with what was published while it was gone', async () => {
    const first = mesh(fixture.store());
    await first.subscribe('r.*', () => undefined, { durable: 'restart' }).ready;
    await first.close();
    const publisher = mesh(fixture.store());
    await publisher.publish('r.one', 'kept');
    const got: unknown[] = [];
    const second = mesh(fixture.store());
    await second.subscribe('r.*', (e) => void got.push(e.data), { durable: 'restart' }).ready;
    await until(() => got.length === 1, 10_000);
    expect(got).toEqual(['kept']);
  });

  it('keeps nothing for a durable before it first exists', () => keepsNothingBeforeTheDurable(mesh(fixture.store())));

  it('splits one durable across meshes with their own connections: each event handled once', async () => {
    const a = mesh(fixture.store());
    const b = mesh(fixture.store());
    const seen = new Map<number, string>();
    let dup = 0;
    const on = (node: string) => async (e: { data: unknown }) => {
      if (seen.has(e.data as number)) dup++;
      seen.set(e.data as number, node);
      await new Promise((r) => setTimeout(r, 2));
    };
    await Promise.all([
      a.subscribe('w.*', on('a'), { durable: 'work', concurrency: 4 }).ready,
      b.subscribe('w.*', on('b'), { durable: 'work', concurrency: 4 }).ready,
    ]);
    await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).publish('w.job', i)));
    await until(() => seen.size === 200, 15_000);
    expect(dup).toBe(0);
    const values = [...seen.values()];
    expect(values.filter((n) => n === 'a').length).toBeGreaterThan(0);
    expect(values.filter((n) => n === 'b').length).toBeGreaterThan(0);
  });

  it('matches `#` including zero levels, and `#` in the middle, exactly like the mesh', async () => {
    const m = mesh(fixture.store());
    const trailing: string[] = [];
    const middle: string[] = [];
    const starHash: string[] = [];
    await Promise.all([
      m.subscribe('s.a.#', (e) => void trailing.push(e.type), { durable: 'hash-trailing' }).ready,
      m.subscribe('s.#.z', (e) => void middle.push(e.type), { durable: 'hash-middle' }).ready,
      m.subscribe('s.*.#', (e) => void starHash.push(e.type), { durable: 'star-hash' }).ready,
    ]);
    const topics = ['s.a', 's.a.b', 's.a.b.c', 's.ab', 's.z', 's.q.z', 's.q.r.z', 's.z.q', 's', 's.>'];
    for (const t of topics) await m.publish(t, t);
    await m.publish('s.end', 'end');
    await until(() => starHash.includes('s.end'), 10_000);
    await until(() => middle.length === 3 && trailing.length === 3, 10_000);
    expect(trailing.sort()).toEqual(['s.a', 's.a.b', 's.a.b.c']);
    expect(middle.sort()).toEqual(['s.q.r.z', 's.q.z', 's.z']);
    expect(starHash.sort()).toEqual(['s.>', 's.a', 's.a.b', 's.a.b.c', 's.ab', 's.end', 's.q.r.z', 's.q.z', 's.z', 's.z.q']);
  });

  it('delivers a topic with a `>` level as a plain level, escaped, never a NATS wildcard', async () => {
    const m = mesh(fixture.store());
    const got: string[] = [];
    // A pattern may not have a `>` level (the grammar refuses it), so `*` reaches the topic;
    // stored unescaped, `g.>` would be a wildcard subject JetStream refuses to publish on.
    await m.subscribe('g.*', (e) => void got.push(e.type), { durable: 'gt-literal' }).ready;
    await m.publish('g.>', 1);
    await m.publish('g.x.y', 2);
    await m.publish('g.end', 3);
    await until(() => got.includes('g.end'), 10_000);
    expect(got).toEqual(['g.>', 'g.end']);
  });

  it('keeps the CloudEvent intact through the stream (attributes, extensions, binary data)', () => keepsTheCloudEventIntact(mesh(fixture.store())));

  it('retries a failing handler under the kernel policy, then acknowledges: nothing redelivered afterwards', async () => {
    const m = mesh(fixture.store({ ackWait: 1000 }));
    let runs = 0;
    const done: unknown[] = [];
    await m.subscribe('f.*', (e) => {
      runs++;
      if (runs < 3) throw new Error('flaky');
      done.push(e.data);
    }, { durable: 'flaky', retry: { attempts: 3, backoff: 10 } }).ready;
    m.on('error', () => undefined);
    await m.publish('f.x', 'v');
    await until(() => done.length === 1, 10_000);
    // Past ack_wait: an unacknowledged event would come back now.
    await new Promise((r) => setTimeout(r, 1600));
    expect(runs).toBe(3);
    expect(done).toEqual(['v']);
  });

  it('redelivers an event whose delivery did not finish (handed back when close gives up) to the next member', async () => {
    const a = tracked({ store: fixture.store(), closeTimeout: 300 });
    a.on('error', () => undefined);
    const hold = deferred();
    const started = deferred();
    await a.subscribe('h.*', async () => {
      started.resolve();
      await hold.promise;
    }, { durable: 'handback' }).ready;
    await a.publish('h.x', 'once');
    await started.promise;
    await a.close();
    const b = mesh(fixture.store());
    const got: unknown[] = [];
    await b.subscribe('h.*', (e) => void got.push(e.data), { durable: 'handback' }).ready;
    await until(() => got.length >= 1, 15_000);
    hold.resolve();
    expect(got).toEqual(['once']);
  });

  it('holds a bounded number of deliveries unacknowledged; the rest waits on the server', async () => {
    const held = await holdAHundred(mesh(fixture.store()));
    // Prefetch 16 in the kernel, plus at most one pull batch (16) buffered.
    const jsm = await (await fixture.admin()).jetstreamManager();
    await until(async () => (await jsm.consumers.info(fixture.stream, 'prefetch')).num_ack_pending >= 16, 2000, 50);
    // Given time to overshoot, if nothing bounded it.
    await new Promise((r) => setTimeout(r, 300));
    const info = await jsm.consumers.info(fixture.stream, 'prefetch');
    expect(info.num_ack_pending).toBeGreaterThanOrEqual(16);
    expect(info.num_ack_pending).toBeLessThanOrEqual(32);
    expect(info.num_pending).toBe(100 - info.num_ack_pending);
    await held.releaseAll();
  });

  it('refuses the same durable name with another pattern (ERR_MESH_INVALID_OPTIONS)', async () => {
    const m = mesh(fixture.store());
    m.on('error', () => undefined);
    await m.subscribe('p.one', () => undefined, { durable: 'fixed' }).ready;
    await expectRejectCode(m.subscribe('p.two', () => undefined, { durable: 'fixed' }).ready, 'ERR_MESH_INVALID_OPTIONS');
  });

  it('refuses bad options at construction with ERR_MESH_INVALID_OPTIONS', () => {
    for (const bad of [{ servers: [] }, { servers: 'x', stream: 'a.b' }, { servers: 'x', subjectPrefix: 'a.*' }, { servers: 'x', ackWait: -1 }, { servers: 'x', pullExpires: 10 }]) {
      expect(() => natsStore(bad as never)).toThrow(expect.objectContaining({ code: 'ERR_MESH_INVALID_OPTIONS' }));
    }
  });
});

describe.runIf(up)('natsStore when the server is not there', () => {
  brokerAbsentCases('NATS', (port, options) => natsStore({ servers: `nats://127.0.0.1:${port}`, ...options }));
});
