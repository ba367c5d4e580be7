// The transactional outbox with Drizzle (node-postgres driver): the event of an order
// paid inside `db.transaction` exists for subscribers only if that transaction commits.
//
//   npx tsx examples/outbox-drizzle.ts        (PostgreSQL at 127.0.0.1:5432/test, or DATABASE_URL)
//
// Drizzle keeps its transaction's pg client private, so the executor is a small adapter
// over `tx.execute(sql)`: the outbox's `query(text, values)` becomes one Drizzle SQL
// with the values as bound parameters, run on the transaction's connection.
import { eq, sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { boolean, integer, pgSchema } from 'drizzle-orm/pg-core';
import type { OutboxExecutor } from '../adapters/postgres/index.js';
import { payThreeOrders, scaffold } from './outbox/scaffold.js';

/** An outbox executor running in a Drizzle transaction (`tx`), or on `db` itself. */
export function drizzleExecutor(tx: { execute(query: SQL): PromiseLike<unknown> }): OutboxExecutor {
  return { query: (text, values) => tx.execute(withParams(text, values)) };
}

/** `$n` placeholders become Drizzle parameters bound to `values[n - 1]`. */
function withParams(text: string, values: unknown[]): SQL {
  const chunks: SQL[] = [];
  let last = 0;
  for (const m of text.matchAll(/\$(\d+)/g)) {
    chunks.push(sql.raw(text.slice(last, m.index)), sql`${values[Number(m[1]) - 1]}`);
    last = m.index + m[0].length;
  }
  chunks.push(sql.raw(text.slice(last)));
  return sql.join(chunks);
}

export async function main(schema = process.env.EVMESH_PG_SCHEMA ?? 'evmesh_example_drizzle', say = (t: string): void => console.log(t)): Promise<void> {
  const app = await scaffold(schema, say);
  const orders = pgSchema(schema).table('orders', { id: integer('id').primaryKey(), paid: boolean('paid').notNull() });
  const db = drizzle({ client: app.pool });
  const pay = (id: number, fail: boolean): Promise<void> =>
    db.transaction(async (tx) => {
      await tx.update(orders).set({ paid: true }).where(eq(orders.id, id));
      await app.box.publish(drizzleExecutor(tx), 'com.shop.order.paid', { id });
      if (fail) throw new Error(`payment ${id} failed after publishing`);
    });
  await payThreeOrders(app, pay, say);
}


if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) await main();
