import { randomBytes } from 'node:crypto';
import { context, trace } from '@opentelemetry/api';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisStore } from '../../adapters/redis/index.js';
import { until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';
import { globalTracingPerTest } from '../support/otel.js';
import { serviceAvailable } from '../support/services.js';

const up = await serviceAvailable('redis');
const stream = `evmesh-test:${randomBytes(5).toString('hex')}`;
const url = 'redis://127.0.0.1:6379';
const createMesh = closedAfterEach();
const tracing = globalTracingPerTest();

afterAll(async () => {
  if (!up) return;
  const redis = new Redis(url);
  await redis.del(stream, `${stream}:durables`);
  await redis.quit();
});

describe.runIf(up)('tracing through a Redis durable', () => {
  it('a durable handler on another mesh runs in the publisher\'s trace, its consumer span a child of the producer span', async () => {
    const t = tracing();
    const consumer = createMesh({ id: 'consumer', store: redisStore({ url, stream }) });
    const traces: (string | undefined)[] = [];
    const sub = consumer.subscribe('order.created', async () => {
      await Promise.resolve();
      traces.push(trace.getActiveSpan()?.spanContext().traceId);
    }, { durable: 'billing' });
    await consumer.start();
    await sub.ready;
    const producer = createMesh({ id: 'producer', store: redisStore({ url, stream }) });
    await producer.start();

    const root = t.tracer.startSpan('checkout');
    const sent = await context.with(trace.setSpan(context.active(), root), () => producer.publish('order.created', { n: 1 }));
    root.end();
    await until(() => t.spans('process order.created').length === 1, 5000);

    const [send] = t.spans('send order.created');
    const [processed] = t.spans('process order.created');
    expect(traces).toEqual([root.spanContext().traceId]);
    expect(sent['traceparent']).toBe(`00-${root.spanContext().traceId}-${String(send?.spanContext().spanId)}-01`);
    expect(processed?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    expect(processed?.parentSpanContext?.isRemote).toBe(true);
    expect(processed?.attributes).toMatchObject({ 'messaging.consumer.group.name': 'billing', 'messaging.destination.subscription.name': 'billing' });
  });
});
