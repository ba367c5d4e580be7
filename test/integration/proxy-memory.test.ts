import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Mesh } from '../../src/index.js';
import { until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

const createMesh = closedAfterEach();
const SUBS = 20_000;
const learned = (mesh: Mesh): number => mesh.peers()[0]?.interest?.learned ?? 0;

describe('remote subscriptions held by a node (issue 16 target 4)', () => {
  it('holds each learned subscription (proxy and interest table) without a target object of its own', async () => {
    const owner = createMesh({ id: 'owner', listen: { port: 0 } });
    for (let i = 0; i < SUBS; i++) owner.subscribe(`orders.r${String(i)}.*`, () => undefined);
    await owner.start();
    const h0 = heapAfterGc();
    const asker = createMesh({ id: 'asker', peers: [`tcp://127.0.0.1:${String(owner.address?.port)}`] });
    await asker.start({ waitForPeers: 10_000 });
    await until(() => learned(asker) === SUBS, 20_000, 5);
    const perSub = (heapAfterGc() - h0) / SUBS;
    expect(asker.peers()[0]?.interest?.routed).toBe(SUBS);
    // Measured (asker's whole mesh, proxies and interest table): 742–749 B with the proxy's
    // target shared with the interest table's record, 797 B with a { node, sub } of its own
    // (40 B each: Node has no pointer compression, 8 B a field).
    expect(perSub).toBeLessThan(772);
  });
});
