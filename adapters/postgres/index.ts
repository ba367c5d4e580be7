import type { MeshStore } from '../../src/index.js';
import { resolveOptions, type PostgresStoreOptions } from './options.js';
import { PostgresStore } from './postgres-store.js';

export type { PostgresStoreOptions, PostgresTables } from './options.js';
export { migrate } from './migrate.js';
export type { MigrateOptions, Queryable } from './migrate.js';
export { toPgPattern } from './patterns.js';
export type { PgPattern } from './patterns.js';

/**
 * A durable store on PostgreSQL (`pg`): an append-only events table, a cursor per
 * durable, deliveries under a lease shared by every mesh on the database, wake-ups
 * by LISTEN/NOTIFY. `pg` is an optional peer dependency, loaded when a mesh opens
 * the store. Needs PostgreSQL >= 13.
 * @example createMesh({ store: postgresStore({ connectionString: 'postgres://app@db/app' }) })
 */
export function postgresStore(options: PostgresStoreOptions): MeshStore {
  return new PostgresStore(resolveOptions(options));
}
export { outbox } from './outbox.js';
export type { Outbox, OutboxExecutor } from './outbox.js';
