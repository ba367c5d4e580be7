// A consumer-side inbox: a durable handler records the event's identity in an `inbox`
// table in the same transaction as its effect, so an event delivered again (a retry, a
// redelivery after a crash between COMMIT and acknowledge) has its effect once.
//
//   npx tsx examples/inbox.ts                 (PostgreSQL at 127.0.0.1:5432/test, or DATABASE_URL)
import pg from 'pg';
import { postgresStore } from '../adapters/postgres/index.js';
import { createMesh, type MeshEvent } from '../src/index.js';

const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** `CREATE TABLE` of an inbox: one row per (consumer, event source, event id) handled. */
export function inboxTableSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (consumer text NOT NULL, source text NOT NULL, id text NOT NULL,
    handled_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (consumer, source, id))`;
}

/**
 * Runs `effect` in a transaction that first records `event` for `consumer` in `table`
 * (`INSERT … ON CONFLICT DO NOTHING`); an event already recorded is skipped (resolves
 * false) and nothing runs. A concurrent delivery of the same event waits on the row's
 * lock and then skips. Throws, rolled back, if `effect` throws: the event is not recorded.
 */
export async function handleOnce(pool: pg.Pool, table: string, consumer: string, event: MeshEvent, effect: (client: pg.PoolClient) => Promise<void>): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const recorded = await client.query(`INSERT INTO ${table} (consumer, source, id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [consumer, event.source, event.id]);
    if (recorded.rowCount === 0) {
      await client.query('ROLLBACK');
      return false;
    }
    await effect(client);
    await client.query('COMMIT');
    return true;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export async function main(schema = process.env.EVMESH_PG_SCHEMA ?? 'evmesh_example_inbox', say = (t: string): void => console.log(t)): Promise<void> {
  const pool = new pg.Pool({ connectionString: PG_URL });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  const inbox = `"${schema}".inbox`;
  await pool.query(inboxTableSql(inbox));
  await pool.query(`CREATE TABLE IF NOT EXISTS "${schema}".accounts (id int PRIMARY KEY, balance int NOT NULL)`);
  await pool.query(`INSERT INTO "${schema}".accounts VALUES (1, 0) ON CONFLICT DO NOTHING`);
  const mesh = createMesh({ id: 'billing', store: postgresStore({ pool, schema, pollInterval: 100 }) });
  mesh.on('error', (err) => say(`mesh reports ${err.code}: ${err.message}`));
  try {
    let crashAfterCommit = true;
    let done: () => void = () => undefined;
    const handled = new Promise<void>((resolve) => (done = resolve));
    await mesh.subscribe<{ amount: number }>('com.shop.payment.received', async (event, ctx) => {
      const applied = await handleOnce(pool, inbox, 'billing', event, async (client) => {
        await client.query(`UPDATE "${schema}".accounts SET balance = balance + $1 WHERE id = 1`, [event.data.amount]);
      });
      say(`attempt ${ctx.attempt}: ${applied ? 'credited' : 'already handled, skipped'} ${event.data.amount}`);
      // The handler fails after its transaction committed: the store delivers the event again.
      if (crashAfterCommit) {
        crashAfterCommit = false;
        throw new Error('failed after COMMIT, before acknowledging');
      }
      done();
    }, { durable: 'billing-payments', retry: { attempts: 3, backoff: 10 } }).ready;
    await mesh.publish('com.shop.payment.received', { amount: 30 });
    await handled;
    const { rows } = await pool.query<{ balance: number }>(`SELECT balance FROM "${schema}".accounts WHERE id = 1`);
    say(`balance: ${rows[0]?.balance ?? 'none'} (credited once)`);
  } finally {
    await mesh.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) await main();
