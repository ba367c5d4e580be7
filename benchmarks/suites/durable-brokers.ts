/**
 * Issue 5: durable publish + consume + ack through a local broker, evmesh's store adapter
 * paired with the broker's own client driving the same server in the same process.
 */
import { defineSuite } from '../harness.js';
import { AMQP_PORT, NATS_PORT, PREFETCH, WINDOW, evmeshAmqp, evmeshNats, rawAmqp, rawNats } from '../brokers.js';

const NATS = { name: 'nats', port: NATS_PORT };
const RABBIT = { name: 'rabbitmq', port: AMQP_PORT };
/** A round of a few windows at least, so filling and draining the window is not all it measures. */
const MIN_EVENTS = 4 * WINDOW;
const WARMUP = 1000;

export default defineSuite({
  name: 'durable-brokers',
  title: 'Durable publish + consume + ack through a local broker: evmesh store adapter vs the raw client (paired)',
  reference: 'raw client',
  cases: [
    {
      lib: 'evmesh natsStore', group: 'NATS JetStream',
      paired: { raw: 'nats', ours: () => evmeshNats(), rawClient: () => rawNats(), service: NATS, warmupEvents: WARMUP, minEvents: MIN_EVENTS },
    },
    {
      lib: 'evmesh natsStore (deduplicate)', group: 'NATS JetStream, Nats-Msg-Id',
      paired: { raw: 'nats + msgID', ours: () => evmeshNats(true), rawClient: () => rawNats(true), service: NATS, warmupEvents: WARMUP, minEvents: MIN_EVENTS },
    },
    {
      lib: 'evmesh amqpStore', group: 'RabbitMQ',
      paired: { raw: 'amqplib', ours: evmeshAmqp, rawClient: rawAmqp, service: RABBIT, warmupEvents: WARMUP, minEvents: MIN_EVENTS },
    },
  ],
  notes: [
    'Paired: both workloads of a row group live in one process and alternate rounds of the same size (see Method); the broker runs on the same 2 cores. The ratio is the median over rounds of evmesh events/s / raw events/s in the same round, with its min–max.',
    `One op = one ~1 KB CloudEvent published with at most ${WINDOW} unconfirmed (JetStream PubAck / publisher confirm), consumed and acknowledged; a round ends when the consumer has handled and acknowledged all n. Every case gets a fresh stream / exchange and queue.`,
    `Consumers hold at most ${PREFETCH} unacknowledged deliveries: the raw NATS pull consumer with \`consume({ max_messages: ${PREFETCH} })\`, the raw RabbitMQ channel with \`prefetch(${PREFETCH})\`, evmesh through a durable subscription with \`concurrency: ${PREFETCH / 2}\` (the kernel's prefetch is twice the concurrency). The raw NATS connection sets \`noAsyncTraces\`, as natsStore's does.`,
    'Raw clients publish a CloudEvent-shaped object with JSON.stringify and JSON.parse it on receipt; evmesh publishes `mesh.publish(topic, order)` (event built, stored as structured CloudEvents JSON, decoded and validated on delivery). RabbitMQ messages are persistent on both sides.',
    '`evmesh natsStore (deduplicate)` sets a `Nats-Msg-Id` header per event (resends deduplicated by the server; off by default), paired with the raw client setting one too.',
  ],
  targets: [
    { label: 'natsStore >= 0.8x the nats client, durable publish + consume', lib: 'evmesh natsStore', group: 'NATS JetStream', metric: 'ratio', min: 0.8 },
    { label: 'amqpStore >= 0.8x amqplib, durable publish + consume', lib: 'evmesh amqpStore', group: 'RabbitMQ', metric: 'ratio', min: 0.8 },
  ],
});
