// @Publish(topic, { outbox }): a decorated method's event is inserted in the caller's
// transaction, found through outbox(mesh).transaction's async context or an argument.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { outbox, type OutboxExecutor } from '../../../adapters/postgres/index.js';
import { Publish, type MeshEvent } from '../../../src/index.js';
import { expectThrowCode, until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';
import { serviceAvailable } from '../../support/services.js';
import { PG_URL, pgStores } from './pg-fixture.js';

const up = await serviceAvailable('postgres');

class Payments {
  calls = 0;

  @Publish('pub.order.paid', { outbox: true })
  async paid(id: number): Promise<{ id: number }> {
    this.calls++;
    await Promise.resolve();
    return { id };
  }

  @Publish('pub.order.refunded', { outbox: { executorArg: 0 } })
  async refunded(_tx: OutboxExecutor, id: number): Promise<{ id: number }> {
    return { id };
  }
}

async function inTransaction(end: 'COMMIT' | 'ROLLBACK', work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query(end);
  } finally {
    await client.end();
  }
}

describe.runIf(up)('@Publish(topic, { outbox })', () => {
  const fixture = pgStores();
  const mesh = closedAfterEach();

  it('refuses a bad outbox option at decoration', () => {
    expectThrowCode(() => Publish('pub.x', { outbox: { executorArg: -1 } }), 'ERR_MESH_INVALID_OPTIONS');
  });

  it('rejects before running the method on a mesh without an outbox, or outside a transaction context', async () => {
    const payments = new Payments();
    mesh({ store: fixture.store() }).register(payments);
    await expect(payments.paid(1)).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_OPTIONS' });
    const other = new Payments();
    const m = mesh({ store: fixture.store() });
    m.register(other);
    outbox(m);
    await expect(other.paid(1)).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_OPTIONS' });
    expect(payments.calls + other.calls).toBe(0);
  });

  it('commit: subscribers get the event once; rollback: nobody does (context and argument forms)', async () => {
    const app = mesh({ store: fixture.store({ pollInterval: 50 }) });
    const got: MeshEvent[] = [];
    app.subscribe('pub.order.*', (e) => void got.push(e));
    const payments = new Payments();
    app.register(payments);
    const box = outbox(app);
    await inTransaction('ROLLBACK', (client) => box.transaction(client, async () => void (await payments.paid(1))));
    await inTransaction('ROLLBACK', async (client) => void (await payments.refunded(client, 2)));
    await inTransaction('COMMIT', (client) =>
      box.transaction(client, async () => {
        await payments.paid(3);
        // Inserted, not committed: nothing routed yet.
        expect(got).toEqual([]);
      }),
    );
    await inTransaction('COMMIT', async (client) => void (await payments.refunded(client, 4)));
    await until(() => got.length >= 2, 10_000);
    await app.publish('pub.order.fence', null);
    await until(() => got.length >= 3, 10_000);
    expect(got.map((e) => [e.type, e.data])).toEqual([
      ['pub.order.paid', { id: 3 }],
      ['pub.order.refunded', { id: 4 }],
      ['pub.order.fence', null],
    ]);
  });
});
