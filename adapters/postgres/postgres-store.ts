import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import {
  MeshError, patternMatcher,
  type ConsumerSpec, type MeshEvent, type MeshStore, type StoreConsumer, type StoreContext, type StoreHandler, type StoreReplayFrom,
} from '../../src/index.js';
import { answerWithin, pingWithin } from '../shared/answer-within.js';
import { SharedOpen } from '../shared/shared-open.js';
import { Appender } from './appender.js';
import { createPool, storeFailure } from './connection.js';
import { DurableReader } from './durable-reader.js';
import { Listener } from './listener.js';
import { ensureSchema } from './migrate.js';
import { namesOf, type Names } from './names.js';
import type { ResolvedPostgresOptions } from './options.js';
import { toPgPattern } from './patterns.js';
import { Retention } from './retention.js';
import { statements, type Statements } from './sql.js';

interface Open {
  readonly pool: Pool;
  readonly listener: Listener;
  readonly poll: NodeJS.Timeout;
  readonly retention: Retention | undefined;
}

interface ReaderEntry {
  readonly reader: DurableReader;
  readonly pattern: string;
  readonly matches: (type: string) => boolean;
}

/** How often retention sweeps, at most (and at most every maxAge / 2). */
const SWEEP_EVERY = 60_000;

/**
 * PostgreSQL: one append-only events table shared by every durable (so new durables
 * can replay it), a row per durable with its cursor, and a deliveries table holding
 * what each durable handed out and not acknowledged, under a lease. Meshes in any
 * number of processes share a durable through the database; wake-ups come by
 * LISTEN/NOTIFY, with a poll as the fallback.
 */
export class PostgresStore implements MeshStore {
  readonly name = 'postgres';
  readonly capabilities = { persistent: true, distributed: true, replay: true, ordered: true, nativeWildcards: true };
  private readonly shared: SharedOpen<Open>;
  private readonly names: Names;
  private readonly sql: Statements;
  private readonly appender: Appender;
  private readonly readers = new Map<string, ReaderEntry>();
  private state: Open | undefined;
  private readonly instance = randomBytes(6).toString('hex');

  constructor(private readonly options: ResolvedPostgresOptions) {
    this.names = namesOf(options);
    this.sql = statements(this.names);
    this.appender = new Appender(() => this.state?.pool, this.names, options.connectTimeout, (events) => this.stored(events));
    this.shared = new SharedOpen({ store: 'postgresStore', connect: () => this.connect(), release: (e) => this.release(e), onError: options.onError });
  }

  /** The table names, for the outbox's insert in a caller's transaction. */
  get tableNames(): Names {
    return this.names;
  }

  async open(context?: StoreContext): Promise<void> {
    await this.shared.open(context);
  }

  append(event: MeshEvent): Promise<void> {
    if (this.state === undefined) return Promise.reject(notOpen(event));
    return this.appender.append(event);
  }

  async consume(spec: ConsumerSpec, handler: StoreHandler): Promise<StoreConsumer> {
    const s = this.state;
    if (s === undefined) throw notOpen(undefined);
    let entry = this.readers.get(spec.name);
    if (entry !== undefined && entry.pattern !== spec.pattern) throw patternClash(spec.name, entry.pattern);
    if (entry === undefined) {
      await this.ensureDurable(s.pool, spec);
      // Closed meanwhile: a reader made now would never be closed (it would claim on a closed pool for ever).
      if (this.state !== s) throw notOpen(undefined);
      // Another consume of the same name may have won the await.
      entry = this.readers.get(spec.name) ?? this.reader(spec);
    }
    const { reader } = entry;
    const detach = reader.attach(handler, spec.prefetch);
    // The backlog is handed over after consume() resolved, never inside the caller.
    setImmediate(() => reader.wake());
    return { stop: () => Promise.resolve(detach()) };
  }

  async deleteDurable(name: string): Promise<void> {
    const s = this.state;
    if (s === undefined) throw notOpen(undefined);
    const entry = this.readers.get(name);
    if (entry !== undefined && entry.reader.attached > 0) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', `Durable "${name}" still has consumers`, { details: { durable: name } });
    }
    if (entry !== undefined) {
      this.readers.delete(name);
      await entry.reader.close();
    }
    // The log stays: other durables, and replays, still read it.
    await s.pool.query(this.sql.deleteDurable, [name]);
  }

  /** Matching events in leased ranges (handed out, not all acknowledged) plus those after the durable's cursor, in one query. */
  backlog(name: string): Promise<number | undefined> {
    const s = this.state;
    if (s === undefined) return Promise.reject(notOpen(undefined));
    const count = s.pool.query<{ backlog: string }>(this.sql.backlog, [name]).then(({ rows }) => (rows[0] === undefined ? undefined : Number(rows[0].backlog)));
    return answerWithin(count, this.options.connectTimeout, 'postgres: backlog');
  }

  ping(): Promise<void> {
    const pool = this.state?.pool;
    return pingWithin(() => {
      if (pool === undefined) throw new Error('the store is not open');
      return pool.query('SELECT 1');
    }, this.options.connectTimeout, 'postgres');
  }

  close(context?: StoreContext): Promise<void> {
    return this.shared.close(context);
  }

  private async connect(): Promise<Open> {
    const { connectionString, connectTimeout } = this.options;
    const own = this.options.pool === undefined;
    const pool = this.options.pool ?? await createPool(connectionString as string, connectTimeout, `evmesh-${this.instance}`);
    const listener = new Listener({
      pool,
      channel: this.names.channel,
      self: own ? `evmesh-${this.instance}` : undefined,
      wake: () => this.wakeAll(),
      report: (e) => this.shared.report(e),
      reconnected: () => this.shared.reconnected({ schema: this.names.schema }),
    });
    try {
      await answerWithin((async () => {
        await ensureSchema(pool, this.names);
        await listener.start();
      })(), connectTimeout, 'postgres: connect');
    } catch (err) {
      await listener.stop();
      if (own) await pool.end().catch(() => undefined);
      throw new MeshError('ERR_MESH_STORE_UNAVAILABLE', `postgres: cannot open the store: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const poll = setInterval(() => this.wakeAll(), this.options.pollInterval);
    poll.unref();
    const { maxAge, maxEvents } = this.options;
    const retention = maxAge === undefined && maxEvents === undefined ? undefined
      : new Retention(() => this.state?.pool, this.sql, { maxAge, maxEvents }, Math.min(SWEEP_EVERY, Math.max(1000, (maxAge ?? Infinity) / 2)),
        (err) => this.shared.report(storeFailure(err, 'retention', { schema: this.names.schema })));
    this.state = { pool, listener, poll, retention };
    void retention?.sweep();
    return this.state;
  }

  /** The last close: appends finished, readers hand back what they hold, then the connections go. */
  private async release(engine: Promise<Open>): Promise<void> {
    const s = await engine.catch(() => undefined);
    if (s === undefined) return;
    await this.appender.drain();
    clearInterval(s.poll);
    s.retention?.stop();
    await Promise.allSettled([...this.readers.values()].map((r) => r.reader.close()));
    this.readers.clear();
    this.state = undefined;
    await s.listener.stop();
    if (this.options.pool === undefined) await s.pool.end().catch(() => undefined);
  }

  private reader(spec: ConsumerSpec): ReaderEntry {
    const reader = new DurableReader({
      durable: spec.name,
      owner: `${this.instance}-${randomBytes(4).toString('hex')}`,
      lease: this.options.lease,
      prefetch: this.options.prefetch,
      pollInterval: this.options.pollInterval,
      channel: this.names.channel,
      sql: this.sql,
      pool: () => this.state?.pool,
      report: (err) => this.shared.report(storeFailure(err, `durable ${spec.name}`, { durable: spec.name })),
    });
    const entry = { reader, pattern: spec.pattern, matches: patternMatcher(spec.pattern) };
    this.readers.set(spec.name, entry);
    return entry;
  }

  /** Creates the durable where `from` (or the log's end) says, unless it exists; an existing one must have the same pattern. */
  private async ensureDurable(pool: Pool, spec: ConsumerSpec): Promise<void> {
    const known = await pool.query<{ pattern: string }>(this.sql.durable, [spec.name]);
    const pattern = known.rows[0]?.pattern;
    if (pattern === undefined) {
      const { exact, regex } = toPgPattern(spec.pattern);
      const [where, extra] = await this.startOf(pool, spec.from);
      await pool.query(this.sql.createDurable.replace('%WHERE%', where), [spec.name, spec.pattern, exact, regex, ...extra]);
      return this.ensureDurable(pool, { ...spec, from: undefined });
    }
    if (pattern !== spec.pattern) throw patternClash(spec.name, pattern);
  }

  private async startOf(pool: Pool, from: StoreReplayFrom | undefined): Promise<[string, unknown[]]> {
    if (from === undefined) return [this.sql.startAtEnd, []];
    if ('time' in from) return [this.sql.startBeforeTime, [from.time]];
    if ((await pool.query(this.sql.hasId, [from.afterId])).rows.length === 0) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', `postgres: no stored event has id ${from.afterId}`, { details: { afterId: from.afterId } });
    }
    return [this.sql.startAfterId, [from.afterId]];
  }

  /** This instance's appends committed: wake at once the readers that want them (others learn by NOTIFY). */
  private stored(events: readonly MeshEvent[]): void {
    for (const { reader, matches } of this.readers.values()) {
      if (events.some((e) => matches(e.type))) reader.wake();
    }
  }

  private wakeAll(): void {
    for (const { reader } of this.readers.values()) reader.wake();
  }
}

function notOpen(event: MeshEvent | undefined): MeshError {
  return new MeshError('ERR_MESH_STORE_FAILED', 'postgres: the store is not open', { details: event === undefined ? {} : { eventId: event.id } });
}

function patternClash(name: string, pattern: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', `Durable "${name}" already exists with pattern ${pattern}`, { details: { durable: name } });
}
