import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { CloudEvent, HTTP } from 'cloudevents';
import express5 from 'express';
import { map } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mesh, MeshEvent } from '../../src/index.js';
import { meshRouter, type MeshRouterOptions } from '../../express/index.js';
import { closedAfterEach } from '../support/meshes.js';
import { expectThrowCode, until } from '../support/expect-code.js';
import { EXPRESS_VERSIONS, expectProblem, serve, type Served } from './harness.js';

const createMesh = closedAfterEach();

function post(url: string, message: { headers: Record<string, unknown>; body?: unknown }): Promise<Response> {
  return fetch(url, { method: 'POST', headers: message.headers as Record<string, string>, body: message.body as string });
}

function order(id: number, type = 'com.shop.order.created'): CloudEvent<{ id: number }> {
  return new CloudEvent({ type, source: '/test/shop', data: { id } });
}

describe.each(EXPRESS_VERSIONS)('meshRouter POST on %s', (_name, makeApp) => {
  let mesh: Mesh;
  let seen: MeshEvent[];
  let served: Served | undefined;

  beforeEach(() => {
    mesh = createMesh();
    seen = [];
    mesh.subscribe('com.shop.#', (event) => {
      seen.push(event);
    });
  });
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  async function start(options?: MeshRouterOptions, before?: Parameters<typeof serve>[3]): Promise<string> {
    served = await serve(makeApp, mesh, options, before);
    return served.url;
  }

  /** Proves an earlier refused request published nothing: a later good one arrives alone. */
  async function expectNothingBefore(url: string): Promise<void> {
    const marker = order(999, 'com.shop.marker');
    expect((await post(url, HTTP.binary(marker))).status).toBe(202);
    await until(() => seen.length > 0);
    expect(seen.map((e) => e.id)).toEqual([marker.id]);
  }

  it('accepts a binary-mode CloudEvent from the SDK and answers 202 with its id', async () => {
    const url = await start();
    const event = new CloudEvent({ type: 'com.shop.order.created', source: '/test/shop', subject: 'ä 1', data: { id: 1 }, traceid: 'abc' });
    const res = await post(url, HTTP.binary(event));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ ids: [event.id] });
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ id: event.id, type: event.type, source: '/test/shop', subject: 'ä 1', data: { id: 1 }, traceid: 'abc' });
    expect(seen[0]?.datacontenttype).toMatch(/^application\/json/);
  });

  it('accepts a structured-mode CloudEvent from the SDK', async () => {
    const url = await start();
    const event = order(2);
    const res = await post(url, HTTP.structured(event));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ ids: [event.id] });
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ id: event.id, data: { id: 2 }, time: event.time });
  });

  it('reads binary-mode text and bytes as their Content-Type says', async () => {
    const url = await start();
    const text = new CloudEvent({ type: 'com.shop.note', source: '/t', datacontenttype: 'text/plain', data: 'hello' });
    const bytes = HTTP.binary(new CloudEvent({ type: 'com.shop.blob', source: '/t', data: 'x' }));
    bytes.headers['content-type'] = 'application/octet-stream';
    expect((await post(url, HTTP.binary(text))).status).toBe(202);
    expect((await post(url, { headers: bytes.headers, body: Buffer.from([0, 1, 255]) })).status).toBe(202);
    await until(() => seen.length === 2);
    expect(seen[0]?.data).toBe('hello');
    expect(Buffer.from(seen[1]?.data as Uint8Array)).toEqual(Buffer.from([0, 1, 255]));
  });

  it('accepts a batch and publishes its events in order', async () => {
    const url = await start();
    const events = [order(1), order(2), order(3, 'com.shop.order.paid')];
    const res = await post(url, {
      headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(events),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ ids: events.map((e) => e.id) });
    await until(() => seen.length === 3);
    expect(seen.map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it('answers 400 problem+json naming a missing attribute, and publishes nothing', async () => {
    const url = await start();
    const { headers, body } = HTTP.binary(order(1));
    delete headers['ce-source'];
    const problem = await expectProblem(await post(url, { headers, body }), 400, 'ERR_MESH_INVALID_EVENT');
    expect(problem['detail']).toContain('ce-source');
    const structured = JSON.stringify({ specversion: '1.0', id: 'x', type: 'com.shop.a' });
    await expectProblem(await post(url, { headers: { 'content-type': 'application/cloudevents+json' }, body: structured }), 400, 'ERR_MESH_INVALID_EVENT');
    await expectNothingBefore(url);
  });

  it('answers 400 naming ce-specversion for a binary-mode POST without it, not 415', async () => {
    const url = await start();
    const { headers, body } = HTTP.binary(order(1));
    delete headers['ce-specversion'];
    for (const sent of [headers, { ...headers, 'content-type': 'text/plain' }, { 'ce-type': 'com.shop.a', 'ce-id': '1' }]) {
      const problem = await expectProblem(await post(url, { headers: sent, body }), 400, 'ERR_MESH_INVALID_EVENT');
      expect(problem['detail']).toContain('ce-specversion');
    }
    const partial = await expectProblem(await post(url, { headers: { 'ce-type': 'com.shop.a', 'ce-id': '1' }, body }), 400, 'ERR_MESH_INVALID_EVENT');
    expect(partial['detail']).toContain('ce-source');
    await expectNothingBefore(url);
  });

  it('answers 408 and closes the connection when the body does not arrive within bodyTimeout', async () => {
    const url = new URL(await start({ bodyTimeout: 100 }));
    const { headers, body } = HTTP.binary(order(1));
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let closed = false;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => (closed = true));
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${String(value)}\r\n`).join('');
    // Declares more than it sends, then stalls: a client trickling its body.
    socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n${lines}Content-Length: ${(body as string).length + 10}\r\n\r\n${body as string}`);
    await until(() => closed, 10_000);
    const [head = '', text = ''] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 408 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(text)).toMatchObject({ status: 408, code: 'ERR_MESH_BODY_TIMEOUT' });
    await expectNothingBefore(url.href);
  });

  it('answers 400 for a type that breaks the topic grammar, for bad JSON and for a bad time', async () => {
    const url = await start();
    const badTopic = { ...JSON.parse(HTTP.structured(order(1)).body as string), type: 'com..shop' };
    await expectProblem(await post(url, { headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(badTopic) }), 400, 'ERR_MESH_INVALID_TOPIC');
    await expectProblem(await post(url, { headers: { 'content-type': 'application/cloudevents+json' }, body: '{"id":' }), 400, 'ERR_MESH_INVALID_EVENT');
    const { headers, body } = HTTP.binary(order(1));
    await expectProblem(await post(url, { headers: { ...headers, 'ce-time': 'yesterday' }, body }), 400, 'ERR_MESH_INVALID_EVENT');
    await expectProblem(await post(url, { headers, body: '{not json' }), 400, 'ERR_MESH_INVALID_EVENT');
    await expectNothingBefore(url);
  });

  it('answers 400 for data_base64 that is not base64, or that comes with data too (JSON format §3.1.1)', async () => {
    const url = await start();
    const good = JSON.parse(HTTP.structured(order(1)).body as string) as Record<string, unknown>;
    const { data: _data, ...attributes } = good;
    const bad = [
      { ...attributes, data_base64: 'not base64!' },
      { ...attributes, data_base64: 'aGk' + '=' + 'aGk=' },
      { ...good, data_base64: 'aGk=' },
      { ...attributes, data: null, data_base64: 'aGk=' },
    ];
    for (const event of bad) {
      await expectProblem(await post(url, { headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) }), 400, 'ERR_MESH_INVALID_EVENT');
    }
    await expectNothingBefore(url);
    // Padding may be left out; the bytes are what was encoded.
    const res = await post(url, { headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify({ ...attributes, id: 'b64', data_base64: 'aGk' }) });
    expect(res.status).toBe(202);
    await until(() => seen.length === 2);
    expect(seen[1]?.data).toEqual(Buffer.from('hi'));
  });

  it('publishes nothing of a batch with one bad event and names it', async () => {
    const url = await start();
    const good = JSON.parse(HTTP.structured(order(1)).body as string) as Record<string, unknown>;
    const batch = [good, { ...good, id: 'b', source: undefined }, { ...good, id: 'c' }];
    const res = await post(url, { headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(batch) });
    const problem = await expectProblem(res, 400, 'ERR_MESH_INVALID_EVENT');
    expect(problem['errors']).toEqual([expect.objectContaining({ index: 1, code: 'ERR_MESH_INVALID_EVENT' })]);
    await expectProblem(await post(url, { headers: { 'content-type': 'application/cloudevents-batch+json' }, body: '{}' }), 400, 'ERR_MESH_INVALID_EVENT');
    await expectNothingBefore(url);
  });

  it('answers 413 for a body over the limit, declared or streamed, and publishes nothing', async () => {
    const url = await start({ limit: 1024 });
    const big = new CloudEvent({ type: 'com.shop.big', source: '/t', data: { pad: 'x'.repeat(2000) } });
    await expectProblem(await post(url, HTTP.binary(big)), 413, 'ERR_MESH_PAYLOAD_TOO_LARGE');
    // Chunked, without Content-Length: refused while reading.
    const { headers, body } = HTTP.structured(big);
    const chunks = [Buffer.from((body as string).slice(0, 600)), Buffer.from((body as string).slice(600))];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
    });
    const res = await fetch(url, { method: 'POST', headers: headers as Record<string, string>, body: stream, duplex: 'half' } as RequestInit);
    await expectProblem(res, 413, 'ERR_MESH_PAYLOAD_TOO_LARGE');
    await expectNothingBefore(url);
  });

  it('answers 415 for a body that is no CloudEvent it reads', async () => {
    const url = await start();
    await expectProblem(await post(url, { headers: { 'content-type': 'text/plain' }, body: 'hi' }), 415, 'ERR_MESH_UNSUPPORTED_MEDIA_TYPE');
    await expectProblem(await post(url, { headers: { 'content-type': 'application/cloudevents+avro' }, body: 'x' }), 415, 'ERR_MESH_UNSUPPORTED_MEDIA_TYPE');
    await expectProblem(await post(url, { headers: {}, body: '' }), 415, 'ERR_MESH_UNSUPPORTED_MEDIA_TYPE');
    const { headers, body } = HTTP.structured(order(1));
    await expectProblem(await post(url, { headers: { ...headers, 'content-encoding': 'gzip' }, body }), 415, 'ERR_MESH_UNSUPPORTED_MEDIA_TYPE');
    await expectProblem(await post(url, { headers: { 'content-type': 'application/cloudevents+json; charset=latin1' }, body }), 415, 'ERR_MESH_UNSUPPORTED_MEDIA_TYPE');
    await expectNothingBefore(url);
  });

  it('asks the auth hook first: false or 401 answers 401, 403 answers 403', async () => {
    const url = await start({
      auth: async (req) => {
        await Promise.resolve();
        const token = req.headers.authorization;
        if (token === undefined) return { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } };
        if (token === 'Bearer reader') return { status: 403, detail: 'readers may not publish' };
        return token === 'Bearer writer';
      },
    });
    const { headers, body } = HTTP.binary(order(1));
    const anonymous = await post(url, { headers, body });
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    await expectProblem(anonymous, 401, 'ERR_MESH_UNAUTHORIZED');
    await expectProblem(await post(url, { headers: { ...headers, authorization: 'Bearer wrong' }, body }), 401, 'ERR_MESH_UNAUTHORIZED');
    const reader = await expectProblem(await post(url, { headers: { ...headers, authorization: 'Bearer reader' }, body }), 403, 'ERR_MESH_FORBIDDEN');
    expect(reader['detail']).toBe('readers may not publish');
    expect(seen).toEqual([]);
    expect((await post(url, { headers: { ...headers, authorization: 'Bearer writer' }, body })).status).toBe(202);
    await until(() => seen.length === 1);
  });

  it('refuses with 403 an event, or a whole batch, with a topic outside allowedTopics', async () => {
    const url = await start({ allowedTopics: ['com.shop.order.*', 'com.shop.marker'] });
    await expectProblem(await post(url, HTTP.binary(order(1, 'com.shop.payment.done'))), 403, 'ERR_MESH_FORBIDDEN');
    const batch = [order(1), order(2, 'com.shop.admin.reset')];
    const res = await post(url, { headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(batch) });
    const problem = await expectProblem(res, 403, 'ERR_MESH_FORBIDDEN');
    expect(problem['errors']).toEqual([expect.objectContaining({ index: 1, code: 'ERR_MESH_FORBIDDEN' })]);
    await expectNothingBefore(url);
    expect((await post(url, HTTP.binary(order(3)))).status).toBe(202);
  });

  it('asks an allowedTopics function per request', async () => {
    const url = await start({ allowedTopics: (req) => (req.headers['x-tenant'] === 'a' ? ['com.shop.a.#'] : ['com.shop.b.#']) });
    const { headers, body } = HTTP.binary(order(1, 'com.shop.a.x'));
    expect((await post(url, { headers: { ...headers, 'x-tenant': 'a' }, body })).status).toBe(202);
    await expectProblem(await post(url, { headers: { ...headers, 'x-tenant': 'b' }, body }), 403, 'ERR_MESH_FORBIDDEN');
  });

  it('still reads a body that express.json() parsed before it', async () => {
    const url = await start(undefined, (app) => app.use(express5.json()));
    const event = order(7);
    expect((await post(url, HTTP.binary(event))).status).toBe(202);
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ id: event.id, data: { id: 7 } });
  });

  it('still reads a body that express.raw() buffered before it', async () => {
    const url = await start(undefined, (app) => app.use(express5.raw({ type: '*/*' })));
    const event = order(8);
    expect((await post(url, HTTP.structured(event))).status).toBe(202);
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ id: event.id, data: { id: 8 } });
  });

  it('does not hang on a body an earlier middleware consumed without keeping it', async () => {
    const url = await start(undefined, (app) => app.use((req, _res, next) => {
      req.resume();
      req.on('end', () => next());
    }));
    await expectProblem(await post(url, HTTP.structured(order(1))), 400, 'ERR_MESH_INVALID_EVENT');
  });

  it('answers 422 naming the accepted ids when a use chain refuses part of a batch', async () => {
    mesh.use((events$) => events$.pipe(map((e) => {
      if (e.subject === 'refuse') throw new Error('refused by policy');
      return e;
    })));
    const url = await start();
    const events = [order(1), new CloudEvent({ type: 'com.shop.order.created', source: '/t', subject: 'refuse', data: {} }), order(3)];
    const res = await post(url, { headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(events) });
    const problem = await expectProblem(res, 422, 'ERR_MESH_PIPELINE_FAILED');
    expect(problem['accepted']).toEqual([events[0]?.id, events[2]?.id]);
  });

  it('refuses bad router options when it is made', () => {
    expectThrowCode(() => meshRouter(mesh, { limit: -1 }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => meshRouter(mesh, { heartbeat: 1.5 }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => meshRouter(mesh, { auth: 'yes' as never }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => meshRouter(mesh, { bodyTimeout: -1 }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => meshRouter(mesh, { maxStreams: 0 }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => meshRouter(mesh, { allowedTopics: ['com..x'] }), 'ERR_MESH_INVALID_PATTERN');
  });

  it('serves plain node:http too, mounted at the root, answering 404 elsewhere', async () => {
    const server = createServer(meshRouter(mesh));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await post(`${base}/`, HTTP.binary(order(5)))).status).toBe(202);
      expect((await fetch(`${base}/other`)).status).toBe(404);
      await until(() => seen.length === 1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers 503 once the mesh is closed, and passes other paths and hook errors to Express', async () => {
    const url = await start({ auth: (req) => {
      if (req.headers['x-boom'] !== undefined) throw new Error('hook bug');
      return true;
    } });
    served?.app.use((_err: unknown, _req: unknown, res: { status(n: number): { send(b: string): void } }, _next: unknown) => {
      res.status(500).send('handled by express');
    });
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const boom = await post(url, { headers: { ...HTTP.binary(order(1)).headers, 'x-boom': '1' }, body: '{}' });
    expect(boom.status).toBe(500);
    expect(await boom.text()).toBe('handled by express');
    await mesh.close();
    await expectProblem(await post(url, HTTP.binary(order(1))), 503, 'ERR_MESH_CLOSED');
  });
});
