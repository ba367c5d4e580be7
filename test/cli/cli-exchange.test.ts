// `evmesh node` (the built bin, a child process) as the meeting point of a stock EventMesh
// TCP client, an HTTP client (POST /events, GET /events/stream) and an embedded evmesh
// peer: each one's events reach the two others, through the node.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMesh, type Mesh, type MeshEvent } from '../../src/index.js';
import { SseReader } from '../express/sse-reader.js';
import { StockClient, bodyJson, cloudEvent, userAgent, type Frame } from '../integration/stock-client.js';
import { until } from '../support/expect-code.js';
import { buildOnce, CliNode } from './cli-process.js';

beforeAll(buildOnce, 180_000);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function postEvent(base: string, type: string, data: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': `h-${type}`, 'ce-source': '/http-client', 'ce-type': type, ...headers },
    body: JSON.stringify(data),
  });
}

describe('evmesh node between a stock client, an HTTP client and an embedded peer', () => {
  it('passes events in every direction', async () => {
    const node = await CliNode.start(['--id', 'gateway']);
    const sse = await SseReader.open(`${node.http}/events/stream?pattern=${encodeURIComponent('from.#')}`);
    cleanup.push(() => sse.close());
    expect(sse.response.status).toBe(200);
    const sub = await StockClient.session(node.tcpPort, 'sub', 'StockGroup', [['from.http'], ['from.peer']]);
    const pub = await StockClient.session(node.tcpPort, 'pub', 'StockGroup');
    cleanup.push(() => sub.destroy(), () => pub.destroy());
    const stockGot: Frame[] = [];
    const ackAll = setInterval(() => {
      for (const push of sub.pushes()) {
        sub.frames.splice(sub.frames.indexOf(push), 1);
        sub.ack(push);
        stockGot.push(push);
      }
    }, 5);
    cleanup.push(() => clearInterval(ackAll));
    const peer: Mesh = createMesh({ id: 'embedded', peers: [`tcp://127.0.0.1:${node.tcpPort}`], logLevel: 'silent' });
    cleanup.push(() => peer.close());
    const peerGot: MeshEvent[] = [];
    // What reached it through the node: not its own events, which its subscription also gets.
    peer.subscribe('from.#', (e) => void (e.source === peer.source || peerGot.push(e)));
    await peer.start({ waitForPeers: 10_000 });

    // stock client → node → HTTP stream and embedded peer (routed by its subject)
    expect((await pub.publish(cloudEvent('from.stock', { n: 1 }))).header.code).toBe(0);
    // HTTP client → node → stock subscriber and embedded peer
    expect((await postEvent(node.http, 'from.http', { n: 2 })).status).toBe(202);
    // embedded peer → node → stock subscriber and HTTP stream
    await peer.publish('from.peer', { n: 3 });

    await until(() => peerGot.length >= 2 && stockGot.length >= 2 && sse.messages().length >= 3, 10_000, 10);
    expect(peerGot.map((e) => [e.subject ?? e.type, e.data]).sort()).toEqual([['from.http', { n: 2 }], ['from.stock', { n: 1 }]]);
    expect(stockGot.map((f) => [bodyJson(f)['type'], bodyJson(f)['data']]).sort()).toEqual([['from.http', { n: 2 }], ['from.peer', { n: 3 }]]);
    const streamed = sse.messages().map((m) => [m.data['subject'] ?? m.data['type'], m.data['data']]);
    expect(streamed.sort()).toEqual([['from.http', { n: 2 }], ['from.peer', { n: 3 }], ['from.stock', { n: 1 }]]);
    expect(await node.stop()).toBe(0);
  });

  it('serves /health (liveness, and readiness with ?store=1&peers=1), /admin and /metrics; the rest is 404', async () => {
    const node = await CliNode.start(['--metrics', '--peer', 'tcp://127.0.0.1:1']);
    const live = await fetch(`${node.http}/health`);
    expect([live.status, await live.json()]).toEqual([200, expect.objectContaining({ ok: true })]);
    const ready = await fetch(`${node.http}/health?store=1&peers=1`);
    expect([ready.status, await ready.json()]).toEqual([503, expect.objectContaining({ ok: false })]);
    const snapshot = (await (await fetch(`${node.http}/admin`)).json()) as { id: string };
    expect(snapshot.id).toBe(node.lines[0]?.node);
    const metrics = await fetch(`${node.http}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('evmesh_events_published_total');
    expect(text).toContain('process_cpu_seconds_total');
    expect((await fetch(`${node.http}/admin/metrics`)).status).toBe(200);
    for (const path of ['/', '/peers', '/nothing', '/eventsx']) expect((await fetch(`${node.http}${path}`)).status, path).toBe(404);
    expect(await node.stop('SIGINT')).toBe(0);
  });

  it('with --http-token and verify tokens: a bearer is needed, a verify token is held to the acl, /health stays public', async () => {
    const acl = JSON.stringify({ billing: { publish: ['com.invoice.#'], subscribe: ['com.order.#'] } });
    const node = await CliNode.start(['--http-token', 'ops-token', '--verify', '{"tokens":{"billing":"billing-token"}}', '--acl', acl]);
    const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
    expect((await postEvent(node.http, 'com.invoice.created', 1)).status).toBe(401);
    expect((await postEvent(node.http, 'com.invoice.created', 1, bearer('wrong'))).status).toBe(401);
    expect((await postEvent(node.http, 'com.payroll.run', 1, bearer('ops-token'))).status).toBe(202);
    expect((await postEvent(node.http, 'com.invoice.created', 1, bearer('billing-token'))).status).toBe(202);
    expect((await postEvent(node.http, 'com.payroll.run', 1, bearer('billing-token'))).status).toBe(403);
    expect((await fetch(`${node.http}/admin`)).status).toBe(401);
    expect((await fetch(`${node.http}/admin`, { headers: bearer('ops-token') })).status).toBe(200);
    const health = await fetch(`${node.http}/health`);
    expect([health.status, await health.json()]).toEqual([200, { ok: true }]);
    // the same verify token admits a stock client (its UserAgent token) as billing; others are refused
    const refused = await StockClient.connect(node.tcpPort);
    cleanup.push(() => refused.destroy());
    const hello = await refused.call('HELLO_REQUEST', 'HELLO_RESPONSE', {}, JSON.stringify({ ...userAgent('pub', 'g'), token: 'nope' }));
    expect(hello.header.code).toBe(1);
    const admitted = await StockClient.connect(node.tcpPort);
    cleanup.push(() => admitted.destroy());
    const ok = await admitted.call('HELLO_REQUEST', 'HELLO_RESPONSE', {}, JSON.stringify({ ...userAgent('pub', 'g'), token: 'billing-token' }));
    expect([ok.header.code, ok.header.desc]).toEqual([0, expect.anything()]);
    expect((await admitted.publish(cloudEvent('com.invoice.sent', 1))).header.code).toBe(0);
    const forbidden = await admitted.publish(cloudEvent('com.payroll.run', 1));
    expect([forbidden.header.code, forbidden.header.desc?.split(':')[0]]).toEqual([1, 'ERR_MESH_FORBIDDEN']);
    expect(await node.stop()).toBe(0);
  });
});
