import { MeshError, type MeshStore } from '../../src/index.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';

export type { SqliteStoreOptions } from './sqlite-store.js';
export { toSqlPattern } from './patterns.js';
export type { SqlPattern } from './patterns.js';

/**
 * A durable store in one SQLite file (better-sqlite3, WAL): events and durable
 * positions survive a restart, durables can replay from an event id or a time.
 * `better-sqlite3` is an optional peer dependency, loaded when a mesh opens the store.
 * @example createMesh({ store: sqliteStore({ path: './mesh.db' }) })
 */
export function sqliteStore(options: SqliteStoreOptions): MeshStore {
  if (typeof options !== 'object' || options === null || typeof options.path !== 'string' || options.path.length === 0) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'sqliteStore needs { path }: a file name or ":memory:"');
  }
  const { synchronous, busyTimeout, pollInterval } = options;
  if (synchronous !== undefined && synchronous !== 'normal' && synchronous !== 'full') {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'sqliteStore synchronous must be "normal" or "full"');
  }
  if (busyTimeout !== undefined && (!Number.isInteger(busyTimeout) || busyTimeout < 0)) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'sqliteStore busyTimeout must be an integer >= 0 (ms)');
  }
  if (pollInterval !== undefined && (!Number.isInteger(pollInterval) || pollInterval < 0)) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'sqliteStore pollInterval must be an integer >= 0 (ms)');
  }
  const onError = options.onError ?? ((error: MeshError) => console.error(`[evmesh] sqlite store: ${error.message}`));
  if (typeof onError !== 'function') throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'sqliteStore onError must be a function');
  return new SqliteStore({ ...options, onError });
}
