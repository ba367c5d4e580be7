import { afterEach, describe, expect, it } from 'vitest';
import { meshRouter } from '../../express/index.js';
import { closedAfterEach } from '../support/meshes.js';
import { until } from '../support/expect-code.js';
import { EXPRESS_VERSIONS, expectProblem } from './harness.js';
import { serveApi, sink, subscribe } from './subscriptions-support.js';

const createMesh = closedAfterEach();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

describe.each(EXPRESS_VERSIONS)('a transforming subscription on %s (the seed: filter, extract, assemble)', (_name, makeApp) => {
  it('an HTTP webhook source\'s body arrives at the target reshaped by the subscription\'s template', async () => {
    const mesh = createMesh({ source: '/gateway' });
    const served = await serveApi(makeApp, mesh, undefined, (app) => app.use('/events', meshRouter(mesh)));
    open.push(served);
    const target = await sink();
    open.push(target);
    const created = await subscribe(served.url, {
      sink: target.url, protocol: 'HTTP', types: ['com.github.push'],
      filters: [{ sql: "subject = 'refs/heads/main' AND source LIKE '/git%'" }],
      transform: { extract: { repo: '$.data.repository.full_name', by: '$.data.pusher.name' }, template: '{"text":"${by} deployed ${repo}"}' },
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ transform: { template: '{"text":"${by} deployed ${repo}"}' } });
    // The source: a webhook POSTed to the node in binary mode, as GitHub-like services send it.
    const ingest = served.url.replace('/subscriptions', '/events');
    const post = (subject: string, id: string): Promise<Response> => fetch(ingest, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': id, 'ce-type': 'com.github.push', 'ce-source': '/github', 'ce-subject': subject },
      body: JSON.stringify({ repository: { full_name: 'shop/orders' }, pusher: { name: 'ana' }, commits: [{ id: 'abc' }] }),
    });
    expect((await post('refs/heads/feature', 'p-1')).status).toBe(202);
    expect((await post('refs/heads/main', 'p-2')).status).toBe(202);
    await until(() => target.hits.length === 1, 5000);
    expect(target.hits[0]?.event).toMatchObject({ id: 'p-2', type: 'com.github.push', source: '/github', data: { text: 'ana deployed shop/orders' } });
    expect(target.hits[0]?.headers['content-type']).toBe('application/json');
  });

  it('a bad transform is refused with 400 naming the field', async () => {
    const mesh = createMesh();
    const served = await serveApi(makeApp, mesh);
    open.push(served);
    const res = await subscribe(served.url, { sink: 'http://127.0.0.1:9/x', protocol: 'HTTP', transform: { extract: { a: '$..a' }, template: '${a}' } });
    await expectProblem(res, 400, 'ERR_MESH_INVALID_OPTIONS');
  });
});
