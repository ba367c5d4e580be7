import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { deferred, expectRejectCode } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();

describe('request', () => {
  it('resolves with a reply CloudEvent whose data is the handler return value', async () => {
    const m = mesh();
    m.subscribe('stock.reserve', (e) => ({ reserved: (e.data as { sku: string }).sku }));
    const reply = await m.request('stock.reserve', { sku: 'a' }, { timeout: 1000 });
    expect(reply).toMatchObject({ type: 'stock.reserve.reply', specversion: '1.0', data: { reserved: 'a' } });
    expect(reply.inreplyto).toEqual(expect.any(String));
  });

  it('takes the resolved value of an async handler', async () => {
    const m = mesh();
    m.subscribe('price.get', async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return 42;
    });
    expect((await m.request('price.get')).data).toBe(42);
  });

  it('answers with the first value other than undefined', async () => {
    const m = mesh();
    const later = deferred<string>();
    m.subscribe('q', () => undefined);
    m.subscribe('q', () => later.promise);
    m.subscribe('q', () => 'first');
    const reply = await m.request('q');
    later.resolve('second');
    expect(reply.data).toBe('first');
  });

  it('reaches one member of a group, like any event', async () => {
    const m = mesh();
    const served: string[] = [];
    m.subscribe('q', () => served.push('a'), { group: 'g' });
    m.subscribe('q', () => served.push('b'), { group: 'g' });
    await m.request('q');
    await m.request('q');
    expect(served.sort()).toEqual(['a', 'b']);
  });

  it('rejects with ERR_MESH_NO_RESPONDER at once when no subscriber matches', async () => {
    const m = mesh();
    m.subscribe('other.topic', () => 1);
    // "At once": settled before the event loop turns even once, so no timer (the
    // request's timeout or any other) can have decided it.
    const settled = await Promise.race([
      m.request('q', 1, { timeout: 30_000 }).then(() => 'answered', (err: unknown) => err),
      new Promise((resolve) => setImmediate(() => resolve('still pending after a turn of the event loop'))),
    ]);
    expect(settled).toMatchObject({ name: 'MeshError', code: 'ERR_MESH_NO_RESPONDER' });
  });

  it('counts no responder when every matching subscriber filter rejects the request', async () => {
    const m = mesh();
    m.subscribe('q', () => 1, { filter: { exact: { subject: 'x' } } });
    await expectRejectCode(m.request('q', 1, { attributes: { subject: 'y' }, timeout: 30_000 }), 'ERR_MESH_NO_RESPONDER');
    expect((await m.request('q', 1, { attributes: { subject: 'x' } })).data).toBe(1);
  });

  it('waits for a slow answer when the timeout is past the timer range, instead of timing out at once', async () => {
    const m = mesh();
    m.subscribe('slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return 'late';
    });
    expect((await m.request('slow', 1, { timeout: 1e12 })).data).toBe('late');
  });

  it('rejects with ERR_MESH_TIMEOUT when nobody answers in time', async () => {
    const m = mesh();
    m.subscribe('q', () => undefined);
    await expectRejectCode(m.request('q', 1, { timeout: 20 }), 'ERR_MESH_TIMEOUT');
  });

  it('rejects open requests with ERR_MESH_CLOSED when the mesh closes', async () => {
    const m = mesh();
    m.subscribe('q', () => undefined);
    const pending = m.request('q', 1, { timeout: 30_000 });
    await m.close();
    await expectRejectCode(pending, 'ERR_MESH_CLOSED');
  });

  it('rejects with the use-chain failure, not a timeout, when the chain throws on the request', async () => {
    const m = mesh();
    m.subscribe('q', () => 1);
    m.use((events$) => events$.pipe(map(() => {
      throw new Error('denied');
    })));
    await expectRejectCode(m.request('q', 1, { timeout: 30_000 }), 'ERR_MESH_PIPELINE_FAILED');
  });

  it('is answered when a use chain hands handlers an enriched copy of the request', async () => {
    const m = mesh();
    m.use((events$) => events$.pipe(map((e) => ({ ...e.toJSON(), tenant: 'acme' }))));
    m.subscribe('q', (e) => `ok:${String(e.tenant)}`);
    expect((await m.request('q')).data).toBe('ok:acme');
  });

  it('counts a durable subscriber as a responder', async () => {
    const m = mesh();
    await m.subscribe('stock.reserve', () => 'reserved', { durable: 'stock' }).ready;
    expect((await m.request('stock.reserve', 1, { timeout: 1000 })).data).toBe('reserved');
  });

  it('refuses a second open request with the same id', async () => {
    const m = mesh();
    const gate = deferred<string>();
    m.subscribe('q', () => gate.promise);
    const first = m.request('q', 1, { attributes: { id: 'req-1' } });
    await expectRejectCode(m.request('q', 2, { attributes: { id: 'req-1' } }), 'ERR_MESH_INVALID_EVENT');
    gate.resolve('ok');
    expect((await first).data).toBe('ok');
  });

  it('returns rejected promises for bad input', async () => {
    const m = mesh();
    m.subscribe('q', () => 1);
    await expectRejectCode(m.request('q..x'), 'ERR_MESH_INVALID_TOPIC');
    await expectRejectCode(m.request('q', 1, { timeout: -1 }), 'ERR_MESH_INVALID_OPTIONS');
  });
});
