import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { until } from '../support/expect-code.js';
import { stockFixture } from '../integration/stock-fixture.js';
import { sample } from './prom.js';

const { node, session } = stockFixture();

describe('stock EventMesh clients in inspect() and the metrics', () => {
  it('lists each session with its identity, group, topics and pushes not ACKed yet', async () => {
    const registry = new Registry();
    const { mesh, port } = await node({ metrics: { registry } });
    const client = await session(port, 'sub', 'billing', [['com.shop.order', 'CLUSTERING', 'ASYNC']]);
    await until(() => mesh.inspect().stockSessions.some((s) => s.listening));
    for (let i = 0; i < 3; i++) mesh.emit('com.shop.order.created', i, { subject: 'com.shop.order' });
    await until(() => client.pushes().length === 3);
    expect(mesh.inspect().stockSessions).toEqual([expect.objectContaining({
      group: 'billing', purpose: 'sub', topics: ['com.shop.order'], listening: true, unacked: 3, queued: 0,
    })]);
    expect(await sample(registry, 'evmesh_stock_sessions')).toBe(1);
    expect(await sample(registry, 'evmesh_stock_unacked')).toBe(3);
    for (const push of client.pushes()) client.ack(push);
    await until(() => mesh.inspect().stockSessions[0]?.unacked === 0);
    expect(await sample(registry, 'evmesh_link_changes_total', { kind: 'client', change: 'up' })).toBe(1);
    client.destroy();
    await until(() => mesh.inspect().stockSessions.length === 0);
    expect(await sample(registry, 'evmesh_stock_sessions')).toBe(0);
  });
});
