import { describe, expect, it } from 'vitest';
import type { MeshError } from '../../src/index.js';
import { linkInMemory } from '../../src/testing/index.js';
import { expectRejectCode, until } from '../support/expect-code.js';
import { remoteInterest, remoteNodes } from '../support/interest.js';
import { closedAfterEach } from '../support/meshes.js';

const tracked = closedAfterEach();

function collect(mesh: { on(e: 'error', f: (e: MeshError) => void): unknown }): MeshError[] {
  const errors: MeshError[] = [];
  mesh.on('error', (e) => void errors.push(e));
  return errors;
}

const forbidden = (errors: MeshError[]): unknown[] => errors.filter((e) => e.code === 'ERR_MESH_FORBIDDEN').map((e) => e.details);

describe('acl over a peer link', () => {
  it('lets a peer bring in only what it may publish; the rest is dropped and reported with its identity', async () => {
    const hub = tracked({ id: 'hub', acl: { spoke: { publish: ['orders.#'] } } });
    const spoke = tracked({ id: 'spoke' });
    const errors = collect(hub);
    const got: string[] = [];
    hub.subscribe('#', (e) => void got.push(e.type));
    linkInMemory(hub, spoke);
    await until(() => remoteNodes(spoke, 'hr.salary').includes('hub'));
    spoke.emit('hr.salary', 1);
    spoke.emit('hr.salary', 2);
    spoke.emit('orders.created', 3);
    await until(() => got.length > 0);
    expect(got).toEqual(['orders.created']);
    // Reported once for the burst, not once per event.
    expect(forbidden(errors)).toEqual([{ identity: 'spoke', kind: 'peer', action: 'publish', topic: 'hr.salary' }]);
  });

  it('a # subscriber receives nothing outside its subscribe grant; its advertisement is routed to, not reported', async () => {
    const hub = tracked({ id: 'hub', acl: { spoke: { subscribe: ['orders.#', 'public.#'] } } });
    const spoke = tracked({ id: 'spoke' });
    const errors = collect(hub);
    const got: string[] = [];
    spoke.subscribe('#', (e) => void got.push(e.type));
    linkInMemory(hub, spoke);
    await until(() => remoteNodes(hub, 'orders.x').includes('spoke'));
    for (const topic of ['hr.salary.ceo', 'orders.x', 'hr.review', 'public.news']) hub.emit(topic, null);
    await until(() => got.includes('public.news'));
    expect(got).toEqual(['orders.x', 'public.news']);
    expect(forbidden(errors)).toEqual([]);
  });

  it('an advertisement wholly outside the grant is not routed to, and is reported', async () => {
    const hub = tracked({ id: 'hub', acl: { spoke: { subscribe: ['orders.#'] } } });
    const spoke = tracked({ id: 'spoke' });
    const errors = collect(hub);
    spoke.subscribe('hr.#', () => undefined);
    spoke.subscribe('orders.created', () => undefined);
    linkInMemory(hub, spoke);
    await until(() => remoteNodes(hub, 'orders.created').includes('spoke'));
    expect(remoteInterest(hub, 'hr.x')).toEqual([]);
    expect(forbidden(errors)).toEqual([{ identity: 'spoke', kind: 'peer', action: 'subscribe', topic: 'hr.#' }]);
  });

  it('a peer is not offered a request it may not receive: its forged answer cannot win', async () => {
    const hub = tracked({ id: 'hub', acl: { payer: { subscribe: ['pay.#'] }, '*': { subscribe: ['public.#'] } } });
    const payer = tracked({ id: 'payer' });
    const evil = tracked({ id: 'evil' });
    const offered: string[] = [];
    payer.subscribe('pay.approve', () => new Promise((resolve) => setTimeout(() => resolve('genuine'), 20)));
    evil.subscribe('#', (e) => {
      offered.push(e.type);
      return 'forged';
    });
    linkInMemory(hub, payer);
    linkInMemory(hub, evil);
    await until(() => remoteNodes(hub, 'pay.approve').length === 2 && remoteNodes(hub, 'public.x').includes('evil'));
    expect((await hub.request('pay.approve', 1, { timeout: 5000 })).data).toBe('genuine');
    hub.emit('public.marker', null);
    await until(() => offered.includes('public.marker'));
    expect(offered).toEqual(['public.marker']);
  });

  it('with acl set, an identity not listed and no * entry may do nothing', async () => {
    const hub = tracked({ id: 'hub', acl: { someone: { publish: ['#'], subscribe: ['#'] } } });
    const stranger = tracked({ id: 'stranger' });
    const errors = collect(hub);
    stranger.subscribe('#', () => undefined);
    hub.subscribe('q', () => 'answer');
    linkInMemory(hub, stranger);
    await until(() => remoteNodes(stranger, 'q').includes('hub') && forbidden(errors).length > 0);
    expect(remoteInterest(hub, 'x')).toEqual([]);
    await expectRejectCode(stranger.request('q', 1, { timeout: 200 }), 'ERR_MESH_TIMEOUT');
    expect(forbidden(errors)).toContainEqual({ identity: 'stranger', kind: 'peer', action: 'publish', topic: 'q' });
  });

  it('a line a — m — c works where the middle node is granted what it routes', async () => {
    const grant = { publish: ['orders.#'], subscribe: ['orders.#'] };
    const a = tracked({ id: 'a', acl: { m: grant } });
    const m = tracked({ id: 'm' });
    const c = tracked({ id: 'c', acl: { m: grant } });
    const atC: string[] = [];
    c.subscribe('#', (e) => void (e.source === a.source && atC.push(e.type)));
    c.subscribe('orders.quote', () => 42);
    const atA: string[] = [];
    a.subscribe('#', (e) => void (e.source === c.source && atA.push(e.type)));
    linkInMemory(a, m);
    linkInMemory(m, c);
    await until(() => remoteNodes(a, 'orders.quote').includes('c') && remoteNodes(c, 'orders.x').includes('a'));
    a.emit('hr.salary', null);
    a.emit('orders.created', null);
    c.emit('hr.review', null);
    c.emit('orders.shipped', null);
    expect((await a.request('orders.quote', 1, { timeout: 5000 })).data).toBe(42);
    await until(() => atC.includes('orders.created') && atA.includes('orders.shipped'));
    expect(atC).toEqual(['orders.created', 'orders.quote']);
    expect(atA).toEqual(['orders.shipped']);
  });
});
