import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../adapters/sqlite/index.js';
import { fileCatalogue, subscriptionsApi } from '../../express/index.js';
import { closedAfterEach } from '../support/meshes.js';
import { expectRejectCode, until } from '../support/expect-code.js';
import { EXPRESS_VERSIONS, expectProblem } from './harness.js';
import { serveApi, sink, subscribe, type Sink } from './subscriptions-support.js';

const dir = mkdtempSync(join(tmpdir(), 'evmesh-subscriptions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const createMesh = closedAfterEach();
const sinks: Sink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});
let files = 0;

describe.each(EXPRESS_VERSIONS)('subscriptionsApi across a restart on %s', (_name, makeApp) => {
  it('restores a subscription with its id, and its sink gets the events published while the node was down', async () => {
    const db = join(dir, `store-${++files}.db`);
    const catalogue = join(dir, `subscriptions-${files}.json`);
    const target = await sink();
    sinks.push(target);

    const first = createMesh({ store: sqliteStore({ path: db }) });
    await first.start();
    const one = await serveApi(makeApp, first, { catalogue: fileCatalogue(catalogue) });
    const created = (await (await subscribe(one.url, { sink: target.url, protocol: 'HTTP', types: ['shop.order.created'] })).json()) as { id: string };
    await first.publish('shop.order.created', { n: 1 });
    await until(() => target.hits.length === 1, 5000);
    await one.close();
    await first.close();
    // Owner-only: the file may hold credentials from protocolsettings.headers.
    expect(statSync(catalogue).mode & 0o777).toBe(0o600);

    // Published by another node on the same store while the first is down.
    const other = createMesh({ store: sqliteStore({ path: db }) });
    await other.start();
    const missed = [(await other.publish('shop.order.created', { n: 2 })).id, (await other.publish('shop.order.created', { n: 3 })).id];
    await other.publish('shop.order.cancelled', { n: 4 });
    await other.close();

    const second = createMesh({ store: sqliteStore({ path: db }) });
    await second.start();
    const two = await serveApi(makeApp, second, { catalogue: fileCatalogue(catalogue) });
    await two.api.ready;
    expect(await (await fetch(two.url)).json()).toEqual([{ id: created.id, sink: target.url, protocol: 'HTTP', types: ['shop.order.created'] }]);
    await until(() => target.hits.length === 3, 5000);
    expect(target.hits.slice(1).map((h) => h.event.id)).toEqual(missed);
    // Deleted for good: neither listed nor restored by a third start.
    expect((await fetch(`${two.url}/${created.id}`, { method: 'DELETE' })).status).toBe(200);
    await two.close();
    expect(JSON.parse(readFileSync(catalogue, 'utf8'))).toMatchObject({ subscriptions: [] });
  });

  it('fails ready with ERR_MESH_CATALOGUE_FAILED on a corrupt catalogue, and answers 503 meanwhile', async () => {
    const catalogue = join(dir, `corrupt-${++files}.json`);
    writeFileSync(catalogue, '{"format":"evmesh-subscriptions/1","subscriptions":[');
    const served = await serveApi(makeApp, createMesh(), { catalogue: fileCatalogue(catalogue) });
    try {
      await expectRejectCode(served.api.ready, 'ERR_MESH_CATALOGUE_FAILED');
      await expectProblem(await fetch(served.url), 503, 'ERR_MESH_CATALOGUE_FAILED');
    } finally {
      await served.close();
    }
    // A catalogue of another shape is refused the same way.
    writeFileSync(catalogue, '[]');
    await expectRejectCode(subscriptionsApi(createMesh(), { catalogue: fileCatalogue(catalogue) }).ready, 'ERR_MESH_CATALOGUE_FAILED');
  });
});
