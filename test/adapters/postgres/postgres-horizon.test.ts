// The read horizon is per events table: a write transaction left open on another table,
// or in another database, does not hold delivery back; one that inserts into this
// events table does (postgres-store.test.ts: a late commit is never skipped), even when
// its own xid and snapshot are older than rows delivered meanwhile.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { outbox } from '../../../adapters/postgres/index.js';
import { until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';
import { serviceAvailable } from '../../support/services.js';
import { PG_URL, pgStores } from './pg-fixture.js';

const up = await serviceAvailable('postgres');

/** A client of its own in an open transaction (after `statements`), rolled back and ended after `work`. */
async function inOpenTransaction(url: string, statements: string[], work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const text of statements) await client.query(text);
    await work(client);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}

describe.runIf(up)('postgresStore read horizon', () => {
  const fixture = pgStores();
  const mesh = closedAfterEach();

  /** A table of the test's schema that is not the store's, created once. */
  async function unrelatedTable(): Promise<string> {
    const table = `"${fixture.schema}".unrelated`;
    await fixture.admin().query(`CREATE SCHEMA IF NOT EXISTS "${fixture.schema}"; CREATE TABLE IF NOT EXISTS ${table} (n int)`);
    return table;
  }

  it('delivers while a write transaction on another table of the database stays open', async () => {
    const table = await unrelatedTable();
    const m = mesh({ store: fixture.store({ pollInterval: 50 }) });
    const got: unknown[] = [];
    await m.subscribe('hz.table.*', (e) => void got.push(e.data), { durable: 'hz-table' }).ready;
    await inOpenTransaction(PG_URL, ['BEGIN', `INSERT INTO ${table} VALUES (1)`], async () => {
      await m.publish('hz.table.x', 'while another table is being written');
      await until(() => got.length >= 1, 5000);
    });
    expect(got).toEqual(['while another table is being written']);
  });

  it('delivers while a write transaction in another database stays open', async () => {
    const m = mesh({ store: fixture.store({ pollInterval: 50 }) });
    const got: unknown[] = [];
    await m.subscribe('hz.db.*', (e) => void got.push(e.data), { durable: 'hz-db' }).ready;
    // pg_current_xact_id() gives the transaction an xid, as its first write would.
    await inOpenTransaction(PG_URL.replace(/\/test$/, '/postgres'), ['BEGIN', 'SELECT pg_current_xact_id()'], async () => {
      await m.publish('hz.db.x', 'while another database is being written');
      await until(() => got.length >= 1, 5000);
    });
    expect(got).toEqual(['while another database is being written']);
  });

  it('an outbox publish in a long transaction, whose xid and snapshot are older than rows delivered meanwhile, is delivered after COMMIT', async () => {
    const table = await unrelatedTable();
    const app = mesh({ store: fixture.store({ pollInterval: 50 }) });
    const got: unknown[] = [];
    await app.subscribe('hz.box.*', (e) => void got.push(e.data), { durable: 'hz-box' }).ready;
    const box = outbox(app);
    await inOpenTransaction(PG_URL, ['BEGIN ISOLATION LEVEL REPEATABLE READ', `INSERT INTO ${table} VALUES (2)`], async (client) => {
      await app.publish('hz.box.before', 'before, while the transaction writes elsewhere');
      await until(() => got.length >= 1, 5000);
      await box.publish(client, 'hz.box.inside', 'from the transaction');
      await app.publish('hz.box.after', 'after the outbox insert');
      await client.query('COMMIT');
    });
    await until(() => got.length >= 3, 10_000);
    expect(got).toEqual(['before, while the transaction writes elsewhere', 'from the transaction', 'after the outbox insert']);
  });
});
