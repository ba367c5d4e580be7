import { describe, expect, it } from 'vitest';
import type { MeshError, MeshEvent } from '../../../src/index.js';
import type { DeliveryOutcome } from '../../../src/hooks/hook-list.js';
import { hooksOf } from '../../../src/mesh/mesh.js';
import { until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const createMesh = closedAfterEach();

interface Settled { readonly id: string; readonly sub: string; readonly outcome: DeliveryOutcome; readonly duration: number }

function watch(mesh: ReturnType<typeof createMesh>): { delivered: string[]; settled: Settled[] } {
  const delivered: string[] = [];
  const settled: Settled[] = [];
  hooksOf(mesh).add('onDeliver', (event, sub, attempt) => void delivered.push(`${sub.name}:${String(event.data)}#${attempt}`));
  hooksOf(mesh).add('onSettle', (event, sub, outcome, duration) => void settled.push({ id: String(event.data), sub: sub.name, outcome, duration }));
  return { delivered, settled };
}

describe('mesh hooks', () => {
  it('onPublish sees each event published here once, after the use chain and before any handler', () => {
    const mesh = createMesh();
    const order: string[] = [];
    mesh.use((events$) => events$);
    mesh.subscribe('a.*', (e) => void order.push(`handler ${String(e.data)}`));
    hooksOf(mesh).add('onPublish', (e) => void order.push(`published ${String(e.data)}`));
    mesh.emit('a.b', 1);
    mesh.emit('x.y', 2);
    expect(order).toEqual(['published 1', 'handler 1', 'published 2']);
  });

  it('onDeliver and onSettle wrap every attempt of a subscription made before the hooks, sync or async', async () => {
    const mesh = createMesh();
    const got: unknown[] = [];
    mesh.subscribe('s.sync', (e) => void got.push(e.data), { name: 'sync' });
    mesh.subscribe('s.async', async (e) => void got.push(e.data), { name: 'async' });
    const { delivered, settled } = watch(mesh);
    mesh.emit('s.sync', 1);
    mesh.emit('s.async', 2);
    await until(() => settled.length === 2);
    expect(got).toEqual([1, 2]);
    expect(delivered).toEqual(['sync:1#1', 'async:2#1']);
    expect(settled.map(({ sub, outcome }) => [sub, outcome])).toEqual([['sync', 'ok'], ['async', 'ok']]);
    for (const s of settled) expect(s.duration).toBeGreaterThanOrEqual(0);
  });

  it('onSettle tells retried, then dead_lettered; without a dead letter, failed', async () => {
    const mesh = createMesh();
    const errors: MeshError[] = [];
    mesh.on('error', (e) => void errors.push(e));
    const { delivered, settled } = watch(mesh);
    mesh.subscribe('f.dl', () => {
      throw new Error('no');
    }, { name: 'dl', retry: { attempts: 2, backoff: 1 }, deadLetter: 'f.dead' });
    mesh.subscribe('f.plain', () => {
      throw new Error('no');
    }, { name: 'plain' });
    mesh.emit('f.dl', 1);
    mesh.emit('f.plain', 2);
    await until(() => settled.length === 3);
    expect(delivered).toEqual(['dl:1#1', 'plain:2#1', 'dl:1#2']);
    expect(settled.map(({ sub, outcome }) => `${sub} ${outcome}`)).toEqual(['dl retried', 'plain failed', 'dl dead_lettered']);
    expect(errors.every((e) => e.code === 'ERR_MESH_HANDLER_FAILED')).toBe(true);
  });

  it('onSettle also covers durable deliveries from the store', async () => {
    const mesh = createMesh();
    const { settled } = watch(mesh);
    const seen: MeshEvent[] = [];
    const sub = mesh.subscribe('d.*', (e) => void seen.push(e), { durable: 'd1' });
    await sub.ready;
    await mesh.publish('d.x', 7);
    await until(() => settled.length === 1);
    expect(settled[0]).toMatchObject({ id: '7', sub: 'd1', outcome: 'ok' });
    expect(seen).toHaveLength(1);
  });

  it('a hook that throws is reported as ERR_MESH_HOOK_FAILED and the event is still delivered', () => {
    const mesh = createMesh();
    const errors: MeshError[] = [];
    mesh.on('error', (e) => void errors.push(e));
    const got: unknown[] = [];
    mesh.subscribe('h.*', (e) => void got.push(e.data));
    hooksOf(mesh).add('onPublish', () => {
      throw new Error('metrics broke');
    });
    mesh.emit('h.a', 1);
    expect(got).toEqual([1]);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_HOOK_FAILED']);
  });
});
