// The transactional outbox with TypeORM (postgres driver): the event of an order paid
// inside `dataSource.transaction(…)` exists for subscribers only if it commits.
//
//   npx tsx examples/outbox-typeorm.ts        (PostgreSQL at 127.0.0.1:5432/test, or DATABASE_URL)
//
// A transaction's QueryRunner already has `query(text, values)` on the transaction's
// connection: it is an outbox executor as it is.
import { DataSource, EntitySchema } from 'typeorm';
import { payThreeOrders, PG_URL, scaffold } from './outbox/scaffold.js';

interface Order {
  id: number;
  paid: boolean;
}

export async function main(schema = process.env.EVMESH_PG_SCHEMA ?? 'evmesh_example_typeorm', say = (t: string): void => console.log(t)): Promise<void> {
  const app = await scaffold(schema, say);
  // An entity schema rather than decorators: the example runs under any compiler settings.
  const orders = new EntitySchema<Order>({
    name: 'Order', tableName: 'orders', schema,
    columns: { id: { type: Number, primary: true }, paid: { type: Boolean } },
  });
  // TypeORM keeps a pool of its own; the tables are the scaffold's (no synchronize).
  const db = await new DataSource({ type: 'postgres', url: PG_URL, entities: [orders], poolSize: 2 }).initialize();
  const pay = (id: number, fail: boolean): Promise<void> =>
    db.transaction(async (manager) => {
      await manager.update(orders, { id }, { paid: true });
      // Inside transaction(), manager.queryRunner is the transaction's: never undefined here.
      await app.box.publish(manager.queryRunner!, 'com.shop.order.paid', { id });
      if (fail) throw new Error(`payment ${id} failed after publishing`);
    });
  try {
    await payThreeOrders(app, pay, say);
  } finally {
    await db.destroy();
  }
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) await main();
