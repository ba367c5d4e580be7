import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { until } from '../support/expect-code.js';
import { globalTracingPerTest } from '../support/otel.js';
import { bodyJson, cloudEvent } from './stock-client.js';
import { stockFixture } from './stock-fixture.js';

const { node, session } = stockFixture();
const tracing = globalTracingPerTest();

describe('tracing with stock EventMesh clients', () => {
  it('an event a stock client publishes with a traceparent is handled in that trace', async () => {
    const t = tracing();
    const { mesh, port } = await node();
    const traceIds: (string | undefined)[] = [];
    mesh.subscribe('#', () => void traceIds.push(trace.getActiveSpan()?.spanContext().traceId), { filter: { exact: { subject: 'orders.created' } } });
    const client = await session(port, 'pub', 'g');
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const sent = await client.publish(cloudEvent('orders.created', 1, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` }));
    expect(sent.header.code).toBe(0);
    await until(() => traceIds.length === 1);
    expect(traceIds).toEqual([traceId]);
    const [processed] = t.spans('process cloudevents');
    expect(processed?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  });

  it('a stock client receives the traceparent of an event published inside a span, as a property of the pushed event', async () => {
    const t = tracing();
    const { mesh, port } = await node();
    const client = await session(port, 'sub', 'g', [['orders.shipped', 'BROADCASTING', 'ASYNC']]);
    await until(() => mesh.inspect().stockSessions.some((s) => s.listening));
    const root = t.tracer.startSpan('ship');
    await context.with(trace.setSpan(context.active(), root), () => mesh.publish('com.shop.order.shipped', 1, { subject: 'orders.shipped' }));
    root.end();
    await until(() => client.pushes('ASYNC_MESSAGE_TO_CLIENT').length + client.pushes('BROADCAST_MESSAGE_TO_CLIENT').length === 1);
    const push = [...client.pushes('ASYNC_MESSAGE_TO_CLIENT'), ...client.pushes('BROADCAST_MESSAGE_TO_CLIENT')][0];
    const traceparent = String(bodyJson(push as never)['traceparent']);
    expect(traceparent.split('-')[1]).toBe(root.spanContext().traceId);
    // The stock session's subscription runs no user code: no process span for it.
    expect(t.spans('process com.shop.order.shipped')).toHaveLength(0);
  });
});
