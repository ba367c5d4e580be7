// The transactional outbox with Kysely (PostgresDialect): the event of an order paid
// inside `db.transaction().execute(…)` exists for subscribers only if it commits.
//
//   npx tsx examples/outbox-kysely.ts         (PostgreSQL at 127.0.0.1:5432/test, or DATABASE_URL)
//
// Kysely exposes no raw client, but a transaction runs any compiled query on its own
// connection: `trx.executeQuery(CompiledQuery.raw(text, values))` is the whole executor.
import { CompiledQuery, Kysely, PostgresDialect, type Transaction } from 'kysely';
import type { OutboxExecutor } from '../adapters/postgres/index.js';
import { payThreeOrders, scaffold } from './outbox/scaffold.js';

interface Database {
  orders: { id: number; paid: boolean };
}

/** An outbox executor running in a Kysely transaction (`trx`). */
export function kyselyExecutor<DB>(trx: Transaction<DB>): OutboxExecutor {
  return { query: (text, values) => trx.executeQuery(CompiledQuery.raw(text, values)) };
}

export async function main(schema = process.env.EVMESH_PG_SCHEMA ?? 'evmesh_example_kysely', say = (t: string): void => console.log(t)): Promise<void> {
  const app = await scaffold(schema, say);
  // Kysely ends the pool it is given at destroy(): the scaffold's pool is shared, so it is not destroyed here.
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: app.pool }) }).withSchema(schema);
  const pay = (id: number, fail: boolean): Promise<void> =>
    db.transaction().execute(async (trx) => {
      await trx.updateTable('orders').set({ paid: true }).where('id', '=', id).execute();
      await app.box.publish(kyselyExecutor(trx), 'com.shop.order.paid', { id });
      if (fail) throw new Error(`payment ${id} failed after publishing`);
    });
  await payThreeOrders(app, pay, say);
}


if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) await main();
