import { describe, expect, it } from 'vitest';
import type { DeliveryContext, Mesh } from '../../../src/index.js';
import { kernelOf } from '../../../src/mesh/mesh.js';
import { until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const createMesh = closedAfterEach();

/** Every object reachable from `root` through own properties (any key) and prototype getters. */
function reachable(root: object, depth = 8): Set<unknown> {
  const seen = new Set<unknown>();
  let layer: unknown[] = [root];
  for (let d = 0; d < depth && layer.length > 0; d++) {
    const next: unknown[] = [];
    for (const value of layer) {
      if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) continue;
      seen.add(value);
      for (const key of Reflect.ownKeys(value)) {
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if (descriptor !== undefined && 'value' in descriptor) next.push(descriptor.value);
      }
      for (let proto = Object.getPrototypeOf(value) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
        for (const key of Reflect.ownKeys(proto)) {
          const getter = Object.getOwnPropertyDescriptor(proto, key)?.get;
          if (getter === undefined) continue;
          try {
            next.push(getter.call(value));
          } catch {
            // a getter that needs another receiver reveals nothing here
          }
        }
      }
    }
    layer = next;
  }
  return seen;
}

function internals(mesh: Mesh): object[] {
  const k = kernelOf(mesh);
  return [k, k.table, k.publisher, k.durables, k.hooks, k.requests, k.signals];
}

describe('a handler\'s ctx', () => {
  it('has exactly its documented fields, on the first attempt and on retries', async () => {
    const mesh = createMesh();
    const contexts: DeliveryContext[] = [];
    let calls = 0;
    mesh.subscribe('c.*', (_e, ctx) => {
      contexts.push(ctx);
      if (++calls === 1) throw new Error('again');
    }, { group: 'g', retry: { attempts: 2, backoff: 1 } });
    mesh.on('error', () => undefined);
    mesh.emit('c.x', 1);
    await until(() => contexts.length === 2);
    for (const ctx of contexts) expect(Object.keys(ctx).sort()).toEqual(['attempt', 'group', 'pattern', 'subscription']);
    expect(contexts.map((c) => [c.pattern, c.attempt, c.group])).toEqual([['c.*', 1, 'g'], ['c.*', 2, 'g']]);
  });

  it('leads nowhere inside the mesh: neither ctx nor the subscription handle reaches the kernel or its parts', async () => {
    const mesh = createMesh();
    const contexts: DeliveryContext[] = [];
    mesh.subscribe('p.*', (_e, ctx) => void contexts.push(ctx));
    mesh.subscribe('p.*', async (_e, ctx) => void contexts.push(ctx), { concurrency: 2, orderingKey: 'subject' });
    const durable = mesh.subscribe('p.*', (_e, ctx) => void contexts.push(ctx), { durable: 'p' });
    mesh.subscribe('p.*', (_e, ctx) => void contexts.push(ctx), { pipe: (events$) => events$ });
    await durable.ready;
    await mesh.publish('p.x', 1, { subject: 's' });
    await until(() => contexts.length === 4);
    const hidden = internals(mesh);
    for (const ctx of contexts) {
      const found = reachable(ctx);
      expect(found.has(ctx.subscription)).toBe(true);
      for (const part of hidden) expect(found.has(part)).toBe(false);
    }
  });
});
