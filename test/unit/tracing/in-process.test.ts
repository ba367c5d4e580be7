import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { Mesh, MeshError, MeshEvent } from '../../../src/index.js';
import { hooksOf } from '../../../src/mesh/mesh.js';
import { until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';
import { globalTracingPerTest } from '../../support/otel.js';

const createMesh = closedAfterEach();
const tracing = globalTracingPerTest();

describe('tracing in one process', () => {
  it('a publish inside a span continues its trace: the handler runs in a consumer span of it, and its own publish continues it', async () => {
    const t = tracing();
    const mesh = createMesh();
    await mesh.start();
    const seen: { traceId: string | undefined; event: MeshEvent }[] = [];
    mesh.subscribe('order.created', async (event) => {
      seen.push({ traceId: trace.getActiveSpan()?.spanContext().traceId, event });
      await Promise.resolve();
      await mesh.publish('invoice.created', { order: event.data });
    }, { name: 'billing', group: 'billing' });
    mesh.subscribe('invoice.created', (event) => void seen.push({ traceId: trace.getActiveSpan()?.spanContext().traceId, event }));
    const root = t.tracer.startSpan('checkout');
    await context.with(trace.setSpan(context.active(), root), () => mesh.publish('order.created', 1, { subject: 'o-1' }));
    root.end();
    await until(() => t.spans('process invoice.created').length === 1 && t.spans('process order.created').length === 1);

    const traceId = root.spanContext().traceId;
    expect(seen.map((s) => s.traceId)).toEqual([traceId, traceId]);
    const [send] = t.spans('send order.created');
    const [process] = t.spans('process order.created');
    const [nestedSend] = t.spans('send invoice.created');
    const [nestedProcess] = t.spans('process invoice.created');
    expect(send?.kind).toBe(SpanKind.PRODUCER);
    expect(send?.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(seen[0]?.event['traceparent']).toBe(`00-${traceId}-${send?.spanContext().spanId}-01`);
    expect(process?.kind).toBe(SpanKind.CONSUMER);
    expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    expect(nestedSend?.parentSpanContext?.spanId).toBe(process?.spanContext().spanId);
    expect(nestedProcess?.parentSpanContext?.spanId).toBe(nestedSend?.spanContext().spanId);
    for (const span of [send, process, nestedSend, nestedProcess]) expect(span?.spanContext().traceId).toBe(traceId);
    expect(send?.attributes).toMatchObject({
      'messaging.system': 'evmesh', 'messaging.operation.type': 'send', 'messaging.destination.name': 'order.created',
      'messaging.message.id': seen[0]?.event.id, 'cloudevents.event_id': seen[0]?.event.id,
      'cloudevents.event_type': 'order.created', 'cloudevents.event_subject': 'o-1',
    });
    expect(process?.attributes).toMatchObject({
      'messaging.operation.type': 'process', 'messaging.destination.subscription.name': 'billing',
      'messaging.consumer.group.name': 'billing', 'messaging.evmesh.message.delivery_attempt': 1,
    });
  });

  it('carries tracestate and baggage: the handler sees the publisher\'s baggage', async () => {
    const t = tracing();
    const mesh = createMesh();
    await mesh.start();
    let baggage: string | undefined;
    mesh.subscribe('a.b', () => {
      baggage = propagation.getBaggage(context.active())?.getEntry('tenant')?.value;
    });
    const ctx = propagation.setBaggage(context.active(), propagation.createBaggage({ tenant: { value: 'acme corp' } }));
    const event = context.with(ctx, () => mesh.emit('a.b', 1));
    expect(event['baggage']).toBe('tenant=acme%20corp');
    expect(baggage).toBe('acme corp');
    expect(t.spans('process a.b')).toHaveLength(1);
  });

  it('an event that has a traceparent keeps it, and its tracestate reaches the consumer span', async () => {
    const t = tracing();
    const mesh = createMesh();
    await mesh.start();
    mesh.subscribe('a.b', () => undefined);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const event = await mesh.publish({ type: 'a.b', source: '/x', traceparent, tracestate: 'congo=t61rcWkgMzE' });
    expect(event['traceparent']).toBe(traceparent);
    expect(t.spans('send a.b')).toHaveLength(0);
    const [process] = t.spans('process a.b');
    expect(process?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(process?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(process?.spanContext().traceState?.get('congo')).toBe('t61rcWkgMzE');
  });

  it('each attempt of a failing handler is one process span with status ERROR and the exception', async () => {
    const t = tracing();
    const mesh = createMesh();
    mesh.on('error', () => undefined);
    await mesh.start();
    let calls = 0;
    mesh.subscribe('f.x', async () => {
      calls++;
      throw new Error(`no ${calls}`);
    }, { retry: { attempts: 3, backoff: 1 } });
    mesh.emit('f.x', 1);
    await until(() => t.spans('process f.x').length === 3);
    const spans = t.spans('process f.x');
    expect(spans.map((s) => s.attributes['messaging.evmesh.message.delivery_attempt'])).toEqual([1, 2, 3]);
    expect(spans.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR, SpanStatusCode.ERROR]);
    expect(spans.map((s) => s.events[0]?.name)).toEqual(['exception', 'exception', 'exception']);
    expect(spans.map((s) => s.status.message)).toEqual(['no 1', 'no 2', 'no 3']);
    expect(new Set(spans.map((s) => s.parentSpanContext?.spanId)).size).toBe(1);
  });

  it('a synchronous handler that throws ends its span with ERROR; one that succeeds ends it OK', async () => {
    const t = tracing();
    const mesh = createMesh();
    const errors: MeshError[] = [];
    mesh.on('error', (e) => void errors.push(e));
    await mesh.start();
    mesh.subscribe('s.bad', () => {
      throw new Error('sync');
    });
    mesh.subscribe('s.good', () => 'fine');
    mesh.emit('s.bad', 1);
    mesh.emit('s.good', 2);
    await until(() => errors.length === 1);
    expect(t.spans('process s.bad')[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(t.spans('process s.good')[0]?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('with a tracerProvider given, uses that provider even when none is registered globally', async () => {
    const t = tracing();
    trace.disable();
    const mesh = createMesh({ tracing: { tracerProvider: t.provider } });
    await mesh.start();
    mesh.subscribe('a.b', () => undefined);
    const event = mesh.emit('a.b', 1);
    expect(typeof event['traceparent']).toBe('string');
    expect(t.spans().map((s) => s.name)).toEqual(['send a.b', 'process a.b']);
  });
});

/** Started, `mesh` adds no traceparent and has no tracing hook attached. */
async function expectUntraced(mesh: Mesh): Promise<void> {
  await mesh.start();
  mesh.subscribe('a.b', () => undefined);
  expect(mesh.emit('a.b', 1)['traceparent']).toBeUndefined();
  expect(hooksOf(mesh).onPublish).toBeUndefined();
  expect(hooksOf(mesh).wrapDelivery).toBeUndefined();
}

describe('tracing off', () => {
  it('tracing: false attaches nothing and adds no traceparent, with a provider registered', async () => {
    const t = tracing();
    await expectUntraced(createMesh({ tracing: false }));
    expect(t.spans()).toHaveLength(0);
  });

  it('left automatic with no provider registered, attaches nothing and adds no traceparent', async () => {
    const mesh = createMesh();
    await expectUntraced(mesh);
    expect(hooksOf(mesh).watchesDeliveries).toBe(false);
  });

  it('automatic mode decides at start(): a provider registered later is not used', async () => {
    const mesh = createMesh();
    await mesh.start();
    const t = tracing();
    expect(mesh.emit('a.b', 1)['traceparent']).toBeUndefined();
    expect(t.spans()).toHaveLength(0);
  });
});
