import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { MeshError } from '../../../src/index.js';
import { deferred, expectRejectCode, until } from '../../support/expect-code.js';
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

describe('request whose responder fails', () => {
  /** Requests in these tests would time out after 30 s: they must settle long before. */
  const ask = (m: ReturnType<typeof mesh>, topic: string): Promise<unknown> => m.request(topic, 1, { timeout: 30_000 });
  const quiet = (m: ReturnType<typeof mesh>): ReturnType<typeof mesh> => m.on('error', () => undefined);

  it('rejects at once with ERR_MESH_HANDLER_FAILED carrying the responder code and message', async () => {
    const m = quiet(mesh({ id: 'here' }));
    m.subscribe('q', () => {
      throw Object.assign(new Error('out of stock'), { code: 'E_STOCK' });
    }, { name: 'stock' });
    await expect(ask(m, 'q')).rejects.toMatchObject({
      name: 'MeshError', code: 'ERR_MESH_HANDLER_FAILED', retryable: true,
      details: { subscription: 'stock', node: 'here', remote: { code: 'E_STOCK', message: 'out of stock' } },
    });
  });

  it.each([
    ['a plain Error', () => new Error('boom'), { code: 'Error', message: 'boom' }],
    ['a TypeError', () => new TypeError('bad'), { code: 'TypeError', message: 'bad' }],
    ['a MeshError', () => new MeshError('ERR_MESH_TIMEOUT', 'downstream timed out'), { code: 'ERR_MESH_TIMEOUT', message: 'downstream timed out' }],
    ['a string', () => 'just text', { code: 'Error', message: 'just text' }],
  ])('names %s by its code, else its name', async (_kind, make, remote) => {
    const m = quiet(mesh());
    m.subscribe('q', async () => {
      throw make();
    });
    await expect(ask(m, 'q')).rejects.toMatchObject({ code: 'ERR_MESH_HANDLER_FAILED', details: { remote } });
  });

  it('rejects only after the last attempt, once the event is dead-lettered', async () => {
    const m = quiet(mesh());
    let runs = 0;
    const letters: unknown[] = [];
    m.subscribe('dlq', (e) => void letters.push(e.data));
    m.subscribe('q', () => {
      runs++;
      throw new Error('still failing');
    }, { retry: { attempts: 3, backoff: 1 }, deadLetter: 'dlq' });
    await expectRejectCode(ask(m, 'q'), 'ERR_MESH_HANDLER_FAILED');
    expect(runs).toBe(3);
    await until(() => letters.length === 1);
  });

  it('answers with a retry that succeeds', async () => {
    const m = quiet(mesh());
    let runs = 0;
    m.subscribe('q', () => {
      if (++runs < 2) throw new Error('flaky');
      return 'second time';
    }, { retry: { attempts: 2, backoff: 1 } });
    expect((await m.request('q', 1, { timeout: 30_000 })).data).toBe('second time');
  });

  it('is answered by another taker still running when one fails at once', async () => {
    const m = quiet(mesh());
    const later = deferred<string>();
    m.subscribe('q', () => {
      throw new Error('fails first');
    });
    m.subscribe('q', () => later.promise);
    const reply = m.request('q', 1, { timeout: 30_000 });
    await new Promise((resolve) => setImmediate(resolve));
    later.resolve('answer');
    expect((await reply).data).toBe('answer');
  });

  it('is answered by a taker delivered after the failing one in the same publish', async () => {
    const m = quiet(mesh());
    m.subscribe('q', () => {
      throw new Error('fails first');
    });
    m.subscribe('q', () => 'sync answer');
    expect((await m.request('q', 1, { timeout: 30_000 })).data).toBe('sync answer');
  });

  it('waits for a taker whose handler is busy and has the request queued', async () => {
    const m = quiet(mesh());
    const busy = deferred();
    m.subscribe('q', async (e) => {
      if (e.data === 'first') await busy.promise;
      return `answer to ${String(e.data)}`;
    });
    m.subscribe('q', (e) => {
      if (e.data === 'ask') throw new Error('fails at once');
    });
    m.emit('q', 'first');
    const reply = m.request('q', 'ask', { timeout: 30_000 });
    await new Promise((resolve) => setImmediate(resolve));
    busy.resolve();
    expect((await reply).data).toBe('answer to ask');
  });

  it('rejects at once when the other takers finished without answering', async () => {
    const m = quiet(mesh());
    m.subscribe('q', () => undefined);
    m.subscribe('q', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('late failure');
    });
    await expect(ask(m, 'q')).rejects.toMatchObject({ code: 'ERR_MESH_HANDLER_FAILED', details: { remote: { message: 'late failure' } } });
  });

  it('reports the first failure when every taker fails', async () => {
    const m = quiet(mesh());
    const second = deferred();
    m.subscribe('q', () => {
      throw new Error('first');
    });
    m.subscribe('q', async () => {
      await second.promise;
      throw new Error('second');
    });
    const rejected = expect(ask(m, 'q')).rejects.toMatchObject({ details: { remote: { message: 'first' } } });
    second.resolve();
    await rejected;
  });

  it('still goes to mesh.on(error) as every failed attempt does', async () => {
    const m = mesh();
    const errors: MeshError[] = [];
    m.on('error', (e) => void errors.push(e));
    m.subscribe('q', () => {
      throw new Error('boom');
    });
    const request = m.request('q', 1, { timeout: 30_000 });
    await expectRejectCode(request, 'ERR_MESH_HANDLER_FAILED');
    expect(errors.map((e) => [e.code, e.details?.['willRetry']])).toEqual([['ERR_MESH_HANDLER_FAILED', false]]);
  });
});
