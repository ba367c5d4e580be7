import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresStore, type PostgresStoreOptions } from '../../../adapters/postgres/index.js';
import { eventRow, insertSql } from '../../../adapters/postgres/append-sql.js';
import { namesOf } from '../../../adapters/postgres/names.js';
import { createEvent, EventIds } from '../../../src/internal.js';
import { expectThrowCode, until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';
import { serviceAvailable } from '../../support/services.js';
import { keepsNothingBeforeTheDurable, keepsTheCloudEventIntact } from '../support/broker-cases.js';
import { PG_URL, pgStores } from './pg-fixture.js';

const up = await serviceAvailable('postgres');

describe.runIf(up)('postgresStore against a real PostgreSQL', () => {
  const fixture = pgStores();
  const mesh = closedAfterEach();

  it('keeps the CloudEvent intact through the table (attributes, extensions, binary data)', () => keepsTheCloudEventIntact(mesh({ store: fixture.store() })));

  it('keeps nothing for a durable before it first exists', () => keepsNothingBeforeTheDurable(mesh({ store: fixture.store() })));

  it('delivers a row committed late by an older transaction, never skipping it behind the cursor', async () => {
    const m = mesh({ store: fixture.store({ pollInterval: 50 }) });
    const got: unknown[] = [];
    await m.subscribe('late.*', (e) => void got.push(e.data), { durable: 'late-commit' }).ready;
    // An insert in a transaction of the caller's (what the outbox will do), left open.
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query('BEGIN');
      const event = createEvent({ ids: new EventIds(), source: '/test' }, 'late.first', 'from the open transaction');
      await client.query(insertSql(namesOf({ schema: fixture.schema, tables: { events: 'events', durables: 'durables', deliveries: 'deliveries' } }), 1), eventRow(event));
      // Appended and committed after the open transaction's row took its position.
      await m.publish('late.second', 'committed first');
      await m.publish('late.third', 'committed second');
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    await until(() => got.length >= 3, 10_000);
    expect([...got].sort()).toEqual(['committed first', 'committed second', 'from the open transaction'].sort());
  });

  it('deletes events past maxEvents, read or not', async () => {
    const m = mesh({ store: fixture.store({ tables: { events: 'capped', durables: 'capped_durables', deliveries: 'capped_deliveries' }, maxEvents: 5 }) });
    for (let i = 0; i < 20; i++) await m.publish('cap.x', i);
    await m.close();
    // The first sweep runs at open: a new instance trims what the first one appended.
    const again = mesh({ store: fixture.store({ tables: { events: 'capped', durables: 'capped_durables', deliveries: 'capped_deliveries' }, maxEvents: 5 }) });
    await again.start();
    const count = async (): Promise<number> => Number((await fixture.admin().query(`SELECT count(*) AS n FROM "${fixture.schema}".capped`)).rows[0].n);
    await until(async () => (await count()) <= 5, 10_000);
  });

  it.each<[string, unknown]>([
    ['no connectionString and no pool', {}],
    ['both connectionString and pool', { connectionString: PG_URL, pool: {} }],
    ['a schema that is not a plain identifier', { connectionString: PG_URL, schema: 'Evmesh; DROP' }],
    ['two tables with one name', { connectionString: PG_URL, tables: { events: 'x', durables: 'x' } }],
    ['a lease below 100 ms', { connectionString: PG_URL, lease: 10 }],
  ])('refuses %s with ERR_MESH_INVALID_OPTIONS', (_, options) => {
    expectThrowCode(() => postgresStore(options as PostgresStoreOptions), 'ERR_MESH_INVALID_OPTIONS');
  });
});
