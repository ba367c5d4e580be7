import { describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/index.js';
import { deferred, until } from '../support/expect-code.js';
import { cloudEvent } from './stock-client.js';
import { sleep, stockFixture } from './stock-fixture.js';

// Full subscriptions (maxQueued) fed over real TCP: by a peer node (PROTOCOL §5.5) and by a
// stock EventMesh client (§8.4).
const { node, session, linkedPair } = stockFixture();

describe('events from a peer over TCP into a full subscription', () => {
  it('are refused with ERR_MESH_SLOW_CONSUMER on the receiving node, the others delivered', async () => {
    const gate = deferred();
    const seen: unknown[] = [];
    // Subscribed before the link comes up: at 'peer:up' a knows it.
    const { a, bErrors } = await linkedPair((b) => b.subscribe('o.created', async (e) => {
      seen.push(e.data);
      await gate.promise;
    }, { maxQueued: 1, name: 'slow' }));
    a.emit('o.created', 'first');
    await until(() => seen.length === 1); // running, holding the handler
    a.emit('o.created', 'queued');
    const refused = a.emit('o.created', 'refused');
    await until(() => bErrors.length > 0);
    expect(bErrors.map((e) => [e.code, e.details?.['eventId'], e.details?.['subscription']])).toEqual([['ERR_MESH_SLOW_CONSUMER', refused.id, 'slow']]);
    gate.resolve();
    await until(() => seen.length === 2);
    expect(seen).toEqual(['first', 'queued']);
  });
});

describe('a stock EventMesh client publishing', () => {
  it('publishing into a full subscription is ACKed only once the event has its place', async () => {
    const { mesh, port, errors } = await node();
    const gate = deferred();
    const seen: MeshEvent[] = [];
    mesh.subscribe('jobs', async (e) => {
      seen.push(e);
      await gate.promise;
    }, { maxQueued: 1 });
    const pub = await session(port, 'pub');
    await pub.publish(cloudEvent('jobs', 1)); // runs
    await pub.publish(cloudEvent('jobs', 2)); // waits in the queue
    let acked = false;
    const third = pub.publish(cloudEvent('jobs', 3)).then((ack) => {
      acked = true;
      return ack;
    });
    await sleep(100);
    expect(acked).toBe(false);
    gate.resolve();
    expect((await third).header.code).toBe(0);
    await until(() => seen.length === 3);
    expect(seen.map((e) => e.data)).toEqual([1, 2, 3]);
    expect(errors).toEqual([]);
  });
});
