import { describe, expect, it } from 'vitest';
import type { MeshError } from '../../src/index.js';
import { until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';
import { StockClient, userAgent } from './stock-client.js';

// limits.maxOutboundBytes: one bound on the bytes a node holds for all its links, against peers that stop reading.
const createMesh = closedAfterEach();
const MiB = 1024 * 1024;
const BOUND = 5 * MiB;

/** A peer speaking the mesh protocol by hand (PROTOCOL §2.2, §4.1, §4.3): it advertises `pattern`, then stops reading. */
async function stalledPeer(port: number, node: string, pattern: string): Promise<StockClient> {
  const client = await StockClient.connect(port);
  const hello = await client.call('HELLO_REQUEST', 'HELLO_RESPONSE', { evmeshnode: node, evmeshproto: '1' }, JSON.stringify({ ...userAgent('sub', 'evmesh'), subsystem: node }));
  if (hello.header.code !== 0) throw new Error(`HELLO refused: ${String(hello.header.desc)}`);
  client.send('SUBSCRIBE_REQUEST', {
    properties: { evmeshsub: 's1', evmeshnode: node, evmeshpath: JSON.stringify([node]) },
    body: JSON.stringify({ topicList: [{ topic: pattern, mode: 'BROADCASTING', type: 'ASYNC' }] }),
  });
  client.send('LISTEN_REQUEST');
  client.socket.pause();
  return client;
}

describe('limits.maxOutboundBytes', () => {
  it('keeps the bytes queued for peers that stop reading under the bound, dropping the slowest, while a reading peer is answered', async () => {
    const hub = createMesh({ id: 'hub', listen: { port: 0 }, heartbeatInterval: 60_000, limits: { maxOutboundBytes: BOUND } });
    const errors: MeshError[] = [];
    hub.on('error', (e) => void errors.push(e));
    hub.subscribe('calc', (e) => `answer ${String(e.data)}`);
    await hub.start();
    const port = hub.address?.port as number;
    const legit = createMesh({ id: 'legit', peers: [`tcp://127.0.0.1:${String(port)}`] });
    await legit.start({ waitForPeers: 5000 });
    const stalled = await Promise.all(['slow1', 'slow2', 'slow3', 'slow4'].map((node) => stalledPeer(port, node, 'big.#')));
    try {
      await until(() => hub.peers().filter((p) => p.state === 'linked').length === 5, 5000);
      const payload = 'x'.repeat(256 * 1024);
      let most = 0;
      const asked: Promise<unknown>[] = [];
      const dropped = (): number => errors.filter((e) => e.code === 'ERR_MESH_WIRE_BACKPRESSURE').length;
      await until(() => {
        for (let i = 0; i < 4; i++) hub.emit('big.data', payload);
        if (asked.length < 50) asked.push(legit.request('calc', asked.length, { timeout: 5000 }).then((r) => r.data));
        const queued = hub.peers().reduce((sum, p) => sum + (p.outbound?.queuedBytes ?? 0), 0);
        most = Math.max(most, queued);
        return dropped() >= 4;
      }, 30_000);
      expect(most).toBeLessThanOrEqual(BOUND);
      expect(errors.map((e) => [e.code, e.details?.['global']])).toEqual(Array(4).fill(['ERR_MESH_WIRE_BACKPRESSURE', true]));
      // Every request the reading peer made meanwhile was answered.
      expect(await Promise.all(asked)).toEqual(asked.map((_, i) => `answer ${String(i)}`));
      // The stalled peers were dropped (they read nothing, so they cannot see it); the reading peer kept its link and is answered.
      expect(hub.peers().map((p) => p.node)).toEqual(['legit']);
      expect((await legit.request('calc', 1, { timeout: 2000 })).data).toBe('answer 1');
    } finally {
      for (const c of stalled) c.destroy();
    }
  });
});
