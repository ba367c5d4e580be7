import { memoryStore, type MeshStore } from '../src/index.js';
import { usageError } from './exit-codes.js';

export type StoreKind = 'memory' | 'sqlite' | 'redis' | 'nats' | 'amqp';

const SCHEMES: Readonly<Record<string, StoreKind>> = { redis: 'redis', rediss: 'redis', nats: 'nats', amqp: 'amqp', amqps: 'amqp' };

/** Which store a `--store` spec names; a usage error naming `where` otherwise. */
export function storeKind(spec: string, where: string): StoreKind {
  if (spec === 'memory') return 'memory';
  if (spec.startsWith('sqlite:')) {
    if (sqlitePath(spec) === '') throw usageError(where, 'sqlite: needs a file, e.g. sqlite:./evmesh.db');
    return 'sqlite';
  }
  const kind = SCHEMES[/^([a-z]+):\/\//.exec(spec)?.[1] ?? ''];
  if (kind === undefined) {
    throw usageError(where, `expected memory, sqlite:<file>, redis://…, nats://…, amqp://…, got ${JSON.stringify(spec.replace(/\/\/[^@/]*@/, '//***@'))}`);
  }
  return kind;
}

/**
 * The store a (checked) spec names. An adapter's entry is imported only when named, and
 * loads its driver package only when the mesh opens the store: a missing driver fails
 * `start()` with ERR_MESH_ADAPTER_MISSING_DEP (exit code 4), and `memory` loads nothing.
 */
export async function storeOf(spec: string): Promise<MeshStore> {
  switch (storeKind(spec, 'store')) {
    case 'memory':
      return memoryStore();
    case 'sqlite': {
      const { sqliteStore } = await import('../adapters/sqlite/index.js');
      return sqliteStore({ path: sqlitePath(spec) });
    }
    case 'redis': {
      const { redisStore } = await import('../adapters/redis/index.js');
      return redisStore({ url: spec });
    }
    case 'nats': {
      const { natsStore } = await import('../adapters/nats/index.js');
      return natsStore({ servers: spec.split(',') });
    }
    case 'amqp': {
      const { amqpStore } = await import('../adapters/amqp/index.js');
      return amqpStore({ url: spec });
    }
  }
}

/** `sqlite:./a.db`, `sqlite:/abs/a.db`, `sqlite:///abs/a.db`, `sqlite::memory:`. */
export function sqlitePath(spec: string): string {
  return spec.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
}
