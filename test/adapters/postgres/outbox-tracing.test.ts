// An outbox event belongs to the trace of the code that published it inside its
// transaction, not to the relay that routes it after COMMIT (which runs in no trace).
import { context, trace } from '@opentelemetry/api';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { outbox } from '../../../adapters/postgres/index.js';
import { until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';
import { globalTracingPerTest } from '../../support/otel.js';
import { serviceAvailable } from '../../support/services.js';
import { PG_URL, pgStores } from './pg-fixture.js';

const up = await serviceAvailable('postgres');

describe.runIf(up)('tracing through the outbox', () => {
  const fixture = pgStores();
  const mesh = closedAfterEach();
  const tracing = globalTracingPerTest();

  it('live and durable handlers run in the publisher\'s trace, children of the send span made at box.publish', async () => {
    const t = tracing();
    const app = mesh({ id: 'app', store: fixture.store({ pollInterval: 50 }) });
    const other = mesh({ id: 'other', store: fixture.store({ pollInterval: 50 }) });
    const traces: Record<string, string | undefined> = {};
    app.subscribe('tr.order.paid', () => void (traces['live'] = trace.getActiveSpan()?.spanContext().traceId));
    const sub = other.subscribe('tr.order.paid', () => void (traces['durable'] = trace.getActiveSpan()?.spanContext().traceId), { durable: 'billing' });
    await Promise.all([app.start(), other.start()]);
    await sub.ready;
    const box = outbox(app);

    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const root = t.tracer.startSpan('pay order');
    try {
      await client.query('BEGIN');
      const sent = await context.with(trace.setSpan(context.active(), root), () => box.publish(client, 'tr.order.paid', { id: 7 }));
      // The send span is made in the caller's context, at the insert: its parent is the caller's span.
      const [send] = t.spans('send tr.order.paid');
      expect(send?.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(sent['traceparent']).toBe(`00-${root.spanContext().traceId}-${String(send?.spanContext().spanId)}-01`);
      await client.query('COMMIT');
    } finally {
      root.end();
      await client.end();
    }

    await until(() => t.spans('process tr.order.paid').length === 2, 10_000);
    expect(traces).toEqual({ live: root.spanContext().traceId, durable: root.spanContext().traceId });
    // One send span: the relay's own producer step left the stamped event as it was.
    const [send] = t.spans('send tr.order.paid');
    expect(t.spans('send tr.order.paid')).toHaveLength(1);
    for (const processed of t.spans('process tr.order.paid')) {
      expect(processed.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
      expect(processed.parentSpanContext?.isRemote).toBe(true);
    }
  });
});
