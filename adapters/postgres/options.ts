import type { Pool } from 'pg';
import type { MeshError } from '../../src/index.js';
import { OptionChecks } from '../shared/option-checks.js';

/** Names of the store's tables inside `schema`. */
export interface PostgresTables {
  /** The append-only log of every event. @default 'events' */
  readonly events?: string;
  /** One row per durable: its pattern and cursor. @default 'durables' */
  readonly durables?: string;
  /** Events a durable handed out and not acknowledged yet, with their lease. @default 'deliveries' */
  readonly deliveries?: string;
}

interface CommonOptions {
  /** Schema holding the tables (created on first open, or by `migrate`). @default 'evmesh' */
  readonly schema?: string;
  readonly tables?: PostgresTables;
  /** Events older than this (ms, by the database clock) are deleted, read or not. @default unbounded */
  readonly maxAge?: number;
  /** Keeps about this many of the newest events (counted by position), deleting older ones, read or not. @default unbounded */
  readonly maxEvents?: number;
  /**
   * How often readers look for events without a notification, in ms: the fallback
   * for a lost LISTEN connection, and the longest wait while an open transaction
   * elsewhere holds back rows committed after it started (see README).
   * @default 1000
   */
  readonly pollInterval?: number;
  /**
   * Bound on the first connect (and schema check), in ms; past it `open` fails with
   * ERR_MESH_STORE_UNAVAILABLE. Also how long `ping` and `backlog` wait for an answer,
   * and how long an append retries across a lost connection before it rejects.
   * @default 5000
   */
  readonly connectTimeout?: number;
  /**
   * A delivery whose consumer neither acknowledges it nor renews its lease this
   * long (the process died) is delivered again, in ms. A live consumer renews its
   * leases every third of this, however slow its handler.
   * @default 30000
   */
  readonly lease?: number;
  /** The most events one durable claims in one query (never more than its consumers have room for). @default 64 */
  readonly prefetch?: number;
  /**
   * Also receives the failures met in the background (a lost connection, a stored
   * row that is not an event). They reach `mesh.on('error')` of every mesh that has
   * the store open either way; with no mesh and no `onError` they are logged.
   * @default none
   */
  readonly onError?: (error: MeshError) => void;
}

/** `connectionString` (the store makes its own pool and ends it at the last close) or `pool` (yours, left open). */
export type PostgresStoreOptions = CommonOptions & (
  | { readonly connectionString: string; readonly pool?: undefined }
  | { readonly pool: Pool; readonly connectionString?: undefined }
);

export interface ResolvedPostgresOptions {
  readonly connectionString: string | undefined;
  readonly pool: Pool | undefined;
  readonly schema: string;
  readonly tables: Required<PostgresTables>;
  readonly maxAge: number | undefined;
  readonly maxEvents: number | undefined;
  readonly pollInterval: number;
  readonly connectTimeout: number;
  readonly lease: number;
  readonly prefetch: number;
  readonly onError: ((error: MeshError) => void) | undefined;
}

/** Lower-case SQL identifiers, so they need no quoting rules beyond double quotes; room left for suffixes. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,39}$/;
const NAME = 'a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 40 characters)';

export function resolveOptions(options: PostgresStoreOptions): ResolvedPostgresOptions {
  const check = new OptionChecks('postgresStore');
  const o = check.object(options, '{ connectionString } or { pool }');
  if ((o.connectionString === undefined) === (o.pool === undefined)) throw check.invalid('needs exactly one of connectionString and pool');
  if (o.pool !== undefined && (typeof o.pool !== 'object' || typeof (o.pool as { query?: unknown }).query !== 'function')) {
    throw check.invalid('pool must be a pg Pool');
  }
  const t = o.tables === undefined ? {} : check.object(o.tables, 'tables as an object');
  const ident = (name: string, value: unknown, fallback: string): string => check.string(name, value, fallback, (s) => IDENTIFIER.test(s), NAME);
  const tables = {
    events: ident('tables.events', t.events, 'events'),
    durables: ident('tables.durables', t.durables, 'durables'),
    deliveries: ident('tables.deliveries', t.deliveries, 'deliveries'),
  };
  if (new Set(Object.values(tables)).size !== 3) throw check.invalid('tables must have three different names');
  return {
    connectionString: o.connectionString === undefined ? undefined : check.string('connectionString', o.connectionString, undefined),
    pool: o.pool,
    schema: ident('schema', o.schema, 'evmesh'),
    tables,
    maxAge: check.optionalInteger('maxAge', o.maxAge, 1),
    maxEvents: check.optionalInteger('maxEvents', o.maxEvents, 1),
    pollInterval: check.integer('pollInterval', o.pollInterval, 1000, 10),
    connectTimeout: check.integer('connectTimeout', o.connectTimeout, 5000, 1),
    lease: check.integer('lease', o.lease, 30_000, 100),
    prefetch: check.integer('prefetch', o.prefetch, 64, 1),
    onError: check.callback('onError', o.onError),
  };
}
