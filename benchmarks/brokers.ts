/**
 * Both halves of the durable-brokers suite's pairs: evmesh with its nats / amqp store, and
 * the same broker driven directly by its own client. Each workload publishes n events
 * with at most WINDOW unconfirmed at once, and a run ends only when the consumer has
 * handled and acknowledged all n: publish, store, deliver and ack are all inside the
 * clock. Every case gets a fresh stream/exchange and queue, removed at close.
 */
import { randomBytes } from 'node:crypto';
import type { MeshStore } from '../src/index.js';
import type { Workload } from './harness.js';
import { loadKernel } from './evmesh.js';
import { ORDER_1KB, SOURCE, TOPIC, orderEvent } from './fixtures.js';

/** Publishes in flight at once, the same for every case. */
export const WINDOW = 256;
/** Deliveries a consumer may hold unacknowledged, the same for every case. */
export const PREFETCH = 128;

const DRAIN_TIMEOUT_MS = 30_000;
export const NATS_PORT = 4222;
export const AMQP_PORT = 5672;
const NATS_URL = `nats://127.0.0.1:${NATS_PORT}`;
const AMQP_URL = `amqp://guest:guest@127.0.0.1:${AMQP_PORT}`;

/** Counts deliveries and lets a run wait for a target, failing loudly if events go missing. */
class Counter {
  count = 0;
  private target = 0;
  private wake: (() => void) | undefined;

  hit(): void {
    if (++this.count >= this.target && this.wake) this.wake();
  }

  async until(target: number): Promise<void> {
    this.target = target;
    if (this.count >= target) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${this.count} of ${target}`)), DRAIN_TIMEOUT_MS);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

/** n publishes with a sliding window of WINDOW outstanding, then waits for the consumer. */
function windowed(publish: (i: number) => Promise<unknown>, counter: Counter): (n: number) => Promise<void> {
  let sent = 0;
  return async (n) => {
    const end = sent + n;
    const inflight = new Set<Promise<unknown>>();
    while (sent < end) {
      const p: Promise<unknown> = publish(sent++).then(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= WINDOW) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    await counter.until(end);
  };
}

const tag = (): string => randomBytes(5).toString('hex');

/** The evmesh half of a pair: one durable subscriber on `store`; `drop` removes what the case made on the broker. */
async function durableMesh(store: MeshStore, drop: () => Promise<void>): Promise<Workload> {
  const { createMesh } = await loadKernel();
  const mesh = createMesh({ source: SOURCE, store });
  const counter = new Counter();
  // concurrency 64 → the kernel asks the store for prefetch max(16, 128) = PREFETCH.
  await mesh.subscribe(TOPIC, () => counter.hit(), { durable: 'bench', concurrency: PREFETCH / 2 }).ready;
  return {
    run: windowed(() => mesh.publish(TOPIC, ORDER_1KB), counter),
    delivered: () => counter.count,
    expected: (ops) => ops,
    close: async () => {
      await mesh.close();
      await drop();
    },
  };
}

export async function evmeshNats(deduplicate = false): Promise<Workload> {
  const { natsStore } = await import('../adapters/nats/index.js');
  const t = tag();
  const stream = `BENCH_${t}`;
  return durableMesh(natsStore({ servers: NATS_URL, stream, subjectPrefix: `bench${t}`, deduplicate }), () => dropStream(stream));
}

export async function rawNats(msgId = false): Promise<Workload> {
  const { connect, AckPolicy, DeliverPolicy } = await import('nats');
  // As natsStore connects: no async stack trace captured per request.
  const nc = await connect({ servers: NATS_URL, noAsyncTraces: true });
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const t = tag();
  const stream = `BENCH_${t}`;
  const subject = `bench${t}.${TOPIC}`;
  await jsm.streams.add({ name: stream, subjects: [`bench${t}.>`] });
  await jsm.consumers.add(stream, { durable_name: 'bench', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, filter_subject: subject });
  const counter = new Counter();
  const messages = await (await js.consumers.get(stream, 'bench')).consume({ max_messages: PREFETCH });
  void (async () => {
    for await (const m of messages) {
      JSON.parse(Buffer.from(m.data).toString('utf8'));
      m.ack();
      counter.hit();
    }
  })();
  return {
    run: windowed((i) => js.publish(subject, Buffer.from(JSON.stringify(orderEvent(i))), msgId ? { msgID: `m${t}-${i}` } : undefined), counter),
    delivered: () => counter.count,
    expected: (ops) => ops,
    close: async () => {
      await messages.close();
      await jsm.streams.delete(stream);
      await nc.drain();
    },
  };
}

async function dropStream(stream: string): Promise<void> {
  const { connect } = await import('nats');
  const nc = await connect({ servers: NATS_URL });
  await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
  await nc.close();
}

export async function evmeshAmqp(): Promise<Workload> {
  const { amqpStore } = await import('../adapters/amqp/index.js');
  const t = tag();
  const exchange = `bench-${t}`;
  const queuePrefix = `bench-${t}.`;
  return durableMesh(amqpStore({ url: AMQP_URL, exchange, queuePrefix }), () => dropAmqp(exchange, `${queuePrefix}bench`));
}

export async function rawAmqp(): Promise<Workload> {
  const amqp = (await import('amqplib')).default;
  const conn = await amqp.connect(AMQP_URL);
  const pub = await conn.createConfirmChannel();
  const sub = await conn.createChannel();
  const t = tag();
  const exchange = `bench-${t}`;
  const queue = `bench-${t}.bench`;
  await pub.assertExchange(exchange, 'topic', { durable: true });
  await sub.assertQueue(queue, { durable: true });
  await sub.bindQueue(queue, exchange, TOPIC);
  await sub.prefetch(PREFETCH);
  const counter = new Counter();
  await sub.consume(queue, (msg) => {
    if (msg === null) return;
    JSON.parse(msg.content.toString('utf8'));
    sub.ack(msg);
    counter.hit();
  });
  const publish = (i: number): Promise<void> => new Promise((resolve, reject) => {
    pub.publish(exchange, TOPIC, Buffer.from(JSON.stringify(orderEvent(i))), { persistent: true, contentType: 'application/cloudevents+json' },
      (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
  });
  return {
    run: windowed(publish, counter),
    delivered: () => counter.count,
    expected: (ops) => ops,
    close: async () => {
      await sub.deleteQueue(queue);
      await sub.deleteExchange(exchange);
      await conn.close();
    },
  };
}

async function dropAmqp(exchange: string, queue: string): Promise<void> {
  const amqp = (await import('amqplib')).default;
  const conn = await amqp.connect(AMQP_URL);
  const ch = await conn.createChannel();
  await ch.deleteQueue(queue);
  await ch.deleteExchange(exchange);
  await conn.close();
}
