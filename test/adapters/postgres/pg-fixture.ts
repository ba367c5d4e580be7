import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { postgresStore, type PostgresStoreOptions } from '../../../adapters/postgres/index.js';
import type { MeshStore } from '../../../src/index.js';

export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** `postgres://…` through another host:port (a TCP proxy), same user and database. */
export function pgUrlAt(hostPort: string): string {
  return `postgres://postgres@${hostPort}/test`;
}

type Extra = Partial<Omit<PostgresStoreOptions, 'connectionString' | 'pool'>> & { readonly connectionString?: string };

/**
 * Stores on a schema of their own (random name: other runs share the server),
 * dropped after the file. `connectionString` may point at a proxy instead.
 */
export function pgStores(): { schema: string; store(options?: Extra): MeshStore; admin(): pg.Pool } {
  const schema = `evmesh_t_${randomBytes(5).toString('hex')}`;
  let admin: pg.Pool | undefined;
  const adminPool = (): pg.Pool => (admin ??= new pg.Pool({ connectionString: PG_URL, max: 2 }));
  afterAll(async () => {
    const pool = adminPool();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });
  return {
    schema,
    store: (options = {}) => postgresStore({ schema, ...options, connectionString: options.connectionString ?? PG_URL } as PostgresStoreOptions),
    admin: adminPool,
  };
}
