// meshAdmin on real Express 5 and Express 4 apps over real HTTP, with a real prom-client registry.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Mesh, MeshSnapshot } from '../../src/index.js';
import { meshAdmin, meshRouter, type AdminAccess, type AuthHook, type MeshAccess, type MeshAdminOptions } from '../../express/index.js';
import { closedAfterEach } from '../support/meshes.js';
import { expectThrowCode, until } from '../support/expect-code.js';
import { EXPRESS_VERSIONS, expectProblem } from './harness.js';
import { probedStore } from '../support/probed-store.js';

const mesh = closedAfterEach();
const servers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((close) => close()));
});

/** A real server with the admin endpoint at /admin, then a handler that shows what next() reached. */
async function serveAdmin(makeApp: () => Express, m: Mesh, options?: MeshAdminOptions): Promise<string> {
  const app = makeApp();
  app.use('/admin', meshAdmin(m, options));
  app.use((_req, res) => {
    res.status(418).send('after the admin endpoint');
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
}

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as T;
}

describe.each(EXPRESS_VERSIONS)('meshAdmin on %s', (_name, makeApp) => {
  it('GET / answers the snapshot after known traffic, with the durable backlog read from the store', async () => {
    const { store } = probedStore({ billing: 5 });
    const m = mesh({ id: 'admin-a', store });
    let seen = 0;
    m.subscribe('com.shop.order.*', () => void seen++, { name: 'orders' });
    m.subscribe('com.shop.#', () => undefined, { durable: 'billing' });
    await m.start();
    for (let i = 0; i < 3; i++) await m.publish('com.shop.order.created', { i });
    await until(() => seen === 3);
    const url = await serveAdmin(makeApp, m);
    for (const path of ['', '/']) {
      const res = await fetch(url + path);
      expect(res.status).toBe(200);
      const s = await json<MeshSnapshot>(res);
      expect(s).toMatchObject({ id: 'admin-a', state: 'started', store: { name: 'probed', open: true } });
      expect(s.subscriptions.find((x) => x.name === 'orders')).toMatchObject({ pattern: 'com.shop.order.*', delivered: 3, failed: 0, inFlight: 0, queued: 0 });
      expect(s.durables).toEqual([expect.objectContaining({ name: 'billing', patterns: ['com.shop.#'], consumers: 1, backlog: 5 })]);
    }
  });

  it('GET / with backlog: false shows the last reading without asking the store', async () => {
    const { store } = probedStore({ billing: 5 });
    const m = mesh({ store });
    m.subscribe('com.shop.#', () => undefined, { durable: 'billing' });
    await m.start();
    const url = await serveAdmin(makeApp, m, { backlog: false });
    expect((await json<MeshSnapshot>(await fetch(url))).durables[0]?.backlog).toBeUndefined();
    await m.backlog();
    expect((await json<MeshSnapshot>(await fetch(url))).durables[0]?.backlog).toBe(5);
  });

  it('GET /subscriptions and GET /peers answer those parts of the snapshot', async () => {
    const hub = mesh({ id: 'hub', listen: { port: 0 } });
    await hub.start();
    const leaf = mesh({ id: 'leaf', peers: [`tcp://127.0.0.1:${String(hub.address?.port)}`] });
    leaf.subscribe('a.#', () => undefined, { name: 'all-a' });
    await leaf.start({ waitForPeers: 5000 });
    const url = await serveAdmin(makeApp, leaf);
    const subs = await json<{ id: string; subscriptions: MeshSnapshot['subscriptions'] }>(await fetch(`${url}/subscriptions`));
    expect(subs.id).toBe('leaf');
    expect(subs.subscriptions.map((s) => s.name)).toEqual(['all-a']);
    const peers = await json<{ id: string; peers: MeshSnapshot['peers'] }>(await fetch(`${url}/peers/`));
    expect(peers.peers).toEqual([expect.objectContaining({ node: 'hub', state: 'linked', dialed: true })]);
  });

  it('GET /metrics answers the registry\'s Prometheus text with its content type', async () => {
    const registry = new Registry();
    const m = mesh({ metrics: { registry } });
    await m.start();
    for (let i = 0; i < 4; i++) await m.publish('com.shop.order.created', { i });
    const url = await serveAdmin(makeApp, m);
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(registry.contentType);
    const lines = (await res.text()).split('\n');
    expect(lines).toContain('evmesh_events_published_total 4');
    expect(lines).toContain('# TYPE evmesh_events_published_total counter');
  });

  it('GET /metrics on a mesh without metrics is a 404 saying which option turns them on', async () => {
    const m = mesh();
    const url = await serveAdmin(makeApp, m);
    const problem = await expectProblem(await fetch(`${url}/metrics`), 404, 'ERR_MESH_INVALID_OPTIONS');
    expect(problem['detail']).toContain('createMesh({ metrics: { registry } })');
  });

  it('GET /health is 200 once started and 503 with the reason once the mesh closes', async () => {
    const m = mesh({ id: 'h' });
    const url = await serveAdmin(makeApp, m);
    const before = await fetch(`${url}/health`);
    expect(before.status).toBe(503);
    expect((await json(before))['reasons']).toEqual(['started: mesh is idle']);
    await m.start();
    const up = await fetch(`${url}/health`);
    expect(up.status).toBe(200);
    expect(await json(up)).toEqual({ ok: true, id: 'h', checks: { started: { ok: true } }, reasons: [] });
    await m.close();
    const down = await fetch(`${url}/health`);
    expect(down.status).toBe(503);
    expect(await json(down)).toMatchObject({ ok: false, checks: { started: { ok: false } }, reasons: ['started: mesh is closed'] });
  });

  it('GET /health turns 503 when a required peer is no longer linked', async () => {
    const hub = mesh({ id: 'hub', listen: { port: 0 } });
    await hub.start();
    const leaf = mesh({ id: 'leaf', peers: [`tcp://127.0.0.1:${String(hub.address?.port)}`] });
    await leaf.start({ waitForPeers: 5000 });
    const url = await serveAdmin(makeApp, leaf, { health: { peers: ['hub'] } });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    await hub.close();
    await until(async () => (await fetch(`${url}/health`)).status === 503, 5000, 20);
    const report = await json(await fetch(`${url}/health`));
    expect(report).toMatchObject({ ok: false, checks: { peers: { ok: false, missing: ['hub'] } }, reasons: ['peers: not linked: hub'] });
  });

  it('GET /health checks the store when configured or asked with ?store=1; ?store=0 and ?peers=0 ask less', async () => {
    const { store, fail } = probedStore({});
    const m = mesh({ store, peers: ['tcp://127.0.0.1:1'] });
    m.on('error', () => undefined); // the unreachable peer is the point here
    await m.start();
    const url = await serveAdmin(makeApp, m);
    expect((await fetch(`${url}/health?store=1`)).status).toBe(200);
    fail(true);
    // Liveness (the default: started only) stays up while the store is away; readiness does not.
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const down = await fetch(`${url}/health?store=1`);
    expect(down.status).toBe(503);
    expect(await json(down)).toMatchObject({ checks: { store: { ok: false } }, reasons: [expect.stringMatching(/^store: .*engine went away/)] });
    expect(await json(await fetch(`${url}/health?peers=1`))).toMatchObject({ ok: false, checks: { peers: { missing: ['tcp://127.0.0.1:1'] } } });
    const configured = await serveAdmin(makeApp, m, { health: { store: true, peers: true } });
    expect((await fetch(`${configured}/health`)).status).toBe(503);
    expect((await fetch(`${configured}/health?store=0&peers=0`)).status).toBe(200);
    fail(false);
    expect((await fetch(`${configured}/health?peers=false`)).status).toBe(200);
    await expectProblem(await fetch(`${url}/health?store=maybe`), 400, 'ERR_MESH_INVALID_OPTIONS');
  });

  it('asks auth on every route with the route it wants: refused is 401 or 403, accepted is served', async () => {
    const m = mesh();
    await m.start();
    const asked: (MeshAccess | AdminAccess)[] = [];
    // One hook for both routers: typed for both kinds of access.
    const auth: AuthHook<MeshAccess | AdminAccess> = async (req: IncomingMessage, access) => {
      asked.push(access);
      if (req.headers.authorization === 'Bearer ops') return true;
      if (req.headers.authorization === 'Bearer intern') return { status: 403, detail: 'ops only' };
      return { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } };
    };
    expect(typeof meshRouter(m, { auth })).toBe('function');
    const url = await serveAdmin(makeApp, m, { auth });
    for (const path of ['', '/metrics', '/health', '/subscriptions', '/peers']) {
      const refused = await fetch(url + path);
      await expectProblem(refused, 401, 'ERR_MESH_UNAUTHORIZED');
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      await expectProblem(await fetch(url + path, { headers: { authorization: 'Bearer intern' } }), 403, 'ERR_MESH_FORBIDDEN');
    }
    expect((await fetch(`${url}/subscriptions`, { headers: { authorization: 'Bearer ops' } })).status).toBe(200);
    expect((await fetch(`${url}/health`, { headers: { authorization: 'Bearer ops' } })).status).toBe(200);
    expect(new Set(asked.map((a) => `${a.action}:${'route' in a ? a.route : ''}`))).toEqual(new Set(['snapshot', 'metrics', 'health', 'subscriptions', 'peers'].map((r) => `admin:${r}`)));
  });

  it('serves public routes without credentials; a public /health tells a refused caller only whether it is ok', async () => {
    const registry = new Registry();
    const m = mesh({ id: 'pub', metrics: { registry } });
    await m.start();
    const url = await serveAdmin(makeApp, m, { auth: (req) => req.headers.authorization === 'Bearer ops', public: ['health', 'metrics'] });
    const probe = await fetch(`${url}/health`);
    expect(probe.status).toBe(200);
    expect(await json(probe)).toEqual({ ok: true });
    expect(await json(await fetch(`${url}/health`, { headers: { authorization: 'Bearer ops' } }))).toMatchObject({ ok: true, id: 'pub', reasons: [] });
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    await expectProblem(await fetch(url), 401, 'ERR_MESH_UNAUTHORIZED');
    await m.close();
    const down = await fetch(`${url}/health`);
    expect(down.status).toBe(503);
    expect(await json(down)).toEqual({ ok: false });
  });

  it('answers 405 with Allow to other methods on its routes, and HEAD like GET without a body', async () => {
    const m = mesh();
    await m.start();
    const url = await serveAdmin(makeApp, m);
    for (const [method, path] of [['POST', '/metrics'], ['DELETE', '/'], ['PUT', '/health']] as const) {
      const res = await fetch(url + path, { method });
      await expectProblem(res, 405, 'ERR_MESH_METHOD_NOT_ALLOWED');
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
    const head = await fetch(`${url}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('passes paths it does not serve to next()', async () => {
    const m = mesh();
    const url = await serveAdmin(makeApp, m);
    for (const path of ['/nope', '/metrics/x', '/__proto__']) {
      const res = await fetch(url + path);
      expect(res.status).toBe(418);
      expect(await res.text()).toBe('after the admin endpoint');
    }
  });
});

describe('meshAdmin options', () => {
  it.each<[string, unknown]>([
    ['public outside the routes', { public: ['health', 'shell'] }],
    ['auth not a function', { auth: 'token' }],
    ['health.timeout not a positive integer', { health: { timeout: 0 } }],
    ['health.peers neither boolean nor list', { health: { peers: 'hub' } }],
    ['backlog not a boolean', { backlog: 'yes' }],
  ])('throws ERR_MESH_INVALID_OPTIONS at meshAdmin(): %s', (_what, options) => {
    expectThrowCode(() => meshAdmin(mesh(), options as MeshAdminOptions), 'ERR_MESH_INVALID_OPTIONS');
  });
});
