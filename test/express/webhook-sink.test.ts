import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP, type CloudEvent } from 'cloudevents';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/index.js';
import express from 'express';
import { meshRouter, webhookSink } from '../../express/index.js';
import { closedAfterEach } from '../support/meshes.js';
import { expectThrowCode, until } from '../support/expect-code.js';

const createMesh = closedAfterEach();
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => {
    s.closeAllConnections();
    s.close(resolve);
  })));
});

interface Hit {
  readonly headers: IncomingHttpHeaders;
  readonly event: CloudEvent;
}

/** A real receiver that answers `statuses[n]` to its n-th request (the last one repeating). */
async function receiver(statuses: number[]): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // The SDK's own HTTP binding decodes what the sink sent: binary mode, valid CloudEvent.
      hits.push({ headers: req.headers, event: HTTP.toEvent({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") }) as CloudEvent });
      res.statusCode = statuses[Math.min(hits.length, statuses.length) - 1] as number;
      res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hits };
}

describe('webhookSink', () => {
  it('POSTs each event in binary mode, retrying a receiver that fails twice until it answers 2xx', async () => {
    const mesh = createMesh({ source: '/sink-test' });
    const { url, hits } = await receiver([500, 503, 204]);
    const failures: unknown[] = [];
    mesh.on('error', (err) => failures.push(err));
    const dead: MeshEvent[] = [];
    mesh.subscribe('hooks.dlq', (e) => {
      dead.push(e);
    });
    const sub = webhookSink(mesh, 'hooks.order.*', {
      url, headers: { authorization: 'Bearer s3cret' }, retry: { attempts: 4, backoff: 5 }, deadLetter: 'hooks.dlq',
    });
    expect(sub.pattern).toBe('hooks.order.*');
    const event = await mesh.publish('hooks.order.created', { id: 1 }, { subject: 'order 1', traceid: 't-1' });
    await until(() => hits.length === 3, 10_000);
    for (const hit of hits) {
      expect(hit.headers['ce-id']).toBe(event.id);
      expect(hit.headers['content-type']).toBe('application/json');
      expect(hit.headers.authorization).toBe('Bearer s3cret');
      // Percent-encoded as the HTTP binding says (§3.1.3.2); the SDK's toEvent does not decode it.
      expect(hit.headers['ce-subject']).toBe('order%201');
      expect(hit.event).toMatchObject({ id: event.id, type: 'hooks.order.created', source: '/sink-test', traceid: 't-1', data: { id: 1 } });
    }
    expect(failures).toHaveLength(2);
    // Delivered on the third try: no dead letter, and the next event goes out once.
    await mesh.publish('hooks.order.paid', { id: 1 });
    await until(() => hits.length === 4, 10_000);
    expect(hits[3]?.event.type).toBe('hooks.order.paid');
    expect(dead).toEqual([]);
  });

  it('with a transform, POSTs the reshaped data (the seed: a source\'s payload reshaped for its target)', async () => {
    const mesh = createMesh({ source: '/sink-test' });
    const { url, hits } = await receiver([204]);
    webhookSink(mesh, 'hooks.github.push', {
      url, transform: { extract: { repo: '$.data.repository.name', by: '$.data.pusher.name' }, template: '{"text":"${by} pushed to ${repo}"}' },
    });
    const event = await mesh.publish('hooks.github.push', { repository: { name: 'orders' }, pusher: { name: 'ana' }, commits: [] });
    await until(() => hits.length === 1, 10_000);
    expect(hits[0]?.event).toMatchObject({ id: event.id, type: 'hooks.github.push', data: { text: 'ana pushed to orders' } });
    expect(hits[0]?.headers['content-type']).toBe('application/json');
    await mesh.close();
  });

  it('dead-letters an event the receiver always refuses, after every attempt', async () => {
    const mesh = createMesh();
    const { url, hits } = await receiver([500]);
    const dead: MeshEvent[] = [];
    const errors: unknown[] = [];
    mesh.on('error', (err) => errors.push(err));
    mesh.subscribe('dlq.hooks', (e) => {
      dead.push(e);
    });
    webhookSink(mesh, 'hooks.#', { url, retry: { attempts: 3, backoff: 5 }, deadLetter: 'dlq.hooks' });
    const event = await mesh.publish('hooks.payment.failed', 'card declined', { datacontenttype: 'text/plain' });
    await until(() => dead.length === 1, 10_000);
    expect(hits).toHaveLength(3);
    expect(hits[0]?.headers['content-type']).toBe('text/plain');
    expect(hits[0]?.event.data).toBe('card declined');
    expect(dead[0]).toMatchObject({ originalid: event.id, deliveryattempts: 3, lasterrorcode: 'ERR_MESH_WEBHOOK_FAILED', data: 'card declined' });
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatchObject({ code: 'ERR_MESH_HANDLER_FAILED', cause: { code: 'ERR_MESH_WEBHOOK_FAILED', details: { status: 500 } } });
  });

  it('treats a network error as a failed attempt and dead-letters it', async () => {
    const mesh = createMesh();
    // A port that was just free: nothing listens there now.
    const { url } = await receiver([200]);
    await new Promise((resolve) => (servers.pop() as Server).close(resolve));
    mesh.on('error', () => undefined);
    const dead: MeshEvent[] = [];
    mesh.subscribe('net.dlq', (e) => {
      dead.push(e);
    });
    webhookSink(mesh, 'net.x', { url, retry: { attempts: 2, backoff: 5 }, deadLetter: 'net.dlq', timeout: 2_000 });
    const event = await mesh.publish('net.x', Buffer.from([1, 2, 3]));
    await until(() => dead.length === 1, 10_000);
    expect(dead[0]).toMatchObject({ originalid: event.id, deliveryattempts: 2, lasterrorcode: 'ERR_MESH_WEBHOOK_FAILED' });
  });

  it('counts a receiver slower than the timeout as a failed attempt', async () => {
    const mesh = createMesh();
    const errors: { cause?: { code?: string } }[] = [];
    mesh.on('error', (err) => errors.push(err as { cause?: { code?: string } }));
    const server = createServer(() => undefined);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dead: MeshEvent[] = [];
    mesh.subscribe('slow.dlq', (e) => {
      dead.push(e);
    });
    webhookSink(mesh, 'slow.x', { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, timeout: 50, deadLetter: 'slow.dlq' });
    await mesh.publish('slow.x', 1);
    await until(() => dead.length === 1, 10_000);
    expect(errors[0]?.cause?.code).toBe('ERR_MESH_WEBHOOK_FAILED');
  });

  it('does not follow a redirect (fetch would turn the POST into a GET without the event): it is a failed attempt', async () => {
    const mesh = createMesh();
    const errors: { cause?: { code?: string; details?: { status?: number } } }[] = [];
    mesh.on('error', (err) => errors.push(err as (typeof errors)[number]));
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(`${String(req.method)} ${String(req.url)}`);
      req.resume();
      if (req.url === '/hook') res.writeHead(302, { location: '/elsewhere' });
      res.end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dead: MeshEvent[] = [];
    mesh.subscribe('moved.dlq', (e) => {
      dead.push(e);
    });
    webhookSink(mesh, 'moved.x', { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, deadLetter: 'moved.dlq' });
    await mesh.publish('moved.x', { id: 1 });
    await until(() => dead.length === 1, 10_000);
    expect(requests).toEqual(['POST /hook']);
    expect(errors[0]?.cause).toMatchObject({ code: 'ERR_MESH_WEBHOOK_FAILED', details: { status: 302 } });
  });

  it('sends bytes as application/octet-stream and stops after unsubscribe', async () => {
    const mesh = createMesh();
    const { url, hits } = await receiver([200]);
    const sub = webhookSink(mesh, 'bin.*', { url });
    await mesh.publish('bin.x', Buffer.from([0, 255]));
    await until(() => hits.length === 1, 10_000);
    expect(hits[0]?.headers['content-type']).toBe('application/octet-stream');
    await sub.unsubscribe();
    // With the sink gone nothing matches: a request proves it at once, without waiting for a POST that never comes.
    await expect(mesh.request('bin.x', {})).rejects.toMatchObject({ code: 'ERR_MESH_NO_RESPONDER' });
    expect(hits).toHaveLength(1);
  });

  it('delivers to another mesh through its meshRouter, attributes intact', async () => {
    const sender = createMesh({ source: '/sender' });
    const receiving = createMesh();
    const got: MeshEvent[] = [];
    receiving.subscribe('relay.#', (e) => {
      got.push(e);
    });
    const app = express();
    app.use('/in', meshRouter(receiving));
    const server = createServer(app);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    webhookSink(sender, 'relay.#', { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/in` });
    const event = await sender.publish('relay.order', { n: 1 }, { subject: '100% "ä" done', count: 3 });
    await until(() => got.length === 1, 10_000);
    expect(got[0]).toMatchObject({ id: event.id, source: '/sender', subject: '100% "ä" done', count: '3', data: { n: 1 } });
  });

  it('refuses bad options synchronously', () => {
    const mesh = createMesh();
    expectThrowCode(() => webhookSink(mesh, 'a', { url: 'not a url' }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => webhookSink(mesh, 'a', { url: 'ftp://x/y' }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => webhookSink(mesh, 'a', { url: 'http://x/', timeout: 0 }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => webhookSink(mesh, 'a..b', { url: 'http://x/' }), 'ERR_MESH_INVALID_PATTERN');
    // Its own dead letters would come back to it, fail again, and loop.
    expectThrowCode(() => webhookSink(mesh, 'hooks.#', { url: 'http://x/', deadLetter: 'hooks.dlq' }), 'ERR_MESH_INVALID_OPTIONS');
  });
});
