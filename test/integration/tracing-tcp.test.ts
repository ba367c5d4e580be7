import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/index.js';
import { until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';
import { globalTracingPerTest } from '../support/otel.js';

const createMesh = closedAfterEach();
const tracing = globalTracingPerTest();

// Three meshes in this process, linked over real loopback TCP (listen / peers), so
// one in-memory exporter sees the spans of every node.
describe('tracing across peers over TCP', () => {
  it('one trace from a publish on c, through b, to a handler on a, and on to what that handler publishes', async () => {
    const t = tracing();
    const a = createMesh({ id: 'a', listen: { port: 0 } });
    const seen: { node: string; traceId: string | undefined; event: MeshEvent }[] = [];
    a.subscribe('order.created', async (event) => {
      seen.push({ node: 'a', traceId: trace.getActiveSpan()?.spanContext().traceId, event });
      await a.publish('order.billed', event.data);
    });
    a.subscribe('order.billed', (event) => void seen.push({ node: 'a', traceId: trace.getActiveSpan()?.spanContext().traceId, event }));
    await a.start();
    const b = createMesh({ id: 'b', listen: { port: 0 }, peers: [`tcp://127.0.0.1:${String(a.address?.port)}`] });
    await b.start({ waitForPeers: 5000 });
    const c = createMesh({ id: 'c', peers: [`tcp://127.0.0.1:${String(b.address?.port)}`] });
    await c.start({ waitForPeers: 5000 });

    const root = t.tracer.startSpan('checkout');
    await until(async () => {
      // Until c's route to a is known: the first publishes may find no remote interest yet.
      if (seen.length === 0) await context.with(trace.setSpan(context.active(), root), () => c.publish('order.created', 1));
      return seen.length > 0;
    }, 5000, 20);
    root.end();
    await until(() => t.spans('process order.billed').length === 1 && t.spans('process order.created').length >= 1);

    const traceId = root.spanContext().traceId;
    const sends = t.spans('send order.created');
    const [processed] = t.spans('process order.created');
    expect(seen.map((s) => s.traceId)).toEqual([traceId, traceId]);
    // The span that made the event that arrived is its parent; b relayed it without a span of its own.
    const parent = sends.find((s) => s.spanContext().spanId === processed?.parentSpanContext?.spanId);
    expect(parent?.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(seen[0]?.event['traceparent']).toBe(`00-${traceId}-${String(parent?.spanContext().spanId)}-01`);
    expect(t.spans('send order.billed')[0]?.parentSpanContext?.spanId).toBe(processed?.spanContext().spanId);
    for (const span of t.spans()) expect(span.spanContext().traceId).toBe(traceId);
  });
});
