import { describe, expect, it } from 'vitest';
import { until } from '../support/expect-code.js';
import { bodyJson, type StockClient } from './stock-client.js';
import { isPush, stockFixture } from './stock-fixture.js';

// CLUSTERING sessions as members of a mesh group (PROTOCOL §8.2, §5.1).
const { node, session } = stockFixture();

/** ACKs every push the client gets, counting them by the event's type. */
function ackingAll(client: StockClient): Map<string, number> {
  const byType = new Map<string, number>();
  void (async () => {
    for (;;) {
      const push = await client.next(isPush, 60_000).catch(() => undefined);
      if (push === undefined) return;
      const type = String(bodyJson(push)['type']);
      byType.set(type, (byType.get(type) ?? 0) + 1);
      client.ack(push);
    }
  })();
  return byType;
}

const total = (...counts: Map<string, number>[]): number => counts.flatMap((c) => [...c.values()]).reduce((a, b) => a + b, 0);

describe('stock sessions in a CLUSTERING group', () => {
  it('share the events they both take evenly, whatever other topics, and how many matching ones, each has', async () => {
    const { mesh, port } = await node();
    // Two of many's topics match jobs.created: it is still one member, with one turn.
    const many = ackingAll(await session(port, 'sub', 'workers', [['jobs.#'], ['jobs.created'], ['audit']]));
    const one = ackingAll(await session(port, 'sub', 'workers', [['jobs.created']]));
    for (let i = 0; i < 1000; i++) {
      mesh.emit('jobs.created', i);
      mesh.emit('com.audit', i, { subject: 'audit' }); // only `many` takes these
    }
    await until(() => total(many, one) === 2000, 15_000);
    expect(many.get('com.audit')).toBe(1000);
    expect(one.get('com.audit')).toBeUndefined();
    for (const counts of [many, one]) {
      expect(counts.get('jobs.created')).toBeGreaterThanOrEqual(450);
      expect(counts.get('jobs.created')).toBeLessThanOrEqual(550);
    }
  });

  it('push each event with the command of the item it matches when a session mixes SYNC and ASYNC items', async () => {
    const { mesh, port } = await node();
    const client = await session(port, 'sub', 'g', [['jobs'], ['ask', 'CLUSTERING', 'SYNC']]);
    void mesh.request('ask', 'question', { timeout: 60_000 }).catch(() => undefined);
    mesh.emit('jobs', 'work');
    await until(() => client.frames.filter(isPush).length === 2);
    const pushes = client.frames.filter(isPush).map((p) => [p.header.cmd, bodyJson(p)['data']]);
    expect(pushes).toEqual([['REQUEST_TO_CLIENT', 'question'], ['ASYNC_MESSAGE_TO_CLIENT', 'work']]);
  });
});
