/**
 * Durable publish + consume through a store adapter, against the same engine driven
 * directly by its own client in the same run (issue 5: target >= 0.8x the raw client).
 */
import { defineSuite } from '../harness.js';
import { BATCH, evmeshWorkload, rawRedisWorkload, rawSqliteWorkload, WINDOW } from '../durable.js';

export default defineSuite({
  name: 'durable-stores',
  title: 'Durable publish + consume: evmesh store adapters vs their raw clients',
  reference: 'raw client',
  cases: [
    { lib: 'evmesh', group: 'sqlite', setup: () => evmeshWorkload('sqlite') },
    { lib: 'raw client', group: 'sqlite', setup: () => rawSqliteWorkload() },
    { lib: 'evmesh', group: 'redis', setup: () => evmeshWorkload('redis') },
    { lib: 'raw client', group: 'redis', setup: () => rawRedisWorkload() },
  ],
  notes: [
    `One op = one event stored and consumed. evmesh: \`mesh.publish(topic, data)\`, ${WINDOW} in flight then awaited, into \`sqliteStore\` (WAL, synchronous=NORMAL, temp file) or \`redisStore\` (local Redis, a fresh stream); one durable subscription with concurrency ${BATCH / 2} (prefetch ${BATCH}), sync handler; a run ends when every event was handled (and so acknowledged).`,
    `raw client, sqlite: better-sqlite3 on the same pragmas, one INSERT per event (id, type, time, CloudEvent JSON), and every ${BATCH} inserts a SELECT of the next ${BATCH} rows, JSON.parse of each, an UPDATE of the consumer position.`,
    `raw client, redis: ioredis, XADD with the same fields (${WINDOW} in flight, then awaited), a consumer on its own connection looping XREADGROUP COUNT ${BATCH} BLOCK, JSON.parse of each entry, one XACK per batch.`,
    'Both sides build a CloudEvent JSON per event; evmesh also builds the event object, validates it on the way back out of the store, and runs the kernel delivery (scheduler, ack promise) per event.',
    'What the adapters do that the raw loops do not: sqliteStore commits the appends of one tick in one transaction (group commit; the raw loop autocommits each INSERT, as the plain better-sqlite3 insert loop does), and writes positions at most every 20 ms; redisStore turns on ioredis auto-pipelining on its shared connection.',
    'Cases run one after the other in separate processes: on a loaded machine the load drifts between the evmesh and the raw row, and the ratio with it. `npx tsx benchmarks/durable-interleaved.ts sqlite|redis` alternates both workloads in one process (same load) and prints client CPU per event; analysis.md gives both.',
  ],
  targets: [
    { label: 'sqliteStore >= 0.8x better-sqlite3 driven directly', lib: 'evmesh', group: 'sqlite', metric: 'ratio', min: 0.8 },
    { label: 'redisStore >= 0.8x ioredis Streams driven directly', lib: 'evmesh', group: 'redis', metric: 'ratio', min: 0.8 },
  ],
});
