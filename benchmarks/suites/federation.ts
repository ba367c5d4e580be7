/**
 * Scenario 6: two processes on 127.0.0.1 (perf-anchors part 3). The case process is the
 * driver (publisher / requester); it forks one peer (subscriber / responder). evmesh links
 * the two directly over its TCP federation; NATS and Redis go through their local servers;
 * `net` is a bare socket with the same JSON work, the floor for any JSON-on-TCP design.
 * Both halves live in benchmarks/xproc/.
 */
import { defineSuite, type CaseDef } from '../harness.js';
import { latency, throughput } from '../xproc/driver.js';

const THROUGHPUT = '1 KB events';
const RTT = '1 KB round trip';

const cases: CaseDef[] = [
  { lib: 'evmesh', group: THROUGHPUT, timed: (cfg) => throughput('evmesh', cfg) },
  { lib: 'nats', group: THROUGHPUT, timed: (cfg) => throughput('nats', cfg) },
  { lib: 'nats (prebuilt bytes)', group: THROUGHPUT, timed: (cfg) => throughput('nats-bytes', cfg) },
  { lib: 'redis', group: THROUGHPUT, timed: (cfg) => throughput('redis', cfg) },
  { lib: 'net (json floor)', group: THROUGHPUT, timed: (cfg) => throughput('net', cfg) },
  { lib: 'evmesh', group: RTT, latency: true, timed: (cfg) => latency('evmesh', cfg) },
  { lib: 'nats', group: RTT, latency: true, timed: (cfg) => latency('nats', cfg) },
  { lib: 'redis', group: RTT, latency: true, timed: (cfg) => latency('redis', cfg) },
  { lib: 'net (json floor)', group: RTT, latency: true, timed: (cfg) => latency('net', cfg) },
];

export default defineSuite({
  name: 'federation',
  title: 'Cross-process on 127.0.0.1: one publisher process, one subscriber process',
  reference: 'nats',
  cases,
  notes: [
    'The case process (driver) forks one peer process; control messages go over the fork IPC channel only, never on the data path. Publisher, subscriber and (for NATS/Redis) the server share the 2 cores.',
    'Payload: an order with 6 items, 892 B of JSON, 1,057 B as a CloudEvent. evmesh peers coalesce the events sent over a link in one tick into batch frames (PROTOCOL §5.6: one ~260 B header per batch, 4 B per event), ~1,045 B per event on the wire; requests and replies are frames of their own with their header (see "B/event sent", "B/request sent"). evmesh: `mesh.emit(topic, data)` / `mesh.request(topic, data)`, the mesh builds and serializes the event. nats, redis, net: a CloudEvent-shaped object with a fresh id, JSON.stringify on send and JSON.parse on receipt, so every row pays one serialization and one parse per message. `nats (prebuilt bytes)` is the perf-anchors case: one prebuilt buffer, never parsed.',
    'Throughput: N events per run (events/run column), one discarded warm-up run, then the timed runs; events/s = N / (tEnd − t0), t0 in the driver before the first send and tEnd in the peer at the last receive, both `process.hrtime.bigint()` (CLOCK_MONOTONIC, comparable across processes). "ns/op" is (tEnd − t0) / N. "sender ev/s" is how fast the driver handed events to its client.',
    'Senders: evmesh yields to the event loop (`setImmediate`) every 64 emits so the link can flush (as net writes 64 frames at a time), and sleeps 1 ms at a time while the link outbound queue (`mesh.peers()[0].outbound.queuedBytes`) holds more than 2 MiB (past 8 MiB the link refuses frames); NATS `flush()` every 10k; Redis `pipeline()` batches of 1,000, each awaited; net corks 64 frames per write (4-byte length prefix) and waits for `drain`.',
    'Redis runs with server defaults: a subscriber more than `client-output-buffer-limit pubsub` (32 MB hard / 8 MB for 60 s) behind is disconnected, which fails the row (the anchors raised the limit to 512 MB).',
    'Round trip: 2,000 warm-up round trips, then runs of sequential 1 KB round trips (reply ~1 KB too), each timed in the driver; the table gives the median and range of the runs\' p50 and p99. evmesh: `mesh.request`, the peer\'s handler returns the data; NATS: `request()` with a responder that parses and answers; Redis: pub/sub ping-pong over two channels; net: one frame each way.',
    'The ratio column is against `nats` in the same table: ops/s ratio for throughput (>1 = faster), p50 latency ratio for round trips (<1 = quicker). GCs are not counted here (they happen in two processes). A case whose server is not reachable is skipped, not failed.',
  ],
  targets: [
    { label: 'evmesh >= 2.0x nats, 1 KB events/s across processes (issue 16)', lib: 'evmesh', group: THROUGHPUT, metric: 'ratio', min: 2.0 },
    { label: 'evmesh p50 round trip <= 0.5x nats request/reply (issue 16)', lib: 'evmesh', group: RTT, metric: 'ratio', max: 0.5 },
  ],
});
