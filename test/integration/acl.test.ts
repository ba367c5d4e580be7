import express5 from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { Mesh, MeshError } from '../../src/index.js';
import { expectProblem, serve, type Served } from '../express/harness.js';
import { until } from '../support/expect-code.js';
import { remoteNodes } from '../support/interest.js';
import { closedAfterEach } from '../support/meshes.js';
import { NodeProcess } from './node-process.js';
import { CE_PROPS, StockClient, cloudEvent, userAgent } from './stock-client.js';

const mesh = closedAfterEach();

function forbidden(target: Mesh): unknown[] {
  const refused: unknown[] = [];
  target.on('error', (e: MeshError) => void (e.code === 'ERR_MESH_FORBIDDEN' && refused.push(e.details)));
  return refused;
}

/** A stock client session as `username` (its identity under the acl). */
async function client(port: number, username: string, purpose: 'pub' | 'sub'): Promise<StockClient> {
  const c = await StockClient.connect(port);
  const hello = await c.call('HELLO_REQUEST', 'HELLO_RESPONSE', {}, JSON.stringify({ ...userAgent(purpose, 'g'), username }));
  expect(hello.header.code).toBe(0);
  return c;
}

describe('acl for stock EventMesh clients', () => {
  it('lets a client publish only the subjects it is granted; a refusal is code 1 ERR_MESH_FORBIDDEN, reported with its identity', async () => {
    const gw = mesh({ id: 'gw', listen: { port: 0 }, acl: { alice: { publish: ['orders.#'] } } });
    const refused = forbidden(gw);
    const got: unknown[] = [];
    gw.subscribe('#', (e) => void got.push(e.subject));
    await gw.start();
    const port = gw.address?.port as number;
    const alice = await client(port, 'alice', 'pub');
    expect((await alice.publish(cloudEvent('orders.created', 1))).header.code).toBe(0);
    const no = await alice.publish(cloudEvent('hr.salary', 2));
    expect(no.header).toMatchObject({ code: 1, desc: expect.stringMatching(/^ERR_MESH_FORBIDDEN/) });
    const asked = await alice.call('REQUEST_TO_SERVER', 'RESPONSE_TO_CLIENT', CE_PROPS, JSON.stringify(cloudEvent('hr.approve', 3)));
    expect(asked.header).toMatchObject({ code: 1, desc: expect.stringMatching(/^ERR_MESH_FORBIDDEN/) });
    const mallory = await client(port, 'mallory', 'pub');
    expect((await mallory.publish(cloudEvent('orders.created', 4))).header.code).toBe(1);
    expect(got).toEqual(['orders.created']);
    expect(refused).toEqual([
      { identity: 'alice', kind: 'client', action: 'publish', topic: 'hr.salary' },
      { identity: 'alice', kind: 'client', action: 'publish', topic: 'hr.approve' },
      { identity: 'mallory', kind: 'client', action: 'publish', topic: 'orders.created' },
    ]);
    alice.destroy();
    mallory.destroy();
  });

  it('lets a client subscribe only topics wholly inside its grant, and pushes it what it subscribed', async () => {
    const gw = mesh({ id: 'gw', listen: { port: 0 }, acl: { bob: { subscribe: ['orders.#'] } } });
    const refused = forbidden(gw);
    await gw.start();
    const bob = await client(gw.address?.port as number, 'bob', 'sub');
    for (const topic of ['#', 'hr.salary']) {
      await bob.call('SUBSCRIBE_REQUEST', 'SUBSCRIBE_RESPONSE', {}, JSON.stringify({ topicList: [{ topic, mode: 'CLUSTERING', type: 'ASYNC' }] }));
      const listen = await bob.call('LISTEN_REQUEST', 'LISTEN_RESPONSE');
      expect(listen.header).toMatchObject({ code: 1, desc: expect.stringMatching(/^ERR_MESH_FORBIDDEN/) });
      await bob.call('UNSUBSCRIBE_REQUEST', 'UNSUBSCRIBE_RESPONSE', {}, JSON.stringify({ topicList: [] }));
    }
    await bob.call('SUBSCRIBE_REQUEST', 'SUBSCRIBE_RESPONSE', {}, JSON.stringify({ topicList: [{ topic: 'orders.#', mode: 'CLUSTERING', type: 'ASYNC' }] }));
    expect((await bob.call('LISTEN_REQUEST', 'LISTEN_RESPONSE')).header.code).toBe(0);
    await gw.publish('orders.created', 'pushed');
    const push = await bob.next((f) => f.header.cmd === 'ASYNC_MESSAGE_TO_CLIENT');
    expect(JSON.parse(push.body.toString('utf8'))).toMatchObject({ type: 'orders.created', data: 'pushed' });
    expect(refused).toEqual([
      { identity: 'bob', kind: 'client', action: 'subscribe', topic: '#' },
      { identity: 'bob', kind: 'client', action: 'subscribe', topic: 'hr.salary' },
    ]);
    bob.destroy();
  });
});

describe('acl for HTTP callers the router names', () => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  it('holds a caller whose auth returned an identity to its grant: 403 outside it, reported', async () => {
    const node = mesh({ id: 'web', acl: { carol: { publish: ['orders.#'], subscribe: ['orders.#'] } } });
    const refused = forbidden(node);
    const got: string[] = [];
    node.subscribe('#', (e) => void got.push(e.type));
    served = await serve(() => express5(), node, { auth: (req) => ({ identity: String(req.headers['x-user']) }) });
    const post = (type: string): Promise<Response> => fetch(served?.url as string, {
      method: 'POST', body: '{}',
      headers: { 'x-user': 'carol', 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': type, 'ce-source': '/t', 'ce-type': type },
    });
    expect((await post('orders.created')).status).toBe(202);
    await expectProblem(await post('hr.salary'), 403, 'ERR_MESH_FORBIDDEN');
    const stream = async (pattern: string): Promise<Response> => {
      const controller = new AbortController();
      const res = await fetch(`${served?.url as string}/stream?pattern=${encodeURIComponent(pattern)}`, { headers: { 'x-user': 'carol' }, signal: controller.signal });
      if (res.status === 200) controller.abort();
      return res;
    };
    expect((await stream('orders.#')).status).toBe(200);
    await expectProblem(await stream('#'), 403, 'ERR_MESH_FORBIDDEN');
    expect(got).toEqual(['orders.created']);
    expect(refused).toEqual([
      { identity: 'carol', kind: 'http', action: 'publish', topic: 'hr.salary' },
      { identity: 'carol', kind: 'http', action: 'subscribe', topic: '#' },
    ]);
  });
});

describe('acl between processes', () => {
  it('a # subscriber in another process receives nothing outside its grant, over real TCP', async () => {
    const hub = mesh({ id: 'hub', listen: { port: 0 }, acl: { intruder: { subscribe: ['public.#'] } } });
    await hub.start();
    const intruder = await NodeProcess.start({ id: 'intruder', peers: [`tcp://127.0.0.1:${String(hub.address?.port)}`], subscribe: ['#'] });
    try {
      await until(() => remoteNodes(hub, 'public.x').includes('intruder'), 10_000);
      hub.emit('hr.salary.ceo', 'secret');
      hub.emit('public.news', 'hello');
      // One link carries events in order: once the second is there, the first would be too.
      await until(() => intruder.events.length > 0, 10_000);
      expect(intruder.events).toEqual([{ node: 'intruder', topic: 'public.news', data: 'hello' }]);
    } finally {
      await intruder.close();
    }
  });
});
