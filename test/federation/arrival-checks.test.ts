import { describe, expect, it } from 'vitest';
import { linkInMemory } from '../../src/testing/index.js';
import { deferred, until } from '../support/expect-code.js';
import { remoteInterest } from '../support/interest.js';
import { closedAfterEach } from '../support/meshes.js';
import { RawPeer } from '../support/raw-peer.js';

const tracked = closedAfterEach();

describe('an event from a peer is checked at arrival (PROTOCOL §9.3)', () => {
  it('does not run a handler whose pattern it does not match, whatever destination ids the sender wrote', async () => {
    const hub = tracked({ id: 'hub' });
    const approved: unknown[] = [];
    hub.subscribe('payments.approve', (e) => void approved.push(e.data));
    const raw = await RawPeer.join(hub, 'evil');
    const id = await raw.subId('payments.approve');
    raw.sendEvent({ id: 'x1', type: 'totally.unrelated', data: 'spoofed' }, { hub: [id, 's2', 's3'] });
    // The same destination with an event that does match: delivered, and after the spoofed one.
    raw.sendEvent({ id: 'x2', type: 'payments.approve', data: 'genuine' }, { hub: [id] });
    await until(() => approved.length > 0);
    expect(approved).toEqual(['genuine']);
  });

  it('does not run a handler whose filter refuses it', async () => {
    const hub = tracked({ id: 'hub' });
    const got: unknown[] = [];
    hub.subscribe('orders.#', (e) => void got.push(e.data), { filter: { exact: { subject: 'eu' } } });
    const raw = await RawPeer.join(hub, 'evil');
    const id = await raw.subId('orders.#');
    raw.sendEvent({ id: 'x1', type: 'orders.created', subject: 'us', data: 'outside the filter' }, { hub: [id] });
    raw.sendEvent({ id: 'x2', type: 'orders.created', subject: 'eu', data: 'inside' }, { hub: [id] });
    await until(() => got.length > 0);
    expect(got).toEqual(['inside']);
  });
});

describe('a reply from a peer is checked at arrival (PROTOCOL §9.3)', () => {
  it('is not taken from a peer the request was never sent to', async () => {
    const a = tracked({ id: 'a' });
    const b = tracked({ id: 'b' });
    const asked = deferred<string>();
    const answer = deferred<string>();
    b.subscribe('q.secret', (e) => {
      asked.resolve(e.id);
      return answer.promise;
    });
    linkInMemory(a, b);
    const raw = await RawPeer.join(a, 'evil');
    await until(() => remoteInterest(a, 'q.secret').length === 1);
    const reply = a.request('q.secret', 1, { timeout: 5000 });
    const id = await asked.promise;
    raw.sendReply('a', id, { data: 'forged' });
    // The forged reply arrives first (an in-memory link delivers on a microtask): the
    // genuine one, answered on a later macrotask, can only win if the forged one was dropped.
    setImmediate(() => answer.resolve('genuine'));
    expect((await reply).data).toBe('genuine');
  });
});

describe('a reply that comes back another way than its request went', () => {
  it('is taken where the responder is reachable through the link it came on (a ring whose ties break differently each way)', async () => {
    // a — m1 — z2 — d — m2 — z1 — a: a reaches d via m1 (m1 < z1), d reaches a via m2 (m2 < z2).
    const ids = ['a', 'm1', 'z2', 'd', 'm2', 'z1'];
    const nodes = ids.map((id) => tracked({ id }));
    nodes.forEach((node, i) => linkInMemory(node, nodes[(i + 1) % nodes.length] as typeof node));
    const [a, , , d] = nodes as [typeof nodes[0], unknown, unknown, typeof nodes[0]];
    d.subscribe('q.far', () => 'from d');
    await until(() => remoteInterest(a, 'q.far').length === 1);
    expect((await a.request('q.far', 1, { timeout: 5000 })).data).toBe('from d');
  });
});
