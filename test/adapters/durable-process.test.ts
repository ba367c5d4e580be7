import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { redisStore } from '../../adapters/redis/index.js';
import { sqliteStore } from '../../adapters/sqlite/index.js';
import type { MeshStore } from '../../src/index.js';
import { until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';
import { serviceAvailable } from '../support/services.js';
import { AMQP_URL, amqpStores } from './amqp/amqp-fixture.js';
import { NATS_URL, natsStores } from './nats/nats-fixture.js';

// A process whose only work is a durable subscription (test/adapters/fixtures/
// durable-subscriber.mts): what keeps it running, and what it leaves behind when closed.

const FIXTURE = join(import.meta.dirname, 'fixtures', 'durable-subscriber.mts');
const PATTERN = 'alive.*';
const DURABLE = 'alive';
/** Starting a tsx child on a loaded machine takes seconds: the waits are generous. */
const WAIT = 30_000;

type Kind = 'memory' | 'sqlite' | 'redis' | 'nats' | 'amqp';
type Message = { type: 'ready' } | { type: 'handled'; data: unknown } | { type: 'error'; code: string };

/** The fixture running in a child process, and what it told us. */
class SubscriberProcess {
  ready = false;
  readonly handled: unknown[] = [];
  readonly errors: string[] = [];
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly child: ChildProcess;

  constructor(kind: Kind, options: Record<string, unknown>, onTerm: 'close' | 'unsubscribe' = 'close') {
    const config = { kind, options, pattern: PATTERN, durable: DURABLE, onTerm };
    this.child = fork(FIXTURE, [JSON.stringify(config)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: Message) => {
      if (m.type === 'ready') this.ready = true;
      else if (m.type === 'handled') this.handled.push(m.data);
      else this.errors.push(m.code);
    });
    this.child.on('exit', (code, signal) => void (this.exit = { code, signal }));
    running.push(this);
  }

  /** True while running; throws once the process ended, so a wait on it fails at once. */
  alive(): boolean {
    if (this.exit !== undefined) throw new Error(`the subscriber process ended (code ${this.exit.code}, signal ${this.exit.signal})`);
    return true;
  }

  /** SIGTERM: the fixture closes its mesh (or unsubscribes), and must then end by itself. */
  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await until(() => this.exit !== undefined, WAIT);
  }

  kill(): void {
    if (this.exit === undefined) this.child.kill('SIGKILL');
  }
}

const running: SubscriberProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill();
});
const mesh = closedAfterEach();

/**
 * Starts the subscriber, publishes to it from this process (another store instance on
 * the same backend), stops it with SIGTERM, starts it again and publishes a marker:
 * it must stay up with nothing but its durable, end by itself once closed (or
 * unsubscribed), and, once back, get only the marker (what it handled was stored as
 * handled before it ended).
 */
async function staysUpAndResumes(kind: Kind, options: Record<string, unknown>, publisherStore: () => MeshStore, onTerm?: 'unsubscribe'): Promise<void> {
  const first = new SubscriberProcess(kind, options, onTerm);
  await until(() => first.alive() && first.ready, WAIT);
  const publisher = mesh({ store: publisherStore() });
  for (let i = 1; i <= 5; i++) await publisher.publish('alive.x', i);
  await until(() => first.alive() && first.handled.length === 5, WAIT);
  await first.stop();
  expect(first.exit).toEqual({ code: 0, signal: null });
  const second = new SubscriberProcess(kind, options);
  await until(() => second.alive() && second.ready, WAIT);
  await publisher.publish('alive.x', 'marker');
  await until(() => second.alive() && second.handled.includes('marker'), WAIT);
  await second.stop();
  expect(second.exit).toEqual({ code: 0, signal: null });
  expect(first.handled).toEqual([1, 2, 3, 4, 5]);
  expect(second.handled).toEqual(['marker']);
  expect([...first.errors, ...second.errors]).toEqual([]);
  await publisher.deleteDurable(DURABLE);
}

describe('a process whose only work is a durable subscription', () => {
  it('sqliteStore: stays up, handles what another process appends to the file, ends by itself after close(), and a restart redelivers nothing it handled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evmesh-alive-'));
    try {
      const path = join(dir, 'alive.db');
      await staysUpAndResumes('sqlite', { path, pollInterval: 20 }, () => sqliteStore({ path, pollInterval: 0 }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('sqliteStore: ends by itself once its durable unsubscribed (mesh left open), having written the positions it handled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evmesh-alive-'));
    try {
      const path = join(dir, 'alive.db');
      await staysUpAndResumes('sqlite', { path, pollInterval: 20 }, () => sqliteStore({ path, pollInterval: 0 }), 'unsubscribe');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('memoryStore: ends by itself, since nothing outside the process can feed an in-memory durable', async () => {
    const only = new SubscriberProcess('memory', {});
    await until(() => only.exit !== undefined, WAIT);
    expect(only.ready).toBe(true);
    expect(only.exit).toEqual({ code: 0, signal: null });
  }, 60_000);
});

const redisUp = await serviceAvailable('redis');
const natsUp = await serviceAvailable('nats');
const amqpUp = await serviceAvailable('rabbitmq');

describe.runIf(redisUp)('a durable subscriber process on redisStore', () => {
  const url = 'redis://127.0.0.1:6379';
  const stream = `evmesh-test:${randomBytes(5).toString('hex')}`;
  afterAll(async () => {
    const redis = new Redis(url);
    await redis.del(stream, `${stream}:durables`);
    await redis.quit();
  });
  it('stays up, ends by itself after close(), and a restart redelivers nothing it handled', async () => {
    await staysUpAndResumes('redis', { url, stream }, () => redisStore({ url, stream }));
  }, 120_000);
});

describe.runIf(natsUp)('a durable subscriber process on natsStore', () => {
  const nats = natsStores();
  it('stays up, ends by itself after close(), and a restart redelivers nothing it handled', async () => {
    await staysUpAndResumes('nats', { servers: NATS_URL, stream: nats.stream, subjectPrefix: nats.prefix }, () => nats.store());
  }, 120_000);
});

describe.runIf(amqpUp)('a durable subscriber process on amqpStore', () => {
  const amqp = amqpStores();
  it('stays up, ends by itself after close(), and a restart redelivers nothing it handled', async () => {
    await staysUpAndResumes('amqp', { url: AMQP_URL, exchange: amqp.exchange, queuePrefix: amqp.queuePrefix }, () => amqp.store());
  }, 120_000);
});
