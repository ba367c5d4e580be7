import { connect } from 'node:net';
import { CloudEvent, HTTP } from 'cloudevents';
import { EventSource } from 'eventsource';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Mesh } from '../../src/index.js';
import { closedAfterEach } from '../support/meshes.js';
import { expectRejectCode, until } from '../support/expect-code.js';
import { EXPRESS_VERSIONS, expectProblem, streamServer } from './harness.js';

const createMesh = closedAfterEach();

describe.each(EXPRESS_VERSIONS)('meshRouter GET /stream on %s', (_name, makeApp) => {
  let mesh: Mesh;
  const server = streamServer(makeApp, () => mesh);
  const { start, reader, cleanups } = server;

  beforeEach(() => {
    mesh = createMesh({ source: '/stream-test' });
  });

  it('streams matching events to an EventSource: id is the event id, data the structured CloudEvent', async () => {
    const url = await start();
    const es = new EventSource(`${url}/stream?pattern=${encodeURIComponent('com.shop.order.*')}`);
    cleanups.push(() => es.close());
    const got: MessageEvent[] = [];
    es.onmessage = (m) => got.push(m);
    await new Promise<void>((resolve, reject) => {
      es.onopen = () => resolve();
      es.onerror = (e) => reject(new Error(`EventSource error ${String((e as { code?: number }).code)}`));
    });
    await until(() => server.served?.router.openStreams === 1);
    const first = await mesh.publish('com.shop.order.created', { id: 1 }, { subject: '1' });
    await mesh.publish('com.shop.invoice.created', { id: 1 });
    // Also an event that came in over HTTP, through the same router.
    const posted = new CloudEvent({ type: 'com.shop.order.paid', source: '/client', data: { id: 1 } });
    expect((await fetch(url, { method: 'POST', ...HTTP.binary(posted) } as RequestInit)).status).toBe(202);
    await until(() => got.length === 2, 10_000);
    expect(got.map((m) => m.lastEventId)).toEqual([first.id, posted.id]);
    expect(got.every((m) => m.type === 'message')).toBe(true);
    expect(JSON.parse(got[0]?.data as string)).toEqual(JSON.parse(JSON.stringify(first)));
    expect(JSON.parse(got[1]?.data as string)).toMatchObject({ id: posted.id, type: 'com.shop.order.paid', source: '/client', data: { id: 1 } });
    es.close();
    await until(() => server.served?.router.openStreams === 0, 10_000);
  });

  it('sends heartbeat comments at the configured interval', async () => {
    const url = await start({ heartbeat: 30 });
    const r = await reader(`${url}/stream?pattern=com.%23`);
    expect(r.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await r.until((text) => text.split(': heartbeat\n\n').length >= 3);
  });

  it('tears the subscription down when the client goes away', async () => {
    const url = await start();
    const r = await reader(`${url}/stream?pattern=com.shop.stock.*`);
    await until(() => server.served?.router.openStreams === 1);
    // The stream's subscription is a subscriber: a request finds it (and, as it never answers, times out).
    await expectRejectCode(mesh.request('com.shop.stock.reserve', {}, { timeout: 50 }), 'ERR_MESH_TIMEOUT');
    r.close();
    await until(() => server.served?.router.openStreams === 0, 10_000);
    await expectRejectCode(mesh.request('com.shop.stock.reserve', {}, { timeout: 5_000 }), 'ERR_MESH_NO_RESPONDER');
  });

  it('cuts a client that stops reading once it is maxStreamBuffer behind, and removes its subscription', async () => {
    const url = new URL(await start({ maxStreamBuffer: 64 * 1024 }));
    // A raw socket that sends the request and then never reads: a stuck client.
    const socket = connect(Number(url.port), url.hostname);
    cleanups.push(() => socket.destroy());
    socket.write(`GET ${url.pathname}/stream?pattern=big.x HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    socket.pause();
    await until(() => server.served?.router.openStreams === 1, 10_000);
    const payload = 'x'.repeat(256 * 1024);
    // Socket buffers absorb the first events; the stream is cut once the backlog passes the limit.
    for (let i = 0; i < 1_000 && server.served?.router.openStreams === 1; i++) {
      await mesh.publish('big.x', payload);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server.served?.router.openStreams).toBe(0);
    await expectRejectCode(mesh.request('big.x', {}, { timeout: 5_000 }), 'ERR_MESH_NO_RESPONDER');
  });

  it('skips with a comment an in-process event whose data has no JSON form, and goes on streaming', async () => {
    const url = await start();
    const r = await reader(`${url}/stream?pattern=com.odd.*`);
    await until(() => server.served?.router.openStreams === 1);
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    // In-process publishes are not serialised, so these reach the stream as they are.
    const big = mesh.emit('com.odd.big', { n: 10n });
    const loop = mesh.emit('com.odd.loop', circular);
    const fine = mesh.emit('com.odd.fine', { n: 1 });
    await r.until(() => r.messages().length === 1);
    expect(r.messages().map((m) => m.id)).toEqual([fine.id]);
    expect(r.text).toContain(`: event ${big.id} skipped: no JSON form\n\n`);
    expect(r.text).toContain(`: event ${loop.id} skipped: no JSON form\n\n`);
    expect(server.served?.router.openStreams).toBe(1);
  });

  it('ends the stream when the mesh closes', async () => {
    const url = await start();
    const r = await reader(`${url}/stream?pattern=a.b`);
    await until(() => server.served?.router.openStreams === 1);
    await mesh.close();
    await until(() => r.ended, 10_000);
    expect(server.served?.router.openStreams).toBe(0);
  });

  it('answers 400 for a missing or malformed pattern', async () => {
    const url = await start();
    await expectProblem(await fetch(`${url}/stream`), 400, 'ERR_MESH_INVALID_PATTERN');
    await expectProblem(await fetch(`${url}/stream?pattern=${encodeURIComponent('com..x')}`), 400, 'ERR_MESH_INVALID_PATTERN');
    await expectProblem(await fetch(`${url}/stream?pattern=${encodeURIComponent('com.a#')}`), 400, 'ERR_MESH_INVALID_PATTERN');
    expect(server.served?.router.openStreams).toBe(0);
  });

  it('answers 400 with a hint to send "#" as %23 when the pattern arrives cut off at a URL fragment', async () => {
    const url = await start();
    // fetch, like every client, drops what follows an unencoded `#`: the server gets `com.shop.`, `` and `a.`.
    for (const raw of ['com.shop.#', '#', 'a.#.b']) {
      const problem = await expectProblem(await fetch(`${url}/stream?pattern=${raw}`), 400, 'ERR_MESH_INVALID_PATTERN');
      expect(problem['hint']).toContain('%23');
    }
    // A NATS habit gets the hint of the pattern grammar.
    const nats = await expectProblem(await fetch(`${url}/stream?pattern=${encodeURIComponent('com.shop.>')}`), 400, 'ERR_MESH_INVALID_PATTERN');
    expect(nats['hint']).toContain('"#"');
    const r = await reader(`${url}/stream?pattern=${encodeURIComponent('com.shop.#')}`);
    expect(r.response.status).toBe(200);
  });

  it('serves at most maxStreams streams: one more answers 503 with Retry-After until one ends', async () => {
    const url = await start({ maxStreams: 2, reconnect: 3000 });
    const first = await reader(`${url}/stream?pattern=a.x`);
    await reader(`${url}/stream?pattern=a.y`);
    await until(() => server.served?.router.openStreams === 2);
    const full = await fetch(`${url}/stream?pattern=a.z`);
    expect(full.headers.get('retry-after')).toBe('3');
    await expectProblem(full, 503, 'ERR_MESH_TOO_MANY_STREAMS');
    expect(server.served?.router.openStreams).toBe(2);
    first.close();
    await until(() => server.served?.router.openStreams === 1, 10_000);
    const third = await reader(`${url}/stream?pattern=a.z`);
    expect(third.response.status).toBe(200);
    await until(() => server.served?.router.openStreams === 2);
    const event = await mesh.publish('a.z', 1);
    await third.until(() => third.messages().length === 1);
    expect(third.messages()[0]?.id).toBe(event.id);
  });

  it('asks the auth hook: 401 without credentials, 403 for a caller it refuses', async () => {
    const url = await start({
      auth: (req, access) => {
        if (req.headers.authorization === undefined) return false;
        return access.action === 'stream' && access.pattern.startsWith('com.public.') ? true : { status: 403 };
      },
    });
    await expectProblem(await fetch(`${url}/stream?pattern=com.public.x`), 401, 'ERR_MESH_UNAUTHORIZED');
    await expectProblem(await fetch(`${url}/stream?pattern=com.secret.x`, { headers: { authorization: 'Bearer t' } }), 403, 'ERR_MESH_FORBIDDEN');
    const r = await reader(`${url}/stream?pattern=com.public.x`, { authorization: 'Bearer t' });
    expect(r.response.status).toBe(200);
  });

  it('refuses with 403 a pattern that reaches beyond allowedTopics, and serves one within', async () => {
    const url = await start({ allowedTopics: ['com.shop.#', 'com.news.*'] });
    for (const pattern of ['#', 'com.*.order', 'com.news.#', 'com.#']) {
      await expectProblem(await fetch(`${url}/stream?pattern=${encodeURIComponent(pattern)}`), 403, 'ERR_MESH_FORBIDDEN');
    }
    const r = await reader(`${url}/stream?pattern=${encodeURIComponent('com.shop.*.created')}`);
    expect(r.response.status).toBe(200);
    await until(() => server.served?.router.openStreams === 1);
    const event = await mesh.publish('com.shop.order.created', { n: 1 });
    await r.until(() => r.messages().length === 1);
    expect(r.messages()[0]?.id).toBe(event.id);
  });

  it('says so in a comment when Last-Event-ID cannot be replayed by the store, then streams live', async () => {
    const url = await start();
    const r = await reader(`${url}/stream?pattern=com.live`, { 'last-event-id': 'some-earlier-id' });
    await r.until((text) => text.startsWith(': resume not supported by this store\n\n'));
    await until(() => server.served?.router.openStreams === 1);
    const event = await mesh.publish('com.live', 'x');
    await r.until(() => r.messages().length === 1);
    expect(r.messages()[0]).toEqual({ id: event.id, data: expect.objectContaining({ id: event.id, data: 'x' }) });
  });
});
