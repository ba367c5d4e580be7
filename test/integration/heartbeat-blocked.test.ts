// A process whose event loop was blocked longer than three heartbeat intervals (a long
// synchronous task) must not drop its peers for a silence that is only its own: what they
// sent meanwhile is waiting, unread, in the sockets.
import { afterEach, expect, it } from 'vitest';
import { createMesh, type Mesh } from '../../src/index.js';
import { until } from '../support/expect-code.js';

const meshes: Mesh[] = [];
afterEach(async () => {
  await Promise.all(meshes.splice(0).map((m) => m.close()));
});

function blockFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy: nothing else runs, timers and sockets included
  }
}

it('keeps a link across a blocked event loop longer than three heartbeat intervals', async () => {
  const interval = 100;
  const server = createMesh({ id: 'server', listen: { port: 0 }, heartbeatInterval: interval });
  meshes.push(server);
  server.subscribe('hb.ping', () => 'pong');
  await server.start();
  const client = createMesh({ id: 'client', peers: [`tcp://127.0.0.1:${String(server.address?.port)}`], heartbeatInterval: interval });
  meshes.push(client);
  const downs: string[] = [];
  for (const m of [server, client]) m.on('peer:down', (p) => void downs.push(`${m.id} lost ${p.node}`));
  await client.start();
  await until(async () => (await client.request('hb.ping', null, { timeout: 500 }).then((r) => r.data, () => undefined)) === 'pong', 5000);

  // Both sides sent heartbeats before the block; both are blocked for 6 intervals.
  const framesIn = (m: Mesh): number => m.inspect().peers.reduce((n, p) => n + (p.in?.frames ?? 0), 0);
  const before = framesIn(client);
  const serverBefore = framesIn(server);
  blockFor(6 * interval);
  // Heartbeats answered after the block: several heartbeat ticks have run since it ended.
  await until(() => framesIn(client) >= before + 3 && framesIn(server) >= serverBefore + 3, 5000);
  expect(downs).toEqual([]);
  expect(client.peers().map((p) => p.node)).toEqual(['server']);
});
