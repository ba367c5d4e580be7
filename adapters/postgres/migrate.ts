import { OptionChecks } from '../shared/option-checks.js';
import { namesOf, type Names } from './names.js';
import { resolveOptions, type PostgresTables } from './options.js';
import { SCHEMA_VERSION, schemaSql, versionSql } from './schema.js';

/** Anything that runs a query: a `pg` Pool, Client or PoolClient, or a wrapper of your own. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface MigrateOptions {
  /** @default 'evmesh' */
  readonly schema?: string;
  readonly tables?: PostgresTables;
}

/**
 * Creates (or brings up to date) the store's schema, tables, trigger and claim
 * function: what `postgresStore` does on its first open, for a deployment that runs
 * its migrations itself (with a role allowed to CREATE, while the app's role is not).
 * Idempotent, safe to run from several processes at once (an advisory lock).
 * @example await migrate(pool, { schema: 'evmesh' })
 */
export async function migrate(executor: Queryable, options: MigrateOptions = {}): Promise<void> {
  const o = new OptionChecks('migrate').object(options);
  if (typeof (executor as { query?: unknown } | null)?.query !== 'function') throw new OptionChecks('migrate').invalid('needs a pg Pool or Client (anything with query)');
  const { schema, tables } = resolveOptions({ connectionString: 'unused', schema: o.schema, tables: o.tables });
  await ensureSchema(executor, namesOf({ schema, tables }));
}

/** Runs the DDL only when the stored version differs: CREATE TRIGGER would wait for every open transaction on the table. */
export async function ensureSchema(executor: Queryable, names: Names): Promise<void> {
  let stored: number | undefined;
  try {
    const { rows } = await executor.query(versionSql(names));
    stored = (rows[0] as { version?: number } | undefined)?.version;
    if (stored === SCHEMA_VERSION) return;
  } catch (err) {
    // 42P01 undefined_table, 3F000 invalid_schema_name: never migrated.
    const code = (err as { code?: unknown }).code;
    if (code !== '42P01' && code !== '3F000') throw err;
  }
  await executor.query(schemaSql(names, stored));
}
