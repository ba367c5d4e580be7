/**
 * Issue 5: durable publish + consume through a broker, evmesh's store adapter against the
 * broker's own client driving the same local server in the same run.
 */
import { defineSuite } from '../harness.js';
import { PREFETCH, WINDOW, evmeshAmqp, evmeshNats, rawAmqp, rawNats, timedBroker } from '../brokers.js';

const NATS_EVENTS = 4000;
const AMQP_EVENTS = 3000;

const NATS = 'NATS JetStream';
const RABBIT = 'RabbitMQ';

export default defineSuite({
  name: 'durable-brokers',
  title: 'Durable publish + consume + ack through a local broker: evmesh store adapter vs the raw client',
  reference: 'raw client',
  cases: [
    { lib: 'raw client', group: NATS, timed: (cfg) => timedBroker(() => rawNats(), 4222, NATS_EVENTS, cfg) },
    { lib: 'raw client + msgID', group: NATS, timed: (cfg) => timedBroker(() => rawNats(true), 4222, NATS_EVENTS, cfg) },
    { lib: 'evmesh natsStore', group: NATS, timed: (cfg) => timedBroker(() => evmeshNats(), 4222, NATS_EVENTS, cfg) },
    { lib: 'evmesh natsStore (deduplicate)', group: NATS, timed: (cfg) => timedBroker(() => evmeshNats(true), 4222, NATS_EVENTS, cfg) },
    { lib: 'raw client', group: RABBIT, timed: (cfg) => timedBroker(rawAmqp, 5672, AMQP_EVENTS, cfg) },
    { lib: 'evmesh amqpStore', group: RABBIT, timed: (cfg) => timedBroker(evmeshAmqp, 5672, AMQP_EVENTS, cfg) },
  ],
  notes: [
    `Self-timed runs of a fixed size (events/run column; a quarter of it with --quick) after one warm-up run: a broker round trip costs milliseconds, and the shared calibration would time a handful of events per run, i.e. latency. One process publishes and consumes; the broker runs on the same 2 cores. A run publishes n events with at most ${WINDOW} unconfirmed (JetStream PubAck / publisher confirm) and ends when the consumer has handled and acknowledged all n.`,
    `Consumers hold at most ${PREFETCH} unacknowledged deliveries: the raw NATS pull consumer with \`consume({ max_messages: ${PREFETCH} })\`, the raw RabbitMQ channel with \`prefetch(${PREFETCH})\`, evmesh through a durable subscription with \`concurrency: ${PREFETCH / 2}\` (the kernel's prefetch is twice the concurrency).`,
    'Raw clients publish a CloudEvent-shaped object with JSON.stringify and JSON.parse it on receipt; evmesh publishes `mesh.publish(topic, data)` (event built, stored as structured CloudEvents JSON, decoded and validated on delivery). `evmesh natsStore (deduplicate)` sets a `Nats-Msg-Id` header per event (resends deduplicated by the server; off by default): `raw client + msgID` is the raw client doing the same, its reference. RabbitMQ messages are persistent on both rows.',
  ],
  targets: [
    { label: 'evmesh natsStore >= 0.8x raw nats client, durable publish + consume', lib: 'evmesh natsStore', group: NATS, metric: 'ratio', min: 0.8 },
    { label: 'evmesh amqpStore >= 0.8x raw amqplib, durable publish + consume', lib: 'evmesh amqpStore', group: RABBIT, metric: 'ratio', min: 0.8 },
  ],
});
