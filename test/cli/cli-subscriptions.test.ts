// The CloudEvents Subscriptions API of `evmesh node` (the built bin, a child process):
// a real HTTP sink gets exactly the events its subscription matches, the subscription
// and the events kept for it survive a SIGTERM and a start on the same SQLite file, the
// node's bearer tokens and acl apply, and the options reach the router.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../adapters/sqlite/index.js';
import { createMesh } from '../../src/index.js';
import { sink, subscribe, type Sink } from '../express/subscriptions-support.js';
import { until } from '../support/expect-code.js';
import { serviceAvailable } from '../support/services.js';
import { buildOnce, CliNode, runCli } from './cli-process.js';

beforeAll(buildOnce, 180_000);

const dir = mkdtempSync(join(tmpdir(), 'evmesh-cli-subscriptions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sinks: Sink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});
let files = 0;

async function newSink(): Promise<Sink> {
  const s = await sink();
  sinks.push(s);
  return s;
}

/** POST /events in binary mode. */
async function post(base: string, id: string, type: string, subject: string): Promise<void> {
  const res = await fetch(`${base}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/test', 'ce-type': type, 'ce-subject': subject },
    body: JSON.stringify({ id }),
  });
  expect(res.status, id).toBe(202);
}

const ORDERS = { protocol: 'HTTP', types: ['shop.order.created', 'shop.order.paid'], filters: [{ prefix: { subject: 'eu-' } }] };

describe('evmesh node /subscriptions', () => {
  it('delivers the matching events to a real sink, keeps the subscription across SIGTERM on sqlite, and deletes it', async () => {
    const db = join(dir, `node-${++files}.db`);
    const target = await newSink();
    const first = await CliNode.start(['--store', `sqlite:${db}`]);
    const created = await subscribe(`${first.http}/subscriptions`, { ...ORDERS, sink: target.url });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(created.headers.get('location')).toBe(`/subscriptions/${id}`);

    await post(first.http, 'e1', 'shop.order.created', 'eu-1');
    await post(first.http, 'e2', 'shop.order.created', 'us-2'); // the filter refuses it
    await post(first.http, 'e3', 'shop.order.cancelled', 'eu-3'); // not one of the types
    await post(first.http, 'e4', 'shop.order.paid', 'eu-4');
    await until(() => target.hits.length >= 2, 10_000, 10);
    expect(await first.stop('SIGTERM')).toBe(0);
    // The catalogue sits beside the database (the default with a sqlite: store).
    expect(JSON.parse(readFileSync(`${db}.subscriptions.json`, 'utf8'))).toMatchObject({ subscriptions: [{ id, sink: target.url }] });

    // Published on the same file by an embedded mesh while the node is down.
    const embedded = createMesh({ id: 'embedded', store: sqliteStore({ path: db }), logLevel: 'silent' });
    await embedded.start();
    const missed = (await embedded.publish('shop.order.paid', { n: 5 }, { subject: 'eu-5' })).id;
    await embedded.publish('shop.order.paid', { n: 6 }, { subject: 'us-6' });
    await embedded.close();

    const second = await CliNode.start(['--store', `sqlite:${db}`]);
    const listed = (await (await fetch(`${second.http}/subscriptions`)).json()) as { id: string }[];
    expect(listed).toEqual([{ id, sink: target.url, ...ORDERS }]);
    await post(second.http, 'e7', 'shop.order.created', 'eu-7');
    await until(() => target.hits.length >= 4, 10_000, 10);
    expect(target.hits.map((h) => h.event.id).sort()).toEqual(['e1', 'e4', 'e7', missed].sort());

    const deleted = await fetch(`${second.http}/subscriptions/${id}`, { method: 'DELETE' });
    expect([deleted.status, ((await deleted.json()) as { id: string }).id]).toEqual([200, id]);
    expect((await fetch(`${second.http}/subscriptions/${id}`)).status).toBe(404);
    expect(await (await fetch(`${second.http}/subscriptions`)).json()).toEqual([]);
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(JSON.parse(readFileSync(`${db}.subscriptions.json`, 'utf8'))).toMatchObject({ subscriptions: [] });
  });

  it('holds callers to the node bearer tokens and a verify identity to its acl subscribe grant', async () => {
    const target = await newSink();
    const acl = JSON.stringify({ billing: { publish: ['shop.#'], subscribe: ['shop.order.#'] } });
    const node = await CliNode.start(['--http-token', 'ops-token', '--verify', '{"tokens":{"billing":"billing-token"}}', '--acl', acl]);
    const url = `${node.http}/subscriptions`;
    const as = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
    expect((await fetch(url)).status).toBe(401);
    expect((await subscribe(url, { ...ORDERS, sink: target.url })).status).toBe(401);
    const payroll = await subscribe(url, { sink: target.url, protocol: 'HTTP', types: ['shop.payroll.run'] }, as('billing-token'));
    expect([payroll.status, await payroll.json()]).toEqual([403, expect.objectContaining({ field: 'types[0]', code: 'ERR_MESH_FORBIDDEN' })]);
    expect((await subscribe(url, { ...ORDERS, sink: target.url }, as('billing-token'))).status).toBe(201);
    expect((await subscribe(url, { sink: target.url, protocol: 'HTTP', types: ['shop.payroll.run'] }, as('ops-token'))).status).toBe(201);
    expect(((await (await fetch(url, { headers: as('ops-token') })).json()) as unknown[]).length).toBe(2);
    expect(await node.stop()).toBe(0);
  });

  it('passes --allowed-sinks, --dead-letter, --max-subscriptions and an explicit --subscriptions file to the router', async () => {
    const target = await newSink();
    const catalogue = join(dir, `explicit-${++files}.json`);
    const node = await CliNode.start(['--subscriptions', catalogue, '--allowed-sinks', `${target.url},https://hooks.example/`, '--dead-letter', 'dlq.subscriptions', '--max-subscriptions', '1']);
    const url = `${node.http}/subscriptions`;
    const elsewhere = await subscribe(url, { sink: 'http://169.254.169.254/latest', protocol: 'HTTP' });
    expect([elsewhere.status, await elsewhere.json()]).toEqual([403, expect.objectContaining({ field: 'sink' })]);
    const dlq = await subscribe(url, { sink: target.url, protocol: 'HTTP', types: ['dlq.subscriptions'] });
    expect([dlq.status, await dlq.json()]).toEqual([400, expect.objectContaining({ field: 'types[0]' })]);
    expect((await subscribe(url, { ...ORDERS, sink: target.url })).status).toBe(201);
    const over = await subscribe(url, { ...ORDERS, sink: target.url });
    expect([over.status, await over.json()]).toEqual([409, expect.objectContaining({ code: 'ERR_MESH_TOO_MANY_SUBSCRIPTIONS' })]);
    expect(JSON.parse(readFileSync(catalogue, 'utf8'))).toMatchObject({ subscriptions: [{ sink: target.url }] });
    expect(await node.stop()).toBe(0);
  });

  it('exits 2 naming the catalogue when it cannot be restored, before the HTTP port opens', async () => {
    const db = join(dir, `corrupt-${++files}.db`);
    writeFileSync(`${db}.subscriptions.json`, '{ "format": ');
    const corrupt = await runCli(['node', '--listen', '127.0.0.1:0', '--http', '127.0.0.1:0', '--store', `sqlite:${db}`]);
    expect([corrupt.code, corrupt.stderr]).toEqual([2, expect.stringContaining(`--subscriptions: The subscriptions catalogue ${db}.subscriptions.json is not JSON`)]);
    expect(corrupt.stdout).not.toContain('"ready"');
    // A catalogued sink the options refuse now (--allowed-sinks narrowed since): named with its file.
    const catalogue = join(dir, `narrowed-${++files}.json`);
    const record = { id: 'a1', sink: 'http://127.0.0.1:1/hook', protocol: 'HTTP' };
    writeFileSync(catalogue, JSON.stringify({ format: 'evmesh-subscriptions/1', subscriptions: [record] }));
    const refused = await runCli(['node', '--listen', '127.0.0.1:0', '--http', '127.0.0.1:0', '--subscriptions', catalogue, '--allowed-sinks', 'https://hooks.example/']);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringMatching(new RegExp(`Catalogued subscription a1 is refused now.*\\(catalogue ${catalogue.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)`))]);
  });
});

const redisUp = await serviceAvailable('redis');

describe.runIf(redisUp)('evmesh node /subscriptions catalogue on a persistent store other than sqlite', () => {
  it('warns at start that subscriptions kept in memory will not survive a restart, unless --subscriptions says where', async () => {
    const warned = (node: CliNode): boolean => node.lines.some((l) => l.level === 'warn' && /will not survive a restart unless --subscriptions/.test(l.msg));
    const inMemory = await CliNode.start(['--store', 'redis://127.0.0.1:6379']);
    expect(warned(inMemory)).toBe(true);
    expect(await inMemory.stop()).toBe(0);
    for (const given of [join(dir, `redis-${++files}.json`), 'memory']) {
      const node = await CliNode.start(['--store', 'redis://127.0.0.1:6379', '--subscriptions', given]);
      expect(warned(node), given).toBe(false);
      expect(await node.stop()).toBe(0);
    }
    // A memory store keeps nothing across a restart anyway: no warning there.
    const memory = await CliNode.start([]);
    expect(warned(memory)).toBe(false);
    expect(await memory.stop()).toBe(0);
  });
});
