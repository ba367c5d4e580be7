import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import {
  MeshError, type ConsumerSpec, type MeshEvent, type MeshStore, type StoreConsumer, type StoreContext, type StoreHandler, type StoreReplayFrom,
} from '../../src/index.js';
import { encodeStoredEvent, toMeshError } from '../../src/internal.js';
import { answerWithin, pingWithin } from '../shared/answer-within.js';
import { SharedOpen } from '../shared/shared-open.js';
import { connect, redact, type ConnectionPolicy } from './connection.js';
import { groupBacklog } from './group-backlog.js';
import { filterMatcher, toRedisFilter } from './patterns.js';
import { StreamConsumer, type RawEntry } from './stream-consumer.js';

export interface RedisStoreOptions {
  /** @default 'redis://127.0.0.1:6379' */
  readonly url?: string;
  /** The stream every event is appended to; meshes sharing it share the store. @default 'evmesh:events' */
  readonly stream?: string;
  /**
   * A delivery its consumer leaves unacknowledged this long (the process died) is
   * taken over by another member of the durable, in ms. A live consumer renews its
   * deliveries, however slow its handler.
   * @default 30000
   */
  readonly claimIdle?: number;
  /**
   * Bound on the first connect, in ms; past it `open` fails with ERR_MESH_STORE_UNAVAILABLE.
   * Also how long `ping` and `backlog` wait for Redis to answer.
   * @default 2000
   */
  readonly connectTimeout?: number;
  /**
   * How many redials a command waits through during an outage before it fails
   * (then that publish rejects; nothing is reported as stored that was not).
   * @default 20
   */
  readonly maxRetriesPerRequest?: number;
  /** Approximate cap on the stream's length (XADD MAXLEN ~); older entries are trimmed, read or not. @default unbounded */
  readonly maxLength?: number;
  /**
   * Also receives the failures a consumer meets while it reads in the background (a
   * lost connection while redialing, an entry that is not an event; it retries on its
   * own). They reach `mesh.on('error')` of every mesh that has the store open either
   * way; with no mesh and no `onError` they are logged with console.error.
   * @default none
   */
  readonly onError?: (error: MeshError) => void;
}

export type ResolvedRedisOptions = Required<Omit<RedisStoreOptions, 'maxLength' | 'onError'>> & {
  readonly maxLength: number | undefined;
  readonly onError: ((error: MeshError) => void) | undefined;
};

const MAX_SEQ = '18446744073709551615';

/**
 * Redis Streams: one stream holds every event (so new durables can replay it);
 * a durable is a consumer group on it, each attached subscription a consumer.
 */
export class RedisStore implements MeshStore {
  readonly name = 'redis';
  readonly capabilities = { persistent: true, distributed: true, replay: true, ordered: true, nativeWildcards: false };
  private readonly shared: SharedOpen<Redis>;
  private client: Redis | undefined;
  private readonly consumers = new Map<StreamConsumer, string>();
  private readonly policy: ConnectionPolicy;
  private readonly durables: string;

  constructor(private readonly options: ResolvedRedisOptions) {
    this.policy = { url: options.url, connectTimeout: options.connectTimeout, maxRetriesPerRequest: options.maxRetriesPerRequest };
    this.durables = `${options.stream}:durables`;
    this.shared = new SharedOpen({
      store: 'redisStore',
      connect: () => connect(this.policy, 'store', true),
      release: (engine) => this.release(engine),
      onError: options.onError,
    });
  }

  async open(context?: StoreContext): Promise<void> {
    this.client = await this.shared.open(context);
  }

  append(event: MeshEvent): Promise<void> {
    const client = this.client;
    if (client === undefined) return Promise.reject(new MeshError('ERR_MESH_STORE_FAILED', 'redis: the store is not open', { details: { eventId: event.id } }));
    let body: string;
    try {
      body = encodeStoredEvent(event);
    } catch (err) {
      return Promise.reject(toMeshError('ERR_MESH_STORE_FAILED', err, { eventId: event.id }));
    }
    // Resolves with the entry id, which nobody reads; the kernel wraps a failure as
    // ERR_MESH_STORE_FAILED with the event's id. No extra promise per publish here.
    const { stream, maxLength } = this.options;
    // Two calls rather than a spread of per-publish trim arguments: this runs per event.
    const added = maxLength === undefined
      ? client.xadd(stream, '*', 'i', event.id, 't', event.type, 'e', body)
      : client.xadd(stream, 'MAXLEN', '~', maxLength, '*', 'i', event.id, 't', event.type, 'e', body);
    return added as Promise<unknown> as Promise<void>;
  }

  async consume(spec: ConsumerSpec, handler: StoreHandler): Promise<StoreConsumer> {
    const client = this.client;
    if (client === undefined) throw new MeshError('ERR_MESH_STORE_FAILED', 'redis: the store is not open');
    await this.ensureGroup(client, spec);
    const reader = await connect(this.policy, `consumer-${spec.name}`);
    const consumer = new StreamConsumer({
      stream: this.options.stream,
      group: spec.name,
      consumer: `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`,
      prefetch: spec.prefetch,
      matches: filterMatcher(toRedisFilter(spec.pattern)),
      claimIdle: this.options.claimIdle,
      block: Math.min(1000, Math.max(10, Math.floor(this.options.claimIdle / 2))),
    }, reader, client, handler, (err) => this.shared.report(consumerFailure(err, spec.name, reader, client)));
    this.consumers.set(consumer, spec.name);
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.stop();
      },
    };
  }

  async deleteDurable(name: string): Promise<void> {
    const client = this.client;
    if (client === undefined) throw new MeshError('ERR_MESH_STORE_FAILED', 'redis: the store is not open');
    if ([...this.consumers.values()].includes(name)) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', `Durable "${name}" still has consumers`, { details: { durable: name } });
    }
    // The stream stays: other durables, and replays, still read it.
    await client.xgroup('DESTROY', this.options.stream, name).catch((err: unknown) => {
      // No stream yet: nothing to delete.
      if (!/no such key|requires the key to exist/i.test(String((err as Error).message))) throw err;
    });
    await client.hdel(this.durables, name);
  }

  /** Pending (delivered, not acknowledged) plus lag of the durable's consumer group: see groupBacklog. */
  backlog(name: string): Promise<number | undefined> {
    const client = this.client;
    if (client === undefined) return Promise.reject(new MeshError('ERR_MESH_STORE_FAILED', 'redis: the store is not open'));
    return answerWithin(groupBacklog(client, this.options.stream, name), this.options.connectTimeout, 'redis: backlog');
  }

  /**
   * PING on the shared connection, within connectTimeout. While that connection is
   * redialing, at once: a command would wait in the offline queue for the redial.
   */
  ping(): Promise<void> {
    const client = this.client;
    return pingWithin(() => {
      if (client === undefined) throw new Error('the store is not open');
      if (client.status !== 'ready') throw new Error(`the connection is ${client.status}`);
      return client.ping();
    }, this.options.connectTimeout, `redis at ${redact(this.options.url)}`);
  }

  close(context?: StoreContext): Promise<void> {
    return this.shared.close(context);
  }

  /** The last close: consumers stop, then the shared connection quits. */
  private async release(engine: Promise<Redis>): Promise<void> {
    this.client = undefined;
    await Promise.allSettled([...this.consumers.keys()].map((c) => c.stop()));
    this.consumers.clear();
    const client = await engine.catch(() => undefined);
    if (client !== undefined) await client.quit().catch(() => client.disconnect());
  }

  /** Creates the consumer group where `from` (or the stream's end) says; an existing one resumes. */
  private async ensureGroup(client: Redis, spec: ConsumerSpec): Promise<void> {
    const known = await client.hget(this.durables, spec.name);
    if (known !== null && known !== spec.pattern) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', `Durable "${spec.name}" already exists with pattern ${known}`, { details: { durable: spec.name } });
    }
    const groups = (await client.call('XINFO', 'GROUPS', this.options.stream).catch(() => [])) as unknown[][];
    if (groups.some((g) => g[1] === spec.name)) return;
    const start = await this.startOf(client, spec.from);
    try {
      await client.xgroup('CREATE', this.options.stream, spec.name, start, 'MKSTREAM');
    } catch (err) {
      // Another member created it first: join it.
      if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
    }
    await client.hsetnx(this.durables, spec.name, spec.pattern);
  }

  private async startOf(client: Redis, from: StoreReplayFrom | undefined): Promise<string> {
    if (from === undefined) return '$';
    // Stream ids start with the ms Redis stored the entry at; the group's start is
    // "last delivered", so the cut is the largest id of the millisecond before.
    if ('time' in from) return from.time <= 0 ? '0' : `${Math.floor(from.time) - 1}-${MAX_SEQ}`;
    const id = await this.findEntry(client, from.afterId);
    if (id === undefined) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', `redis: no stored event has id ${from.afterId}`, { details: { afterId: from.afterId } });
    }
    return id;
  }

  /** Scans from the newest entry back (a resume point is usually recent), a page at a time. */
  private async findEntry(client: Redis, eventId: string): Promise<string | undefined> {
    let end = '+';
    for (;;) {
      const page = (await client.xrevrange(this.options.stream, end, '-', 'COUNT', 500)) as RawEntry[];
      for (const [id, fields] of page) if (fields?.[0] === 'i' && fields[1] === eventId) return id;
      if (page.length < 500) return undefined;
      end = `(${(page[page.length - 1] as RawEntry)[0]}`;
    }
  }
}

/**
 * A consumer's background failure: ERR_MESH_STORE_UNAVAILABLE while one of its
 * connections is redialing (Redis is out of reach; it goes on once Redis is back),
 * ERR_MESH_STORE_FAILED otherwise (an entry that is not an event, a refused command).
 */
function consumerFailure(err: unknown, durable: string, ...connections: Redis[]): MeshError {
  const redialing = connections.some((c) => c.status === 'reconnecting' || c.status === 'connecting');
  const message = `redisStore durable ${durable}: ${err instanceof Error ? err.message : String(err)}`;
  return new MeshError(redialing ? 'ERR_MESH_STORE_UNAVAILABLE' : 'ERR_MESH_STORE_FAILED', message, { cause: err, details: { durable } });
}
