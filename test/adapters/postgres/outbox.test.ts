// The transactional outbox: an event inserted in the caller's transaction exists for
// durable and live subscribers (local, and on a federated peer over TCP) only if that
// transaction commits, and is routed live once.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { outbox, type Outbox } from '../../../adapters/postgres/index.js';
import { memoryStore, type Mesh, type MeshEvent } from '../../../src/index.js';
import { expectThrowCode, until } from '../../support/expect-code.js';
import { freePort } from '../../support/free-port.js';
import { remoteInterest } from '../../support/interest.js';
import { closedAfterEach } from '../../support/meshes.js';
import { serviceAvailable } from '../../support/services.js';
import { PG_URL, pgStores } from './pg-fixture.js';

const up = await serviceAvailable('postgres');

/** Runs `work` with a client of its own, ended after. */
async function withClient(work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** Runs `work` in a transaction of a client of its own, committed or rolled back. */
function inTransaction(end: 'COMMIT' | 'ROLLBACK', work: (client: pg.Client) => Promise<void>): Promise<void> {
  return withClient(async (client) => {
    await client.query('BEGIN');
    await work(client);
    await client.query(end);
  });
}

describe.runIf(up)('outbox(mesh) on a postgresStore', () => {
  const fixture = pgStores();
  const mesh = closedAfterEach();

  it('refuses a mesh whose store is not a postgresStore', () => {
    expectThrowCode(() => outbox(mesh({ store: memoryStore() })), 'ERR_MESH_INVALID_OPTIONS');
  });

  it('refuses an executor without query()', async () => {
    const box = outbox(mesh({ store: fixture.store() }));
    await expect(box.publish({} as never, 'ob.bad', 1)).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_OPTIONS' });
  });

  it('validates the event like mesh.publish', async () => {
    const box = outbox(mesh({ store: fixture.store() }));
    await inTransaction('ROLLBACK', async (client) => {
      await expect(box.publish(client, 'bad topic with spaces', 1)).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_TOPIC' });
    });
  });

  it('commit: live (same mesh) and durable (another mesh) subscribers get it once; rollback: nobody, ever', async () => {
    const app = mesh({ store: fixture.store({ pollInterval: 50 }) });
    const other = mesh({ store: fixture.store({ pollInterval: 50 }) });
    const live: MeshEvent[] = [];
    const durable: MeshEvent[] = [];
    app.subscribe('ob.order.*', (e) => void live.push(e));
    await other.subscribe('ob.order.*', (e) => void durable.push(e), { durable: 'orders' }).ready;
    const box = outbox(app);
    let sent: MeshEvent | undefined;
    await inTransaction('ROLLBACK', async (client) => {
      await box.publish(client, 'ob.order.cancelled', { id: 1 });
    });
    await inTransaction('COMMIT', async (client) => {
      sent = await box.publish(client, 'ob.order.paid', { id: 2 }, { subject: 'order-2' });
      // Inserted, not committed: nothing is routed yet.
      expect(live).toEqual([]);
    });
    await until(() => live.length >= 1 && durable.length >= 1, 10_000);
    // A later event, published the ordinary way, arrives after the outbox one: a fence for duplicates.
    await app.publish('ob.order.fence', null);
    await until(() => live.length >= 2 && durable.length >= 2, 10_000);
    expect(live.map((e) => e.type)).toEqual(['ob.order.paid', 'ob.order.fence']);
    expect(durable.map((e) => e.type)).toEqual(['ob.order.paid', 'ob.order.fence']);
    for (const got of [live[0], durable[0]]) {
      expect(got).toMatchObject({ id: sent?.id, source: sent?.source, subject: 'order-2', data: { id: 2 } });
      // The relay's mark stays in the table.
      expect(got?.['evmeshoutbox']).toBeUndefined();
    }
    expect(sent?.['evmeshoutbox']).toBeUndefined();
  });

  it('takes a whole event (the second publish form), and does not relay live what mesh.publish routed already', async () => {
    const app = mesh({ store: fixture.store({ pollInterval: 50 }) });
    const live: string[] = [];
    app.subscribe('ob.form.*', (e) => void live.push(e.type));
    const box = outbox(app);
    await app.publish('ob.form.plain', 1);
    await inTransaction('COMMIT', async (client) => {
      await box.publish(client, { type: 'ob.form.whole', source: '/shop', data: 2 });
    });
    await app.publish('ob.form.after', 3);
    await until(() => live.length >= 3, 10_000);
    await inTransaction('COMMIT', async (client) => {
      await box.publish(client, 'ob.form.fence', 4);
    });
    await until(() => live.includes('ob.form.fence'), 10_000);
    expect(live.filter((t) => t === 'ob.form.plain')).toHaveLength(1);
    expect(live.filter((t) => t === 'ob.form.after')).toHaveLength(1);
    expect(live.filter((t) => t === 'ob.form.whole')).toHaveLength(1);
  });

  it('a federated peer over TCP gets a committed event live once, a rolled-back one never', async () => {
    const port = await freePort();
    const app = mesh({ id: 'app', store: fixture.store({ pollInterval: 50 }), listen: { host: '127.0.0.1', port } });
    await app.start();
    const peer = mesh({ id: 'peer', peers: [`tcp://127.0.0.1:${port}`] });
    const got: unknown[] = [];
    peer.subscribe('ob.remote.*', (e) => void got.push(e.data));
    await peer.start({ waitForPeers: 5000 });
    await until(() => remoteInterest(app, 'ob.remote.x').length > 0, 5000);
    const box: Outbox = outbox(app);
    await inTransaction('ROLLBACK', async (client) => void (await box.publish(client, 'ob.remote.x', 'rolled back')));
    await inTransaction('COMMIT', async (client) => void (await box.publish(client, 'ob.remote.x', 'committed')));
    await until(() => got.length >= 1, 10_000);
    await inTransaction('COMMIT', async (client) => void (await box.publish(client, 'ob.remote.x', 'fence')));
    await until(() => got.length >= 2, 10_000);
    expect(got).toEqual(['committed', 'fence']);
  });

  it('relays committed events live after a NOTIFY wake-up and one claim (measured, printed, not asserted)', async () => {
    const app = mesh({ store: fixture.store() });
    const arrived = new Map<number, number>();
    app.subscribe('ob.latency', (e) => void arrived.set(e.data as number, performance.now()));
    const box = outbox(app);
    const committed: number[] = [];
    const n = 200;
    await withClient(async (client) => {
      for (let i = 0; i < n; i++) {
        await client.query('BEGIN');
        await box.publish(client, 'ob.latency', i);
        await client.query('COMMIT');
        committed.push(performance.now());
        // One at a time: each measures an idle relay woken by its commit.
        await until(() => arrived.has(i), 10_000);
      }
    });
    const ms = committed.map((t, i) => (arrived.get(i) as number) - t).sort((x, y) => x - y);
    const at = (q: number): string => (ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] as number).toFixed(2);
    console.log(`outbox relay, COMMIT resolved -> live handler: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms (${n} events)`);
    expect(arrived.size).toBe(n);
  }, 60_000);

  it('one outbox per mesh', () => {
    const m: Mesh = mesh({ store: fixture.store() });
    expect(outbox(m)).toBe(outbox(m));
  });
});
