/**
 * Workloads for the durable-stores suite's pairs: evmesh publishing to and consuming from
 * a store adapter, and the same engine driven directly by its own client doing the same
 * work (store the event, read it back, parse it, record the consumer's position) with the
 * same batching: a window of WINDOW publishes, reads of BATCH. Each `run(n)` resolves once
 * all n events were consumed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Workload } from './harness.js';
import { loadKernel } from './evmesh.js';
import { ORDER_1KB, SOURCE, TOPIC, orderEvent } from './fixtures.js';

/** Publishes in flight at once, for evmesh and the raw clients alike. */
export const WINDOW = 100;

/** n publishes, WINDOW at a time, each window awaited: the same batching for evmesh and the raw client. */
async function inWindows(n: number, publishOne: () => Promise<unknown>): Promise<void> {
  for (let done = 0; done < n;) {
    const k = Math.min(WINDOW, n - done);
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < k; i++) batch.push(publishOne());
    await Promise.all(batch);
    done += k;
  }
}
/** Deliveries a consumer reads per round: evmesh's prefetch (concurrency 32) and the raw batch. */
export const BATCH = 64;
export const REDIS_PORT = 6379;
const REDIS_URL = `redis://127.0.0.1:${REDIS_PORT}`;

/** Resolves when `count()` reaches `target` (checked on each delivery). */
class Waiter {
  count = 0;
  private target = Infinity;
  private wake: (() => void) | undefined;

  hit(k = 1): void {
    this.count += k;
    if (this.count >= this.target) this.wake?.();
  }

  until(target: number): Promise<void> {
    if (this.count >= target) return Promise.resolve();
    this.target = target;
    return new Promise((resolve) => (this.wake = resolve));
  }
}

function tempDb(): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'evmesh-bench-'));
  return { path: join(dir, 'bench.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const PG_PORT = 5432;
const PG_URL = `postgres://postgres@127.0.0.1:${PG_PORT}/test`;

export async function evmeshWorkload(kind: 'sqlite' | 'redis' | 'postgres'): Promise<Workload> {
  const { createMesh } = await loadKernel();
  const db = tempDb();
  const stream = `evmesh-bench:${randomBytes(4).toString('hex')}`;
  const schema = `evmesh_bench_${randomBytes(4).toString('hex')}`;
  const store = kind === 'sqlite'
    ? (await import('../adapters/sqlite/index.js')).sqliteStore({ path: db.path })
    : kind === 'redis'
      ? (await import('../adapters/redis/index.js')).redisStore({ url: REDIS_URL, stream })
      : (await import('../adapters/postgres/index.js')).postgresStore({ connectionString: PG_URL, schema });
  const mesh = createMesh({ source: SOURCE, store });
  const got = new Waiter();
  await mesh.subscribe(TOPIC, () => got.hit(), { durable: 'bench', concurrency: BATCH / 2 }).ready;
  let sent = 0;
  return {
    async run(n) {
      await inWindows(n, () => mesh.publish(TOPIC, ORDER_1KB));
      sent += n;
      await got.until(sent);
    },
    delivered: () => got.count,
    expected: (ops) => ops,
    async close() {
      await mesh.close();
      db.remove();
      if (kind === 'redis') await dropStream(stream);
      if (kind === 'postgres') await dropSchema(schema);
    },
  };
}

const eventJson = (i: number): string => JSON.stringify(orderEvent(i));

/**
 * better-sqlite3 alone: each window of WINDOW inserts in one transaction (sqliteStore
 * commits the appends of one tick together, and the evmesh side issues a window per tick),
 * then the new rows read back BATCH at a time, parsed, and the position saved once.
 */
export function rawSqliteWorkload(): Workload {
  const file = tempDb();
  const db = new Database(file.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT, type TEXT, stored_at INTEGER, body TEXT);' +
    'CREATE TABLE positions (name TEXT PRIMARY KEY, position INTEGER); INSERT INTO positions VALUES (\'bench\', 0);');
  const insert = db.prepare('INSERT INTO events (id, type, stored_at, body) VALUES (?, ?, ?, ?)');
  const select = db.prepare('SELECT seq, body FROM events WHERE seq > ? AND type = ? ORDER BY seq LIMIT ?');
  const save = db.prepare('UPDATE positions SET position = ? WHERE name = ?');
  let cursor = 0;
  let count = 0;
  let i = 0;
  const insertWindow = db.transaction((k: number) => {
    for (let j = 0; j < k; j++) {
      i++;
      insert.run(`bench-${i}`, TOPIC, Date.now(), eventJson(i));
    }
  });
  const drain = (): void => {
    const from = cursor;
    for (;;) {
      const rows = select.all(cursor, TOPIC, BATCH) as { seq: number; body: string }[];
      if (rows.length === 0) break;
      for (const r of rows) if ((JSON.parse(r.body) as { type: string }).type === TOPIC) count++;
      cursor = (rows[rows.length - 1] as { seq: number }).seq;
    }
    if (cursor !== from) save.run(cursor, 'bench');
  };
  return {
    run(n) {
      for (let done = 0; done < n;) {
        const k = Math.min(WINDOW, n - done);
        insertWindow(k);
        drain();
        done += k;
      }
    },
    delivered: () => count,
    expected: (ops) => ops,
    close() {
      db.close();
      file.remove();
    },
  };
}

/**
 * ioredis alone: XADD (WINDOW in flight) on an auto-pipelined connection, as redisStore's
 * shared one is; a consumer on its own connection doing XREADGROUP COUNT BATCH, parse, one
 * XACK per batch.
 */
export async function rawRedisWorkload(): Promise<Workload> {
  const stream = `evmesh-bench:${randomBytes(4).toString('hex')}`;
  const producer = new Redis(REDIS_URL, { enableAutoPipelining: true });
  const reader = new Redis(REDIS_URL);
  await producer.xgroup('CREATE', stream, 'bench', '$', 'MKSTREAM');
  const got = new Waiter();
  let stopped = false;
  const consuming = (async () => {
    while (!stopped) {
      const reply = (await reader.xreadgroup('GROUP', 'bench', 'c1', 'COUNT', BATCH, 'BLOCK', 100, 'STREAMS', stream, '>')) as
        [string, [string, string[]][]][] | null;
      if (reply === null) continue;
      const ids: string[] = [];
      for (const [id, fields] of reply[0]![1]) {
        if ((JSON.parse(fields[5] as string) as { type: string }).type === TOPIC) got.hit();
        ids.push(id);
      }
      void producer.xack(stream, 'bench', ...ids);
    }
  })();
  let i = 0;
  let sent = 0;
  return {
    async run(n) {
      await inWindows(n, () => {
        const id = `bench-${++i}`;
        return producer.xadd(stream, '*', 'i', id, 't', TOPIC, 'e', eventJson(i));
      });
      sent += n;
      await got.until(sent);
    },
    delivered: () => got.count,
    expected: (ops) => ops,
    async close() {
      stopped = true;
      await consuming;
      await producer.del(stream);
      producer.disconnect();
      reader.disconnect();
    },
  };
}

async function dropStream(stream: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  await redis.del(stream, `${stream}:durables`);
  redis.disconnect();
}

async function dropSchema(schema: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
}

/**
 * pg alone, a competent hand-written durable consumer on one table: each window of
 * WINDOW events inserted in one multi-row INSERT (postgresStore commits the appends of
 * one tick together) into a table of the same shape (bigserial, the event id and source
 * unique, type, stored_at, json); a consumer on its own connection selecting the rows
 * after its position BATCH at a time, JSON.parse of each, and one UPDATE of its position
 * per batch, woken in-process after each window (no LISTEN round trip). It has one
 * consumer and one producer, so it needs no leases, no delivery rows and no
 * transaction horizon: what postgresStore pays for sharing a durable between
 * processes and for inserts committing out of position order.
 */
export async function rawPgWorkload(): Promise<Workload> {
  const schema = `evmesh_bench_raw_${randomBytes(4).toString('hex')}`;
  const producer = new pg.Pool({ connectionString: PG_URL, max: 1 });
  const reader = new pg.Client({ connectionString: PG_URL });
  await reader.connect();
  await producer.query(`CREATE SCHEMA "${schema}";
    CREATE TABLE "${schema}".events (position bigserial PRIMARY KEY, id text NOT NULL, source text NOT NULL, type text NOT NULL,
      stored_at timestamptz NOT NULL DEFAULT now(), event json NOT NULL, UNIQUE (id, source));
    CREATE TABLE "${schema}".positions (name text PRIMARY KEY, position bigint NOT NULL);
    INSERT INTO "${schema}".positions VALUES ('bench', 0);`);
  const inserts = new Map<number, string>();
  const insertSql = (k: number): string => {
    let text = inserts.get(k);
    if (text === undefined) {
      const tuples = Array.from({ length: k }, (_, r) => `($${r * 4 + 1}, $${r * 4 + 2}, $${r * 4 + 3}, $${r * 4 + 4})`);
      text = `INSERT INTO "${schema}".events (id, source, type, event) VALUES ${tuples.join(', ')} ON CONFLICT (id, source) DO NOTHING`;
      inserts.set(k, text);
    }
    return text;
  };
  const select = `SELECT position, event::text AS event FROM "${schema}".events WHERE position > $1 AND type = $2 ORDER BY position LIMIT $3`;
  const save = `UPDATE "${schema}".positions SET position = $1 WHERE name = 'bench'`;
  const got = new Waiter();
  let cursor = '0';
  let wake: (() => void) | undefined;
  // Set by each insert: one that committed while the consumer's SELECT or UPDATE was out
  // (so after the SELECT's snapshot, with nobody to wake) must not leave the consumer
  // asleep. Without it a round whose last window landed there never ended (the case timed out).
  let inserted = false;
  let stopped = false;
  const consuming = (async () => {
    while (!stopped) {
      inserted = false;
      const { rows } = await reader.query<{ position: string; event: string }>(select, [cursor, TOPIC, BATCH]);
      for (const r of rows) if ((JSON.parse(r.event) as { type: string }).type === TOPIC) got.hit();
      if (rows.length > 0) {
        cursor = (rows[rows.length - 1] as { position: string }).position;
        await reader.query(save, [cursor]);
      }
      if (rows.length < BATCH && !inserted) await new Promise<void>((resolve) => (wake = resolve));
    }
  })();
  let i = 0;
  let sent = 0;
  return {
    async run(n) {
      for (let done = 0; done < n;) {
        const k = Math.min(WINDOW, n - done);
        const values: string[] = [];
        for (let j = 0; j < k; j++) {
          const id = `bench-${++i}`;
          values.push(id, SOURCE, TOPIC, eventJson(i));
        }
        await producer.query(insertSql(k), values);
        inserted = true;
        wake?.();
        wake = undefined;
        done += k;
      }
      sent += n;
      await got.until(sent);
    },
    delivered: () => got.count,
    expected: (ops) => ops,
    async close() {
      stopped = true;
      wake?.();
      await consuming;
      await producer.query(`DROP SCHEMA "${schema}" CASCADE`);
      await producer.end();
      await reader.end();
    },
  };
}
