import type { MeshStore } from '../../src/index.js';
import { OptionChecks } from '../shared/option-checks.js';
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
  const check = new OptionChecks('sqliteStore');
  const o = check.object(options, '{ path }: a file name or ":memory:"');
  return new SqliteStore({
    path: check.string('path', o.path, undefined, undefined, 'a file name or ":memory:"'),
    synchronous: check.oneOf('synchronous', o.synchronous, 'normal', ['normal', 'full']),
    busyTimeout: check.integer('busyTimeout', o.busyTimeout, 5000, 0),
    pollInterval: check.integer('pollInterval', o.pollInterval, 500, 0),
    onError: check.callback('onError', o.onError),
  });
}
