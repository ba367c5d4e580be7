// What both ORM outbox examples share: the database, a mesh on a postgresStore with
// its outbox, a subscriber that prints what it sees, and a way to wait for an order.
import pg from 'pg';
import { outbox, postgresStore, type Outbox } from '../../adapters/postgres/index.js';
import { createMesh, type Mesh } from '../../src/index.js';

export const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Scaffold {
  readonly pool: pg.Pool;
  readonly mesh: Mesh;
  readonly box: Outbox;
  /** Resolves once a subscriber saw `com.shop.order.paid` for order `id`. */
  seen(id: number): Promise<void>;
  /** The orders marked paid in the table. */
  paid(): Promise<number[]>;
  close(): Promise<void>;
}

/** The events tables and an `orders` table in `schema` (dropped at close), one pool for the store and the ORM. */
export async function scaffold(schema: string, say: (text: string) => void): Promise<Scaffold> {
  const pool = new pg.Pool({ connectionString: PG_URL });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  await pool.query(`CREATE TABLE IF NOT EXISTS "${schema}".orders (id int PRIMARY KEY, paid boolean NOT NULL DEFAULT false)`);
  await pool.query(`INSERT INTO "${schema}".orders (id) VALUES (1), (2), (3) ON CONFLICT DO NOTHING`);
  const mesh = createMesh({ id: 'orders', store: postgresStore({ pool, schema, pollInterval: 100 }) });
  const got = new Set<number>();
  const waiting = new Map<number, () => void>();
  mesh.subscribe<{ id: number }>('com.shop.order.paid', (event) => {
    say(`subscriber sees ${event.type} for order ${event.data.id}`);
    got.add(event.data.id);
    waiting.get(event.data.id)?.();
  });
  await mesh.start();
  const box = outbox(mesh);
  return {
    pool,
    mesh,
    box,
    seen: (id) => (got.has(id) ? Promise.resolve() : new Promise((resolve) => waiting.set(id, resolve))),
    paid: async () => (await pool.query<{ id: number }>(`SELECT id FROM "${schema}".orders WHERE paid ORDER BY id`)).rows.map((r) => r.id),
    close: async () => {
      await mesh.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/**
 * The story both examples tell, given how to pay an order in one ORM transaction (publishing
 * through the outbox, then failing when `fail`): order 1 commits and is seen, order 2 rolls
 * back and is never seen, order 3 commits after it (once it is seen, order 2 would have been).
 */
export async function payThreeOrders(app: Scaffold, pay: (id: number, fail: boolean) => Promise<void>, say: (text: string) => void): Promise<void> {
  try {
    await pay(1, false);
    say('order 1: committed');
    await app.seen(1);
    await pay(2, true).catch((err: Error) => say(`order 2: rolled back (${err.message})`));
    await pay(3, false);
    say('order 3: committed');
    await app.seen(3);
    say(`paid orders in the table: ${(await app.paid()).join(', ')}; nobody saw order 2`);
  } finally {
    await app.close();
  }
}
