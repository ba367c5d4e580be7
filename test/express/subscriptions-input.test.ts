import { afterEach, describe, expect, it } from 'vitest';
import type { MeshErrorCode } from '../../src/index.js';
import { subscriptionsApi, type SubscriptionsAccess } from '../../express/index.js';
import { closedAfterEach } from '../support/meshes.js';
import { expectThrowCode } from '../support/expect-code.js';
import { EXPRESS_VERSIONS, expectProblem } from './harness.js';
import { serveApi, subscribe, type ServedApi } from './subscriptions-support.js';

const createMesh = closedAfterEach();
const open: ServedApi[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

const SINK = 'http://127.0.0.1:9/hook';
const BAD: [string, unknown, number, MeshErrorCode, string][] = [
  ['no sink', { protocol: 'HTTP' }, 400, 'ERR_MESH_INVALID_OPTIONS', 'sink'],
  ['a relative sink', { sink: '/hook', protocol: 'HTTP' }, 400, 'ERR_MESH_INVALID_OPTIONS', 'sink'],
  ['a sink that is not http', { sink: 'ftp://host/x', protocol: 'HTTP' }, 400, 'ERR_MESH_INVALID_OPTIONS', 'sink'],
  ['no protocol', { sink: SINK }, 400, 'ERR_MESH_INVALID_OPTIONS', 'protocol'],
  ['another protocol', { sink: SINK, protocol: 'MQTT5' }, 400, 'ERR_MESH_INVALID_OPTIONS', 'protocol'],
  ['protocol in lower case', { sink: SINK, protocol: 'http' }, 400, 'ERR_MESH_INVALID_OPTIONS', 'protocol'],
  ['empty types', { sink: SINK, protocol: 'HTTP', types: [] }, 400, 'ERR_MESH_INVALID_OPTIONS', 'types'],
  ['a wildcard type', { sink: SINK, protocol: 'HTTP', types: ['a.b', 'a.*'] }, 400, 'ERR_MESH_INVALID_TOPIC', 'types[1]'],
  ['a malformed filter', { sink: SINK, protocol: 'HTTP', filters: [{ exact: { type: 'a' } }, { nope: {} }] }, 400, 'ERR_MESH_INVALID_FILTER', 'filters[1]'],
  ['a CESQL filter that does not parse', { sink: SINK, protocol: 'HTTP', filters: [{ sql: "type = 'a" }] }, 400, 'ERR_MESH_INVALID_FILTER', 'filters[0]'],
  ['filters not an array', { sink: SINK, protocol: 'HTTP', filters: { exact: { type: 'a' } } }, 400, 'ERR_MESH_INVALID_FILTER', 'filters'],
  ['an empty source', { sink: SINK, protocol: 'HTTP', source: '' }, 400, 'ERR_MESH_INVALID_OPTIONS', 'source'],
  ['a header the binding sets', { sink: SINK, protocol: 'HTTP', protocolsettings: { headers: { 'Content-Type': 'text/plain' } } }, 400, 'ERR_MESH_INVALID_OPTIONS', 'protocolsettings.headers.Content-Type'],
  ['a header value with a newline', { sink: SINK, protocol: 'HTTP', protocolsettings: { headers: { 'x-a': 'a\r\nb: c' } } }, 400, 'ERR_MESH_INVALID_OPTIONS', 'protocolsettings.headers.x-a'],
  ['an unknown HTTP setting', { sink: SINK, protocol: 'HTTP', protocolsettings: { qos: 1 } }, 400, 'ERR_MESH_INVALID_OPTIONS', 'protocolsettings.qos'],
  ['method GET', { sink: SINK, protocol: 'HTTP', protocolsettings: { method: 'GET' } }, 400, 'ERR_MESH_INVALID_OPTIONS', 'protocolsettings.method'],
  ['a sinkcredential', { sink: SINK, protocol: 'HTTP', sinkcredential: { credentialtype: 'PLAIN' } }, 400, 'ERR_MESH_INVALID_OPTIONS', 'sinkcredential'],
  ['an unknown property', { sink: SINK, protocol: 'HTTP', filter: {} }, 400, 'ERR_MESH_INVALID_OPTIONS', 'filter'],
  ['not an object', [1], 400, 'ERR_MESH_INVALID_OPTIONS', '(body)'],
  ['the dead-letter type', { sink: SINK, protocol: 'HTTP', types: ['subs.dlq'] }, 400, 'ERR_MESH_INVALID_OPTIONS', 'types[0]'],
  ['a sink outside allowedSinks', { sink: 'http://127.0.0.1.evil.net/hook', protocol: 'HTTP' }, 403, 'ERR_MESH_FORBIDDEN', 'sink'],
];

describe.each(EXPRESS_VERSIONS)('subscriptionsApi input on %s', (_name, makeApp) => {
  it.each(BAD)('refuses %s, naming the field', async (_case, body, status, code, field) => {
    const served = await serveApi(makeApp, createMesh(), { deadLetter: 'subs.dlq', allowedSinks: ['http://127.0.0.1:9/', 'http://127.0.0.1'] });
    open.push(served);
    const problem = await expectProblem(await subscribe(served.url, body), status, code);
    expect(problem['field']).toBe(field);
    if (field === 'protocol') expect(problem['supported']).toEqual(['HTTP']);
    expect(await (await fetch(served.url)).json()).toEqual([]);
  });

  it('refuses a body that is not JSON (400) or not sent as JSON (415)', async () => {
    const served = await serveApi(makeApp, createMesh());
    open.push(served);
    const notJson = await fetch(served.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sink":' });
    expect((await expectProblem(notJson, 400, 'ERR_MESH_INVALID_OPTIONS'))['field']).toBe('(body)');
    await expectProblem(await fetch(served.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }), 415, 'ERR_MESH_UNSUPPORTED_MEDIA_TYPE');
  });

  it('holds at most maxSubscriptions (409 past it)', async () => {
    const served = await serveApi(makeApp, createMesh(), { maxSubscriptions: 1 });
    open.push(served);
    expect((await subscribe(served.url, { sink: SINK, protocol: 'HTTP' })).status).toBe(201);
    await expectProblem(await subscribe(served.url, { sink: SINK, protocol: 'HTTP' }), 409, 'ERR_MESH_TOO_MANY_SUBSCRIPTIONS');
    expect(served.api.size).toBe(1);
  });

  it('asks auth with what each request wants, and holds an identity to its acl grant', async () => {
    const mesh = createMesh({ acl: { tenant: { subscribe: ['tenant.#'] } } });
    mesh.on('error', () => undefined);
    const seen: SubscriptionsAccess[] = [];
    const served = await serveApi(makeApp, mesh, {
      auth: (req, access) => {
        seen.push(access);
        return req.headers.authorization === 'Bearer t' ? { identity: 'tenant' } : false;
      },
    });
    open.push(served);
    const as = { authorization: 'Bearer t' };
    await expectProblem(await subscribe(served.url, { sink: SINK, protocol: 'HTTP' }), 401, 'ERR_MESH_UNAUTHORIZED');
    expect((await expectProblem(await subscribe(served.url, { sink: SINK, protocol: 'HTTP' }, as), 403, 'ERR_MESH_FORBIDDEN'))['field']).toBe('types');
    const refused = await subscribe(served.url, { sink: SINK, protocol: 'HTTP', types: ['tenant.a', 'other.b'] }, as);
    expect((await expectProblem(refused, 403, 'ERR_MESH_FORBIDDEN'))['field']).toBe('types[1]');
    const ok = await subscribe(served.url, { sink: SINK, protocol: 'HTTP', types: ['tenant.a'] }, as);
    const { id } = (await ok.json()) as { id: string };
    await fetch(`${served.url}/${id}`, { method: 'DELETE', headers: as });
    expect(seen.slice(-2)).toEqual([
      { action: 'subscriptions', operation: 'create' },
      { action: 'subscriptions', operation: 'delete', id },
    ]);
  });

  it('throws at once for bad options', () => {
    const mesh = createMesh();
    expectThrowCode(() => subscriptionsApi(mesh, { allowedSinks: ['not a url'] }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => subscriptionsApi(mesh, { deadLetter: 'a.*' }), 'ERR_MESH_INVALID_TOPIC');
    expectThrowCode(() => subscriptionsApi(mesh, { maxSubscriptions: 0 }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => subscriptionsApi(mesh, { retry: { attempts: 0 } }), 'ERR_MESH_INVALID_OPTIONS');
  });
});
