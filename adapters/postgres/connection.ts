import type { Pool, PoolConfig } from 'pg';
import { MeshError } from '../../src/index.js';
import { loadDependency } from '../../src/internal.js';

type PgModule = { Pool: new (config: PoolConfig) => Pool };

/**
 * A pool of the store's own, bounded on connect by `connectTimeout`; idle clients that
 * fail are dropped, not thrown. `applicationName` is unique per store instance: the
 * NOTIFY an append sends carries it, so the instance can skip its own.
 */
export async function createPool(connectionString: string, connectTimeout: number, applicationName: string): Promise<Pool> {
  const mod = await loadDependency<PgModule & { default?: PgModule }>('pg', 'postgresStore');
  const { Pool: PoolClass } = mod.default ?? mod;
  const pool = new PoolClass({ connectionString, connectionTimeoutMillis: connectTimeout, keepAlive: true, application_name: applicationName });
  // An idle client whose server went away emits here; the next query dials a new one.
  pool.on('error', () => undefined);
  return pool;
}

/** SQLSTATE classes and socket errors that mean "the server is not there", as opposed to a refused statement. */
const LOST = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03']);

/** Whether `err` is a lost or refused connection (worth retrying once the server is back). */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return LOST.has(code) || code.startsWith('08');
  const message = err instanceof Error ? err.message : '';
  return /connection|terminat|timeout|not queryable/i.test(message);
}

/** A background failure of the store, as the code the contract asks for: UNAVAILABLE when the server is out of reach. */
export function storeFailure(err: unknown, what: string, details: Readonly<Record<string, unknown>>): MeshError {
  if (err instanceof MeshError) return err;
  const code = isConnectionError(err) ? 'ERR_MESH_STORE_UNAVAILABLE' : 'ERR_MESH_STORE_FAILED';
  return new MeshError(code, `postgres: ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err, details });
}
