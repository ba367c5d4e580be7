import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/index.js';
import { webhookSink } from '../../express/index.js';
import { until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';
import { globalTracingPerTest } from '../support/otel.js';
import { EXPRESS_VERSIONS, serve, type Served } from './harness.js';

const createMesh = closedAfterEach();
const tracing = globalTracingPerTest();
const served: Served[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(served.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => {
    s.closeAllConnections();
    s.close(resolve);
  })));
});

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const binary = { 'ce-specversion': '1.0', 'ce-id': 'h-1', 'ce-source': '/http', 'ce-type': 'order.created', 'content-type': 'application/json' };

describe.each(EXPRESS_VERSIONS)('tracing through HTTP ingest on %s', (_name, makeApp) => {
  it('a binary-mode event with a plain traceparent header continues that trace in the handler, with its tracestate and baggage', async () => {
    const t = tracing();
    const mesh = createMesh();
    await mesh.start();
    const seen: { traceId: string | undefined; tenant: string | undefined; event: MeshEvent }[] = [];
    mesh.subscribe('order.created', (event) => void seen.push({
      traceId: trace.getActiveSpan()?.spanContext().traceId,
      tenant: propagation.getBaggage(context.active())?.getEntry('tenant')?.value,
      event,
    }));
    const server = await serve(makeApp, mesh);
    served.push(server);
    const res = await fetch(server.url, {
      method: 'POST', body: '{"n":1}',
      headers: { ...binary, traceparent: TRACEPARENT, tracestate: 'congo=t61rcWkgMzE', baggage: 'tenant=acme' },
    });
    expect(res.status).toBe(202);
    await until(() => t.spans('process order.created').length === 1);
    expect(seen.map((s) => [s.traceId, s.tenant])).toEqual([['4bf92f3577b34da6a3ce929d0e0e4736', 'acme']]);
    expect(seen[0]?.event['traceparent']).toBe(TRACEPARENT);
    expect(seen[0]?.event['tracestate']).toBe('congo=t61rcWkgMzE');
    const [processed] = t.spans('process order.created');
    expect(processed?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(processed?.spanContext().traceState?.get('congo')).toBe('t61rcWkgMzE');
    // The event came with its trace context: no producer span of ours in between.
    expect(t.spans('send order.created')).toHaveLength(0);
  });

  it('a ce-traceparent header is the extension; a plain traceparent beside it does not replace it', async () => {
    tracing();
    const mesh = createMesh();
    await mesh.start();
    const seen: MeshEvent[] = [];
    mesh.subscribe('order.created', (event) => void seen.push(event));
    const server = await serve(makeApp, mesh);
    served.push(server);
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await fetch(server.url, { method: 'POST', body: '{}', headers: { ...binary, 'ce-traceparent': own, traceparent: TRACEPARENT } });
    expect(res.status).toBe(202);
    await until(() => seen.length === 1);
    expect(seen[0]?.['traceparent']).toBe(own);
  });
});

describe('tracing through the webhook sink', () => {
  it('sends the event\'s traceparent and tracestate as plain W3C headers beside the ce- ones', async () => {
    const t = tracing();
    const mesh = createMesh();
    await mesh.start();
    const hits: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      hits.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    webhookSink(mesh, 'order.*', { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` });
    const root = t.tracer.startSpan('checkout');
    const event = await context.with(trace.setSpan(context.active(), root), () => mesh.publish('order.created', { n: 1 }, { tracestate: 'congo=t61rcWkgMzE' }));
    root.end();
    await until(() => hits.length === 1);
    expect(typeof event['traceparent']).toBe('string');
    expect(hits[0]?.['traceparent']).toBe(event['traceparent']);
    expect(hits[0]?.['ce-traceparent']).toBe(event['traceparent']);
    expect(hits[0]?.['tracestate']).toBe('congo=t61rcWkgMzE');
    expect(String(hits[0]?.['traceparent'])).toContain(root.spanContext().traceId);
  });
});
