/**
 * Durable publish + consume through an embedded or local store, paired with the same
 * engine driven directly by its own client in the same process (issue 5: target >= 0.8x).
 */
import { defineSuite } from '../harness.js';
import { BATCH, evmeshWorkload, PG_PORT, rawPgWorkload, rawRedisWorkload, rawSqliteWorkload, REDIS_PORT, WINDOW } from '../durable.js';

const MIN_EVENTS = 4 * WINDOW;

export default defineSuite({
  name: 'durable-stores',
  title: 'Durable publish + consume: evmesh store adapters vs their raw clients (paired)',
  reference: 'raw client',
  cases: [
    {
      lib: 'evmesh sqliteStore', group: 'SQLite',
      paired: { raw: 'better-sqlite3', ours: () => evmeshWorkload('sqlite'), rawClient: rawSqliteWorkload, warmupEvents: 2000, minEvents: MIN_EVENTS },
    },
    {
      lib: 'evmesh redisStore', group: 'Redis Streams',
      paired: {
        raw: 'ioredis', ours: () => evmeshWorkload('redis'), rawClient: rawRedisWorkload,
        service: { name: 'redis', port: REDIS_PORT }, warmupEvents: 1000, minEvents: MIN_EVENTS,
      },
    },
    {
      lib: 'evmesh postgresStore', group: 'PostgreSQL',
      paired: {
        raw: 'pg', ours: () => evmeshWorkload('postgres'), rawClient: rawPgWorkload,
        service: { name: 'postgres', port: PG_PORT }, warmupEvents: 1000, minEvents: MIN_EVENTS,
      },
    },
  ],
  notes: [
    'Paired: both workloads of a row group live in one process and alternate rounds of the same size (see Method), so both see the same load; the ratio is the median over rounds of evmesh events/s / raw events/s in the same round, with its min–max.',
    `One op = one ~1 KB CloudEvent stored and consumed. evmesh: \`mesh.publish(topic, order)\`, ${WINDOW} in flight then awaited, into \`sqliteStore\` (WAL, synchronous=NORMAL, temp file) or \`redisStore\` (local Redis, a fresh stream); one durable subscription with concurrency ${BATCH / 2} (prefetch ${BATCH}), sync handler; a round ends when every event was handled (and so acknowledged).`,
    `better-sqlite3: the same pragmas; each window of ${WINDOW} events inserted in one transaction (id, type, time, CloudEvent JSON), as sqliteStore commits the appends of one tick together; then the new rows selected ${BATCH} at a time, each JSON.parsed, and the consumer position updated once.`,
    `ioredis: XADD with the same fields (${WINDOW} in flight, then awaited) on an auto-pipelined connection, as redisStore's shared connection is; a consumer on its own connection looping XREADGROUP COUNT ${BATCH} BLOCK, JSON.parse of each entry, one XACK per batch.`,
    `pg: each window of ${WINDOW} events in one multi-row INSERT (postgresStore commits the appends of one tick, or of one INSERT in flight, together) into a table of the same shape (bigserial, id+source unique, type, stored_at, json); a consumer on its own connection selecting the rows after its position ${BATCH} at a time, JSON.parse of each, one UPDATE of the position per batch, woken in-process after each window. postgresStore does more, for sharing a durable between processes and for transactions committing out of position order: per claimed batch one leased range row inserted and deleted once all its events are acknowledged, the table's horizon read (the position sequence and pg_locks) per claim, per append statement a trigger taking the transaction's advisory lock and one sending NOTIFY, and the claim as a plpgsql function.`,
    'Both sides serialize and parse a CloudEvent per event; evmesh also builds the event object, checks the shape of what comes out of the store (not a full re-validation: the store wrote it), and runs the kernel delivery per event. sqliteStore writes positions at most every 20 ms, the raw loop once per window (an UPDATE measured ~20 µs here, ~0.2 µs per event).',
  ],
  targets: [
    { label: 'sqliteStore >= 0.8x better-sqlite3 driven directly', lib: 'evmesh sqliteStore', group: 'SQLite', metric: 'ratio', min: 0.8 },
    { label: 'redisStore >= 0.8x ioredis Streams driven directly', lib: 'evmesh redisStore', group: 'Redis Streams', metric: 'ratio', min: 0.8 },
    { label: 'postgresStore >= 0.8x pg driven directly', lib: 'evmesh postgresStore', group: 'PostgreSQL', metric: 'ratio', min: 0.8 },
  ],
});
