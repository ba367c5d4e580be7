import { describe, expect, it } from 'vitest';
import { type DeliveryContext, type Mesh, type MeshError, type MeshEvent } from '../../../src/index.js';
import { resolveRetry } from '../../../src/delivery/retry.js';
import { until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const tracked = closedAfterEach();
const createMeshWithLogger = (): Mesh => tracked({ logger: { error: () => undefined } });
function mesh(): { m: Mesh; errors: MeshError[] } {
  const m = tracked();
  const errors: MeshError[] = [];
  m.on('error', (e) => void errors.push(e));
  return { m, errors };
}

describe('retry', () => {
  it('retries a throwing handler with the attempt number until it succeeds', async () => {
    const { m, errors } = mesh();
    const attempts: number[] = [];
    m.subscribe('o.created', (_e, ctx: DeliveryContext) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt < 3) throw new Error(`fail ${ctx.attempt}`);
    }, { retry: { attempts: 5, backoff: 1 } });
    const ev = m.emit('o.created', 1);
    await until(() => attempts.length === 3);
    expect(attempts).toEqual([1, 2, 3]);
    expect(errors.map((e) => [e.code, e.details?.['attempt'], e.details?.['willRetry'], e.details?.['eventId']])).toEqual([
      ['ERR_MESH_HANDLER_FAILED', 1, true, ev.id],
      ['ERR_MESH_HANDLER_FAILED', 2, true, ev.id],
    ]);
    expect((errors[0]?.cause as Error).message).toBe('fail 1');
  });

  it('retries a rejecting async handler', async () => {
    const { m } = mesh();
    let runs = 0;
    m.subscribe('o.created', async () => {
      if (++runs < 2) throw new Error('not yet');
    }, { retry: { attempts: 2, backoff: 0 } });
    m.emit('o.created');
    await until(() => runs === 2);
  });

  it('holds later events of the lane back while an earlier one is being retried', async () => {
    const { m } = mesh();
    const order: string[] = [];
    m.subscribe('o.created', (e, ctx) => {
      order.push(`${String(e.data)}#${ctx.attempt}`);
      if (e.data === 'a' && ctx.attempt === 1) throw new Error('once');
    }, { retry: { attempts: 2, backoff: 5 } });
    m.emit('o.created', 'a');
    m.emit('o.created', 'b');
    await until(() => order.length === 3);
    expect(order).toEqual(['a#1', 'a#2', 'b#1']);
  });

  it('dead-letters an event after the last attempt, keeping its data and saying what failed', async () => {
    const { m, errors } = mesh();
    const letters: MeshEvent[] = [];
    m.subscribe('com.shop.dlq', (e) => void letters.push(e));
    m.subscribe('com.shop.order.*', () => {
      throw Object.assign(new Error('card declined'), { code: 'E_CARD' });
    }, { retry: { attempts: 3, backoff: 0 }, deadLetter: 'com.shop.dlq', name: 'billing-orders' });
    const original = m.emit('com.shop.order.created', { id: 7 }, { subject: '7' });
    await until(() => letters.length === 1);
    expect(letters[0]).toMatchObject({
      type: 'com.shop.dlq',
      data: { id: 7 },
      subject: '7',
      originalid: original.id,
      originaltype: 'com.shop.order.created',
      originalsource: original.source,
      subscription: 'billing-orders',
      deliveryattempts: 3,
      lasterror: 'card declined',
      lasterrorcode: 'E_CARD',
    });
    expect(errors.filter((e) => e.code === 'ERR_MESH_HANDLER_FAILED').map((e) => e.details?.['willRetry'])).toEqual([true, true, false]);
  });

  it('dead-letters at once when there is no retry', () => {
    const { m } = mesh();
    const letters: MeshEvent[] = [];
    m.subscribe('dlq', (e) => void letters.push(e));
    m.subscribe('x', () => {
      throw new Error('no');
    }, { deadLetter: 'dlq' });
    m.emit('x', 1);
    expect(letters.map((e) => e.deliveryattempts)).toEqual([1]);
  });

  it('reports a backoff function that throws and stops retrying, without crashing', async () => {
    const { m, errors } = mesh();
    const letters: unknown[] = [];
    m.subscribe('dlq', (e) => void letters.push(e.data));
    m.subscribe('x', async () => {
      throw new Error('fail');
    }, { retry: { attempts: 3, backoff: () => {
      throw new Error('bad backoff');
    } }, deadLetter: 'dlq' });
    m.emit('x', 'e');
    await until(() => letters.length === 1);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_HANDLER_FAILED', 'ERR_MESH_INVALID_OPTIONS']);
  });

  it('computes exponential backoff capped by maxBackoff, or asks a function', () => {
    const exp = resolveRetry({ attempts: 5, backoff: 100, maxBackoff: 350 });
    expect([1, 2, 3, 4].map((n) => exp.delay(n))).toEqual([100, 200, 350, 350]);
    const custom = resolveRetry({ attempts: 3, backoff: (n) => n * 7 });
    expect(custom.delay(2)).toBe(14);
    expect(resolveRetry(undefined).attempts).toBe(1);
  });
});

describe('handler errors', () => {
  it('are logged, not thrown, when nobody listens to "error"', () => {
    const logged: unknown[] = [];
    const m = tracked({ logger: { error: (_msg, err) => void logged.push(err) } });
    m.subscribe('x', () => {
      throw new Error('boom');
    });
    expect(() => m.emit('x')).not.toThrow();
    expect(logged).toEqual([expect.objectContaining({ code: 'ERR_MESH_HANDLER_FAILED' })]);
  });

  it('survive an error listener that throws', () => {
    const logged: unknown[] = [];
    const m = tracked({ logger: { error: (_msg, err) => void logged.push(err) } });
    m.on('error', () => {
      throw new Error('listener bug');
    });
    m.subscribe('x', () => {
      throw new Error('boom');
    });
    expect(() => m.emit('x')).not.toThrow();
    expect(logged).toHaveLength(1);
  });

  it('reach every listener even when one of them throws', () => {
    const m = createMeshWithLogger();
    let second = 0;
    m.on('error', () => {
      throw new Error('listener bug');
    }).on('error', () => void second++);
    m.subscribe('x', () => {
      throw new Error('boom');
    });
    m.emit('x');
    expect(second).toBe(1);
  });

  it('stop being delivered to a listener removed with off()', () => {
    const { m } = mesh();
    const seen: MeshError[] = [];
    const listener = (e: MeshError): void => void seen.push(e);
    m.on('error', listener).off('error', listener);
    m.subscribe('x', () => {
      throw new Error('boom');
    });
    m.emit('x');
    expect(seen).toEqual([]);
  });
});
