import type BetterSqlite3 from 'better-sqlite3';
import {
  MeshError, patternMatcher,
  type ConsumerSpec, type MeshEvent, type MeshStore, type StoreConsumer, type StoreContext, type StoreHandler, type StoreReplayFrom,
} from '../../src/index.js';
import { decodeStoredEvent, encodeStoredEvent, loadDependency, toMeshError } from '../../src/internal.js';
import { SharedOpen } from '../shared/shared-open.js';
import { DurableReader } from './durable-reader.js';
import { MATCH_FUNCTION, toSqlPattern } from './patterns.js';
import { Poller } from './poller.js';
import { SCHEMA, SQL } from './schema.js';

export interface SqliteStoreOptions {
  /** Database file; created with its tables when missing. `:memory:` keeps nothing across a restart. */
  readonly path: string;
  /**
   * SQLite `synchronous` pragma. In WAL mode `normal` survives a crash of the process
   * (what this store promises); `full` also survives the machine losing power, at
   * the cost of an fsync per publish.
   * @default 'normal'
   */
  readonly synchronous?: 'normal' | 'full';
  /**
   * How long a write waits for another connection's lock, in ms, before the append
   * fails (`busy_timeout`).
   * @default 5000
   */
  readonly busyTimeout?: number;
  /**
   * How often readers look for rows another process appended to the file, in ms;
   * 0: never (only this store instance writes). Events published through this
   * instance are delivered at once either way.
   * @default 500
   */
  readonly pollInterval?: number;
  /**
   * Also receives the failures met in the background, outside any publish: a read
   * that failed, a stored row that is not an event (skipped). They reach
   * `mesh.on('error')` of every mesh that has the store open either way; with no mesh
   * and no `onError` they are logged with console.error.
   * @default none
   */
  readonly onError?: (error: MeshError) => void;
}

export type ResolvedSqliteOptions = Required<Omit<SqliteStoreOptions, 'onError'>> & { readonly onError: ((error: MeshError) => void) | undefined };

type Database = BetterSqlite3.Database;

interface Pending {
  readonly event: MeshEvent;
  readonly body: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}
type Statement = BetterSqlite3.Statement;

interface Open {
  readonly db: Database;
  readonly insertAll: (batch: readonly Pending[]) => void;
  readonly lastSeq: Statement;
  readonly readers: Map<string, { reader: DurableReader; pattern: string; matches: (type: string) => boolean }>;
  readonly poller: Poller;
}

/**
 * The embedded durable store for one node: every event goes to one append-only
 * table (so durables created later can replay it), each durable keeps a position.
 * Not distributed: consume a durable from one process only; other processes may
 * publish into the same file (picked up every `pollInterval`). While a durable is
 * attached the process stays up (Poller), as a broker connection keeps it up.
 */
export class SqliteStore implements MeshStore {
  readonly name = 'sqlite';
  readonly capabilities = { persistent: true, distributed: false, replay: true, ordered: true, nativeWildcards: true };
  private readonly shared: SharedOpen<Open>;
  private state: Open | undefined;
  private wake = false;
  private pending: Pending[] = [];

  constructor(private readonly options: ResolvedSqliteOptions) {
    this.shared = new SharedOpen({
      store: 'sqliteStore',
      connect: () => this.connect(),
      release: (engine) => this.release(engine),
      onError: options.onError,
    });
  }

  async open(context?: StoreContext): Promise<void> {
    await this.shared.open(context);
  }

  /**
   * Group commit: appends made in one tick (a burst of publishes) are written in one
   * transaction on the next microtask, and their promises resolve once it committed.
   * One WAL commit per event is what an append costs otherwise.
   */
  append(event: MeshEvent): Promise<void> {
    if (this.state === undefined) return Promise.reject(notOpen(event));
    let body: string;
    try {
      // Encoded here, so an event that cannot be serialized fails alone, not its batch.
      body = encodeStoredEvent(event);
    } catch (err) {
      return Promise.reject(new MeshError('ERR_MESH_STORE_FAILED', `sqlite: cannot serialize ${event.id}`, { cause: err, details: { eventId: event.id } }));
    }
    return new Promise((resolve, reject) => {
      if (this.pending.push({ event, body, resolve, reject }) === 1) queueMicrotask(() => this.commit());
    });
  }

  consume(spec: ConsumerSpec, handler: StoreHandler): Promise<StoreConsumer> {
    const s = this.state;
    if (s === undefined) return Promise.reject(notOpen(undefined));
    let entry = s.readers.get(spec.name);
    try {
      if (entry === undefined) {
        entry = { reader: this.reader(s, spec), pattern: spec.pattern, matches: patternMatcher(spec.pattern) };
        s.readers.set(spec.name, entry);
      } else if (entry.pattern !== spec.pattern) {
        throw patternClash(spec.name, entry.pattern);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    const { reader } = entry;
    const detach = reader.attach(handler, spec.prefetch);
    // Attached, the durable waits for events: the process stays up until it stops.
    const release = s.poller.hold();
    // The backlog is handed over after consume() resolved, never inside the caller.
    setImmediate(() => reader.pump());
    return Promise.resolve({
      stop: () => {
        detach();
        release();
        return Promise.resolve();
      },
    });
  }

  deleteDurable(name: string): Promise<void> {
    const s = this.state;
    if (s === undefined) return Promise.reject(notOpen(undefined));
    const entry = s.readers.get(name);
    if (entry !== undefined && entry.reader.attached > 0) {
      return Promise.reject(new MeshError('ERR_MESH_INVALID_OPTIONS', `Durable "${name}" still has consumers`, { details: { durable: name } }));
    }
    entry?.reader.close();
    s.readers.delete(name);
    // The log itself stays: other durables, and replays, still read it.
    s.db.prepare(SQL.deleteDurable).run(name);
    return Promise.resolve();
  }

  /**
   * A durable attached here: what its reader holds (read, handed out, not acknowledged)
   * plus the matching rows it has not read. Otherwise (consumed by no one now, or by
   * another process on the file): the matching rows after its stored position, which
   * trails acknowledgements by up to 20 ms (DurableReader).
   */
  backlog(name: string): Promise<number | undefined> {
    const s = this.state;
    if (s === undefined) return Promise.reject(notOpen(undefined));
    try {
      const entry = s.readers.get(name);
      if (entry !== undefined) return Promise.resolve(entry.reader.backlog());
      const row = s.db.prepare(SQL.durable).get(name) as { pattern: string; position: number } | undefined;
      if (row === undefined) return Promise.resolve(undefined);
      const where = toSqlPattern(row.pattern);
      return Promise.resolve(s.db.prepare(SQL.countAfter(where.sql)).pluck().get(row.position, ...where.params) as number);
    } catch (err) {
      return Promise.reject(toMeshError('ERR_MESH_STORE_FAILED', err, { durable: name }));
    }
  }

  /** A trivial query on the open file. */
  ping(): Promise<void> {
    const s = this.state;
    try {
      if (s === undefined) throw new Error('the store is not open');
      s.db.prepare('SELECT 1').get();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(new MeshError('ERR_MESH_STORE_UNAVAILABLE', `sqlite: ${this.options.path} does not answer`, { cause: err, details: { path: this.options.path } }));
    }
  }

  close(context?: StoreContext): Promise<void> {
    return this.shared.close(context);
  }

  /** The last close: positions written, the file closed. */
  private async release(engine: Promise<Open>): Promise<void> {
    this.state = undefined;
    const s = await engine.catch(() => undefined);
    if (s === undefined) return;
    // Still connecting when closed: it set the state after the line above.
    if (this.state === s) this.state = undefined;
    s.poller.stop();
    // Positions acknowledged since the last write are written now.
    for (const { reader } of s.readers.values()) reader.close();
    s.db.close();
  }

  private async connect(): Promise<Open> {
    const mod = await loadDependency<{ default?: typeof BetterSqlite3 } & typeof BetterSqlite3>('better-sqlite3', 'sqliteStore');
    const Driver = mod.default ?? mod;
    let db: Database;
    try {
      db = new Driver(this.options.path, { timeout: this.options.busyTimeout });
    } catch (err) {
      throw new MeshError('ERR_MESH_STORE_UNAVAILABLE', `sqlite: cannot open ${this.options.path}`, { cause: err, details: { path: this.options.path } });
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${this.options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      const matchers = new Map<string, (type: string) => boolean>();
      db.function(MATCH_FUNCTION, { deterministic: true }, (pattern: unknown, type: unknown) => {
        let m = matchers.get(pattern as string);
        if (m === undefined) matchers.set(pattern as string, (m = patternMatcher(pattern as string)));
        return m(type as string) ? 1 : 0;
      });
      db.exec(SCHEMA);
      const insert = db.prepare(SQL.insert);
      const insertAll = db.transaction((batch: readonly Pending[]) => {
        const now = Date.now();
        for (const { event, body } of batch) insert.run(event.id, event.type, now, body);
      });
      // Appends made here wake the readers at once; rows another process wrote to the
      // file are only seen by looking, every pollInterval.
      const poller = new Poller(this.options.pollInterval, () => this.pumpAll());
      this.state = { db, insertAll, lastSeq: db.prepare(SQL.lastSeq).pluck(), readers: new Map(), poller };
      return this.state;
    } catch (err) {
      db.close();
      throw new MeshError('ERR_MESH_STORE_UNAVAILABLE', `sqlite: cannot use ${this.options.path}`, { cause: err, details: { path: this.options.path } });
    }
  }

  /** Finds the durable's stored position, or creates the durable where `from` (or the log's end) says. */
  private reader(s: Open, spec: ConsumerSpec): DurableReader {
    const row = s.db.prepare(SQL.durable).get(spec.name) as { pattern: string; position: number } | undefined;
    let position: number;
    if (row !== undefined) {
      if (row.pattern !== spec.pattern) throw patternClash(spec.name, row.pattern);
      position = row.position;
    } else {
      position = this.startOf(s, spec.from);
      s.db.prepare(SQL.createDurable).run(spec.name, spec.pattern, position);
    }
    const where = toSqlPattern(spec.pattern);
    const read = s.db.prepare(SQL.readAfter(where.sql));
    const count = s.db.prepare(SQL.countAfter(where.sql)).pluck();
    const save = s.db.prepare(SQL.setPosition);
    return new DurableReader({
      read: (after, limit) => (read.all(after, ...where.params, limit) as { seq: number; body: string }[])
        .map((r) => ({ seq: r.seq, event: this.decode(r.seq, r.body) })),
      lastSeq: () => s.lastSeq.get() as number,
      countAfter: (after) => count.get(after, ...where.params) as number,
      save: (p) => void save.run(p, spec.name, p),
    }, position, (err) => this.shared.report(toMeshError('ERR_MESH_STORE_FAILED', err, { durable: spec.name })));
  }

  private decode(seq: number, body: string): MeshEvent | undefined {
    try {
      return decodeStoredEvent(body);
    } catch (err) {
      this.shared.report(toMeshError('ERR_MESH_STORE_FAILED', err, { seq }));
      return undefined;
    }
  }

  private startOf(s: Open, from: StoreReplayFrom | undefined): number {
    if (from === undefined) return s.lastSeq.get() as number;
    if ('time' in from) return s.db.prepare(SQL.lastSeqBefore).pluck().get(from.time) as number;
    const seq = s.db.prepare(SQL.seqOfId).pluck().get(from.afterId) as number | undefined;
    if (seq === undefined) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', `sqlite: no stored event has id ${from.afterId}`, { details: { afterId: from.afterId } });
    }
    return seq;
  }

  private commit(): void {
    const batch = this.pending;
    this.pending = [];
    const s = this.state;
    if (s === undefined) {
      for (const p of batch) p.reject(notOpen(p.event));
      return;
    }
    try {
      s.insertAll(batch);
    } catch (err) {
      for (const p of batch) {
        p.reject(new MeshError('ERR_MESH_STORE_FAILED', `sqlite: could not store ${p.event.id}`, { cause: err, details: { eventId: p.event.id } }));
      }
      return;
    }
    for (const p of batch) p.resolve();
    let wanted = false;
    for (const r of s.readers.values()) wanted ||= batch.some((p) => r.matches(p.event.type));
    if (wanted) this.schedulePump();
  }

  /** One pump per microtask however many events were appended in it. */
  private schedulePump(): void {
    if (this.wake) return;
    this.wake = true;
    queueMicrotask(() => {
      this.wake = false;
      this.pumpAll();
    });
  }

  private pumpAll(): void {
    for (const r of this.state?.readers.values() ?? []) r.reader.wake();
  }
}

function notOpen(event: MeshEvent | undefined): MeshError {
  return new MeshError('ERR_MESH_STORE_FAILED', 'sqlite: the store is not open', { details: event === undefined ? {} : { eventId: event.id } });
}

function patternClash(name: string, pattern: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', `Durable "${name}" already exists with pattern ${pattern}`, { details: { durable: name } });
}
