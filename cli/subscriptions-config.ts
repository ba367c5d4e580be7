import { assertTopic, MeshError } from '../src/index.js';
import { fileCatalogue, memoryCatalogue, type SubscriptionCatalogue } from '../express/index.js';
import { CliError, EXIT, usageError } from './exit-codes.js';
import { sqlitePath, storeKind } from './store-spec.js';

/** What `/subscriptions` is configured with (the four options of the table, checked). */
export interface SubscriptionsConfig {
  /**
   * The catalogue file; `memory` when asked for; undefined when nothing set it and the
   * store is not a SQLite file (kept in memory, with a warning on a persistent store).
   */
  readonly subscriptions: string | undefined;
  readonly allowedSinks: readonly string[] | undefined;
  readonly deadLetter: string | undefined;
  readonly maxSubscriptions: number;
}

/** The checked options; `where` names a key in an error (`--dead-letter`, `EVMESH_ALLOWED_SINKS`, …). */
export function subscriptionsConfig(get: (key: string) => unknown, where: (key: string) => string, store: string): SubscriptionsConfig {
  const allowedSinks = get('allowedSinks') as string[] | undefined;
  allowedSinks?.forEach((prefix) => checkSink(prefix, where('allowedSinks')));
  const deadLetter = get('deadLetter') as string | undefined;
  if (deadLetter !== undefined) {
    try {
      assertTopic(deadLetter);
    } catch (err) {
      throw usageError(where('deadLetter'), `not a topic: ${(err as Error).message}`);
    }
  }
  return {
    subscriptions: (get('subscriptions') as string | undefined) ?? besideDatabase(store),
    allowedSinks,
    deadLetter,
    maxSubscriptions: (get('maxSubscriptions') as number | undefined) ?? 1000,
  };
}

/**
 * With `sqlite:PATH`, the definitions are kept next to the events they stand for
 * (`PATH.subscriptions.json`): a copy or a volume that moves the database moves both.
 */
function besideDatabase(store: string): string | undefined {
  if (storeKind(store, 'store') !== 'sqlite') return undefined;
  const path = sqlitePath(store);
  return path === ':memory:' ? undefined : `${path}.subscriptions.json`;
}

function checkSink(prefix: string, where: string): void {
  let url: URL | undefined;
  try {
    url = new URL(prefix);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw usageError(where, `expected absolute http(s) URL prefixes, got ${JSON.stringify(prefix)}`);
  }
}

/** The catalogue the configuration names. */
export function catalogueOf(config: SubscriptionsConfig): SubscriptionCatalogue {
  return config.subscriptions === undefined || config.subscriptions === 'memory' ? memoryCatalogue() : fileCatalogue(config.subscriptions);
}

/**
 * The start-up warning for definitions kept in memory by default on a store that keeps
 * events across a restart: the durables would outlive the definitions that name them.
 * A memory store keeps nothing across a restart anyway, so it gets none.
 */
export function catalogueWarning(config: SubscriptionsConfig & { readonly store: string }): string | undefined {
  const kind = storeKind(config.store, 'store');
  if (config.subscriptions !== undefined || kind === 'memory' || kind === 'sqlite') return undefined;
  return `subscriptions are kept in memory: they will not survive a restart unless --subscriptions <file> is given (or --subscriptions memory to keep them in memory knowingly)`;
}

/**
 * A catalogue that cannot be restored (not JSON, unreadable, a definition the options
 * refuse now, e.g. a sink outside a narrowed --allowed-sinks) is exit code 2, naming the
 * file: it needs fixing, and restarting would fail the same way. Anything else as it is.
 */
export function catalogueFailure(err: unknown, file: string | undefined): unknown {
  if (!(err instanceof MeshError) || err.code !== 'ERR_MESH_CATALOGUE_FAILED') return err;
  const named = file === undefined || err.message.includes(file) ? '' : ` (catalogue ${file})`;
  return new CliError(EXIT.usage, `--subscriptions: ${err.message}${named} (ERR_MESH_CATALOGUE_FAILED)`, { cause: err });
}
