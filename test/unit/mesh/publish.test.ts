import { CloudEvent } from 'cloudevents';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Mesh, type MeshEvent } from '../../../src/index.js';
import { expectRejectCode, expectThrowCode } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();

describe('publish(topic, data)', () => {
  it('resolves with a CloudEvent whose type is the topic, with id, time, specversion and source filled in', async () => {
    const m = mesh({ id: 'orders-1', source: '/orders' });
    const ev = await m.publish('com.shop.order.created', { id: 1 }, { subject: '1' });
    expect(ev).toMatchObject({ type: 'com.shop.order.created', source: '/orders', specversion: '1.0', subject: '1', data: { id: 1 } });
    expect(ev.id).toEqual(expect.any(String));
    expect(Date.parse(ev.time)).toBeGreaterThan(0);
    expect(new CloudEvent(JSON.parse(JSON.stringify(ev)) as CloudEvent).validate()).toBe(true);
  });

  it('defaults the source to /evmesh/<node id>', async () => {
    const ev = await mesh({ id: 'n1' }).publish('a.b');
    expect(ev.source).toBe('/evmesh/n1');
  });

  it('carries extension attributes given with the data', async () => {
    const m = mesh();
    const seen: MeshEvent[] = [];
    m.subscribe('a.b', (e) => void seen.push(e));
    await m.publish('a.b', 1, { tenant: 'acme', priority: 3 });
    expect(seen[0]).toMatchObject({ tenant: 'acme', priority: 3 });
  });

  it('gives every event a different id, also across meshes', async () => {
    const a = mesh();
    const b = mesh();
    const ids = new Set<string>();
    for (let i = 0; i < 100; i++) {
      ids.add(a.emit('a.b').id);
      ids.add(b.emit('a.b').id);
    }
    expect(ids.size).toBe(200);
  });

  it('never throws synchronously for bad input: it returns a rejected promise', async () => {
    const m = mesh();
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = m.publish('not a topic');
    }).not.toThrow();
    await expectRejectCode(pending as Promise<unknown>, 'ERR_MESH_INVALID_TOPIC');
    await expectRejectCode(m.publish('a..b'), 'ERR_MESH_INVALID_TOPIC');
    await expectRejectCode(m.publish('a.*'), 'ERR_MESH_INVALID_TOPIC');
    await expectRejectCode(m.publish('a.b', 1, { subject: 5 } as never), 'ERR_MESH_INVALID_EVENT');
  });
});

describe('publish(event)', () => {
  it('routes a cloudevents SDK CloudEvent on its type and keeps its id and data', async () => {
    const m = mesh();
    const seen: MeshEvent[] = [];
    m.subscribe('com.shop.#', (e) => void seen.push(e));
    const sent = await m.publish(new CloudEvent({ id: 'x-1', type: 'com.shop.order.created', source: '/legacy', data: { n: 1 } }));
    expect(sent).toMatchObject({ id: 'x-1', source: '/legacy', data: { n: 1 } });
    expect(seen.map((e) => e.id)).toEqual(['x-1']);
  });

  it('accepts a plain object and fills in id and time', async () => {
    const sent = await mesh().publish({ type: 'a.b', source: '/s', data: 2 });
    expect(sent.id.length).toBeGreaterThan(0);
    expect(sent.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('rejects an object that is not a CloudEvent', async () => {
    const m = mesh();
    await expectRejectCode(m.publish({ source: '/s' } as never), 'ERR_MESH_INVALID_EVENT');
    await expectRejectCode(m.publish({ type: 'a.b' } as never), 'ERR_MESH_INVALID_EVENT');
    await expectRejectCode(m.publish({ type: 'a.b', source: '/s', specversion: '0.3' }), 'ERR_MESH_INVALID_EVENT');
    await expectRejectCode(m.publish({ type: 'a b', source: '/s' }), 'ERR_MESH_INVALID_TOPIC');
    await expectRejectCode(m.publish(null as never), 'ERR_MESH_INVALID_EVENT');
  });
});

describe('emit', () => {
  it('returns the event and has delivered it to synchronous handlers before returning', () => {
    const m = mesh();
    const seen: string[] = [];
    m.subscribe('a.b', (e) => void seen.push(e.id));
    const ev = m.emit('a.b', 1);
    expect(seen).toEqual([ev.id]);
  });

  it('re-emits an existing event object to the subscribers of its type', () => {
    const m = mesh();
    let count = 0;
    m.subscribe('a.b', () => void count++);
    const ev = m.emit('a.b');
    m.emit(ev);
    expect(count).toBe(2);
  });

  it('throws a MeshError at once for bad input', () => {
    const m = mesh();
    expectThrowCode(() => m.emit('a.#'), 'ERR_MESH_INVALID_TOPIC');
    expectThrowCode(() => m.emit('', 1), 'ERR_MESH_INVALID_TOPIC');
    expectThrowCode(() => m.emit({ type: 'a.b' } as never), 'ERR_MESH_INVALID_EVENT');
    expectThrowCode(() => m.emit('a.b', 1, { Bad: 1 } as never), 'ERR_MESH_INVALID_EVENT');
  });
});

describe('several meshes in one process', () => {
  it('deliver only their own events', () => {
    const a = mesh();
    const b = mesh();
    const got: string[] = [];
    a.subscribe('t.x', () => void got.push('a'));
    b.subscribe('t.x', () => void got.push('b'));
    a.emit('t.x');
    expect(got).toEqual(['a']);
    b.emit('t.x');
    expect(got).toEqual(['a', 'b']);
  });
});

describe('the event each form publishes', () => {
  const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const forms: Array<[string, (m: Mesh) => MeshEvent | Promise<MeshEvent>]> = [
    ['emit(topic, data)', (m) => m.emit('a.b', { n: 1 })],
    ['emit(topic, data, attributes)', (m) => m.emit('a.b', { n: 1 }, { subject: 's', region: 'eu' })],
    ['emit(plain object)', (m) => m.emit({ type: 'a.b', source: '/p', data: { n: 1 }, subject: 's', region: 'eu' })],
    ['publish(topic, data)', (m) => m.publish('a.b', { n: 1 })],
  ];

  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(forms)('%s: carries the time of the publish, also when read later', async (_form, publish) => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const m = mesh({ source: '/m' });
    const seen: Array<[string, number]> = [];
    m.subscribe('a.b', (e) => {
      vi.setSystemTime(T0 + 1000); // the handler runs a second after the publish
      seen.push([e.time, e.timeMs]);
    });
    const ev = await publish(m);
    vi.setSystemTime(T0 + 5000);
    const iso = new Date(T0).toISOString();
    expect(seen).toEqual([[iso, T0]]);
    expect([ev.time, ev.timeMs]).toEqual([iso, T0]);
    expect((JSON.parse(JSON.stringify(ev)) as { time: string }).time).toBe(iso);
  });

  it.each(forms)('%s: has one id, the same at every read and for every reader', async (_form, publish) => {
    const m = mesh();
    const seen: string[] = [];
    m.subscribe('a.b', (e) => void seen.push(e.id, e.id));
    const ev = await publish(m);
    const id = ev.id;
    expect(typeof id).toBe('string');
    expect(seen).toEqual([id, id]);
    expect(ev.id).toBe(id);
    expect((JSON.parse(JSON.stringify(ev)) as { id: string }).id).toBe(id);
  });

  it.each(forms)('%s: lists its attributes as own properties, in a fixed order', async (_form, publish) => {
    const ev = await publish(mesh({ source: '/m' }));
    const core = ['id', 'type', 'source', 'data', 'subject', 'datacontenttype', 'dataschema'];
    const extensions = 'region' in ev ? ['region'] : [];
    expect(Object.keys(ev)).toEqual([...core, ...extensions]);
    expect(Object.keys({ ...ev })).toEqual([...core, ...extensions]);
    const json = JSON.parse(JSON.stringify(ev)) as Record<string, unknown>;
    const subject = ev.subject === undefined ? [] : ['subject'];
    expect(Object.keys(json)).toEqual(['specversion', 'id', 'source', 'type', 'time', ...subject, ...extensions, 'data']);
    expect(json).toMatchObject({ specversion: '1.0', id: ev.id, source: ev.source, type: 'a.b', data: { n: 1 } });
  });
});

