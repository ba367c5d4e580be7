import type * as NatsModule from 'nats';
import type { ConnectionOptions, ConsumerConfig, ConsumerInfo, JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import {
  MeshError, patternMatcher,
  type ConsumerSpec, type MeshStore, type StoreCapabilities, type StoreConsumer, type StoreContext, type StoreHandler,
} from '../../src/index.js';
import { encodeStoredEvent, loadDependency, type MeshEvent } from '../../src/internal.js';
import { answerWithin, pingWithin } from '../shared/answer-within.js';
import { AttachedConsumers } from '../shared/attached-consumers.js';
import { SharedOpen } from '../shared/shared-open.js';
import { NatsDurable } from './nats-durable.js';
import { startAt } from './replay.js';
import { consumerName, natsFilter, subjectOf } from './patterns.js';
import { resolveOptions, type NatsStoreOptions, type ResolvedNatsOptions } from './options.js';

type Nats = typeof NatsModule;

interface Session {
  readonly nats: Nats;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** nats-server >= 2.10 accepts several filter subjects per consumer. */
  readonly multiFilter: boolean;
}

// nativeWildcards: the server filters by subject; only patterns NATS cannot express
// (`#` followed by more levels; a trailing `#` on servers < 2.10, which allow one
// filter per consumer) get a broader filter and a client-side check (see patterns.ts).
const CAPABILITIES: StoreCapabilities = { persistent: true, distributed: true, replay: true, ordered: true, nativeWildcards: true };

/**
 * Durable subscriptions on NATS JetStream: one stream holds every event under
 * `<prefix>.<type>`; each durable name is one durable pull consumer, shared by every
 * mesh attached to it (so its members split the work). Events are CloudEvents JSON
 * (structured mode) in the message body, so any CloudEvents consumer can read them.
 */
export class NatsStore implements MeshStore {
  readonly name = 'nats';
  readonly capabilities = CAPABILITIES;
  private readonly options: ResolvedNatsOptions;
  private readonly shared: SharedOpen<Session>;
  /** The session once connected, for the publish fast path. */
  private live: Session | undefined;
  private closed = false;
  private readonly consumers = new AttachedConsumers();

  constructor(options: NatsStoreOptions) {
    this.options = resolveOptions(options);
    this.shared = new SharedOpen({
      store: 'natsStore',
      connect: () => this.connect(),
      release: (session) => this.release(session),
      onError: this.options.onError,
    });
  }

  async open(context?: StoreContext): Promise<void> {
    await this.shared.open(context);
  }

  append(event: MeshEvent): Promise<void> {
    const subject = subjectOf(this.options.subjectPrefix, event.type);
    const body = Buffer.from(encodeStoredEvent(event));
    // With `deduplicate`, the same msgID on every attempt: JetStream drops a resent copy
    // it already stored (duplicate_window), so a resend never stores the event twice.
    const msgID = this.options.deduplicate ? `${event.id}@${event.source}` : undefined;
    const live = this.live;
    if (live === undefined) return this.publish(event, subject, body, msgID, Date.now() + this.options.publishTimeout);
    // Connected: the first attempt goes straight to the client, no await of our own.
    const deadline = Date.now() + this.options.publishTimeout;
    const first = live.js.publish(subject, body, { msgID, timeout: this.options.attemptTimeout });
    return first.then(noop, (err: unknown) => this.retryable(live.nats, err) ? this.publish(event, subject, body, msgID, deadline) : Promise.reject(this.publishFailed(event, err, false)));
  }

  private retryable(nats: Nats, err: unknown): boolean {
    const code = (err as { code?: string }).code;
    return !this.closed && (code === nats.ErrorCode.Timeout || code === nats.ErrorCode.Disconnect || code === nats.ErrorCode.NoResponders);
  }

  /** Publishes until acknowledged or `deadline`, resending after a lost PubAck. */
  private async publish(event: MeshEvent, subject: string, body: Buffer, msgID: string | undefined, deadline: number): Promise<void> {
    const { js, nats } = await this.ready();
    for (;;) {
      const wait = Math.min(this.options.attemptTimeout, deadline - Date.now());
      try {
        await js.publish(subject, body, { msgID, timeout: Math.max(1, wait) });
        return;
      } catch (err) {
        const code = (err as { code?: string }).code;
        const transient = code === nats.ErrorCode.Timeout || code === nats.ErrorCode.Disconnect || code === nats.ErrorCode.NoResponders;
        if (!transient || this.closed || Date.now() >= deadline) throw this.publishFailed(event, err, transient);
        if (code === nats.ErrorCode.NoResponders) await pause(100);
      }
    }
  }

  async consume(spec: ConsumerSpec, handler: StoreHandler): Promise<StoreConsumer> {
    const session = await this.ready();
    const filter = natsFilter(this.options.subjectPrefix, spec.pattern);
    const several = filter.subjects.length > 1;
    // The server filters on its own whenever it can express the pattern; the client
    // checks the pattern only when it had to be given a broader cover.
    const native = filter.exact && (!several || session.multiFilter);
    const name = consumerName(spec.name);
    await this.ensureConsumer(session, name, spec, native ? { subjects: filter.subjects } : { subjects: [filter.cover] });
    const consumer = await session.js.consumers.get(this.options.stream, name);
    const messages = await consumer.consume({ max_messages: spec.prefetch, expires: this.options.pullExpires });
    const durable = new NatsDurable(messages, handler, {
      durable: spec.name,
      prefetch: spec.prefetch,
      matches: native ? undefined : patternMatcher(spec.pattern),
      ackWaitMs: this.options.ackWait,
      report: (error) => this.shared.report(error),
    });
    return this.consumers.add(spec.name, durable);
  }

  /** Deletes the durable consumer, and with it its position and pending acknowledgements. */
  async deleteDurable(name: string): Promise<void> {
    const { jsm } = await this.ready();
    this.consumers.assertNoneAttached(name);
    await jsm.consumers.delete(this.options.stream, consumerName(name)).catch((err: unknown) => {
      if (!isApiError(err, 10014)) throw new MeshError('ERR_MESH_STORE_FAILED', `Cannot delete durable ${name}`, { cause: err, details: { durable: name } });
    });
  }

  /**
   * From the durable consumer's info: `num_pending` (messages its filter selects that
   * were not delivered yet) plus `num_ack_pending` (delivered to any member, not
   * acknowledged). Where the pattern needed a broader filter than NATS can say
   * (patterns.ts), `num_pending` counts what that filter selects.
   */
  backlog(name: string): Promise<number | undefined> {
    const info = this.ready().then(({ jsm }) => jsm.consumers.info(this.options.stream, consumerName(name))).then(
      (i) => i.num_pending + i.num_ack_pending,
      (err: unknown) => {
        if (isApiError(err, 10014)) return undefined;
        throw err;
      },
    );
    return answerWithin(info, this.options.connectTimeout, 'nats: backlog');
  }

  /** A JetStream API call (account info): the server and JetStream answer, within connectTimeout. */
  ping(): Promise<void> {
    return pingWithin(async () => {
      const { jsm, nc } = await this.ready();
      if (nc.isClosed()) throw new Error('the connection is closed');
      await jsm.getAccountInfo();
    }, this.options.connectTimeout, `nats at ${this.options.servers.join(', ')}`);
  }

  close(context?: StoreContext): Promise<void> {
    return this.shared.close(context);
  }

  /** The last close: consumers stop, then the connection drains. */
  private async release(session: Promise<Session>): Promise<void> {
    this.live = undefined;
    this.closed = true;
    await this.consumers.stopAll();
    const s = await session.catch(() => undefined);
    // drain() flushes the acks still buffered before the socket closes.
    await s?.nc.drain().catch(() => s.nc.close());
    this.closed = false;
  }

  private ready(): Promise<Session> {
    return this.shared.engine ?? Promise.reject(new MeshError('ERR_MESH_STORE_FAILED', 'natsStore used before open() or after close()'));
  }

  private async connect(): Promise<Session> {
    const nats = await loadDependency<Nats & { default?: Nats }>('nats', 'natsStore');
    const lib = nats.default ?? nats;
    const o = this.options;
    const connection: ConnectionOptions = {
      // The client otherwise captures a stack trace (an Error) per request, one per
      // publish here: measured at ~10 % of the client's CPU per durable event. It only
      // improves the stack of a timed-out request, which we report as our own error.
      noAsyncTraces: true,
      ...o.connection,
      servers: o.servers,
      timeout: o.connectTimeout,
      // Bounded first connect (rejects at once when nothing answers), then reconnect
      // forever: a broker restart must not end the mesh's durable subscriptions.
      waitOnFirstConnect: false,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: o.reconnectTimeWait,
    };
    let nc: NatsConnection;
    try {
      nc = await lib.connect(connection);
    } catch (err) {
      throw unavailable(`cannot connect to NATS at ${o.servers.join(', ')}`, err);
    }
    try {
      const jsm = await nc.jetstreamManager({ timeout: o.connectTimeout });
      await this.ensureStream(lib, jsm);
      const session = { nats: lib, nc, jsm, js: nc.jetstream({ timeout: o.attemptTimeout }), multiFilter: atLeast(nc.info?.version, 2, 10) };
      this.live = session;
      void this.watch(lib, nc);
      return session;
    } catch (err) {
      await nc.close().catch(() => undefined);
      if (err instanceof MeshError) throw err;
      throw unavailable('NATS answered but JetStream is not available', err);
    }
  }

  /**
   * Reports each loss of the connection once (the client then reconnects forever, and
   * the durables resume by themselves): nothing else tells the mesh that its durable
   * subscriptions are not being fed. Tells it too when the connection is back.
   */
  private async watch(lib: Nats, nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      // Not once the store released this connection (drain and close are no loss).
      if (this.live?.nc !== nc) continue;
      if (status.type === lib.Events.Reconnect) this.shared.reconnected({ server: status.data });
      if (status.type !== lib.Events.Disconnect) continue;
      this.shared.report(new MeshError('ERR_MESH_STORE_UNAVAILABLE', `natsStore: lost the connection to ${String(status.data)}; reconnecting`, {
        details: { server: status.data },
      }));
    }
  }

  private async ensureStream(lib: Nats, jsm: JetStreamManager): Promise<void> {
    const o = this.options;
    const subject = `${o.subjectPrefix}.>`;
    try {
      const info = await jsm.streams.info(o.stream);
      if (!info.config.subjects?.includes(subject)) {
        throw new MeshError('ERR_MESH_INVALID_OPTIONS', `Stream ${o.stream} exists without the subject ${subject}`, { details: { stream: o.stream } });
      }
      return;
    } catch (err) {
      if (!isApiError(err, 10059)) throw err;
    }
    await jsm.streams.add({
      name: o.stream,
      subjects: [subject],
      storage: o.storage === 'memory' ? lib.StorageType.Memory : lib.StorageType.File,
      retention: lib.RetentionPolicy.Limits,
      discard: lib.DiscardPolicy.Old,
      max_age: lib.nanos(o.maxAge),
      duplicate_window: lib.nanos(o.duplicateWindow),
      num_replicas: o.replicas,
    }).catch(async (err: unknown) => {
      // Another mesh created it first: fine, as long as it is there now.
      if (!isApiError(err, 10058)) throw err;
    });
  }

  /**
   * Creates the durable consumer, or attaches to it if it exists. Its description
   * records the mesh pattern, so a different pattern under the same durable name is
   * refused, as the memory store does, rather than silently re-filtering the queue.
   */
  private async ensureConsumer(session: Session, name: string, spec: ConsumerSpec, filter: { subjects: readonly string[] }): Promise<void> {
    const { jsm, nats } = session;
    const stream = this.options.stream;
    const description = `evmesh durable; pattern ${spec.pattern}`;
    const check = (info: ConsumerInfo): void => {
      if (info.config.description !== description) {
        throw new MeshError('ERR_MESH_INVALID_OPTIONS', `Durable "${spec.name}" already exists with another pattern (${info.config.description ?? 'none'})`, {
          details: { durable: spec.name },
        });
      }
    };
    try {
      check(await jsm.consumers.info(stream, name));
      return;
    } catch (err) {
      if (!isApiError(err, 10014)) throw err;
    }
    const config: Partial<ConsumerConfig> = {
      durable_name: name,
      description,
      ack_policy: nats.AckPolicy.Explicit,
      // Without `from`, like the memory store: a durable keeps events from its creation on.
      ...(await startAt(nats, session.js, jsm, stream, spec.from)),
      ack_wait: nats.nanos(this.options.ackWait),
      // Redelivery here only follows a crash or a refused hand-back; the kernel runs
      // the retry and dead-letter policy itself, so the server never gives up on an event.
      max_deliver: -1,
      max_ack_pending: this.options.maxAckPending,
      ...(filter.subjects.length === 1 ? { filter_subject: filter.subjects[0] } : { filter_subjects: [...filter.subjects] }),
    };
    try {
      await jsm.consumers.add(stream, config);
    } catch (err) {
      // Created concurrently by another member: attach to it if it is the same durable.
      check(await jsm.consumers.info(stream, name).catch(() => {
        throw new MeshError('ERR_MESH_STORE_FAILED', `Cannot create durable ${spec.name}`, { cause: err, details: { durable: spec.name } });
      }));
    }
  }

  private publishFailed(event: MeshEvent, err: unknown, transient: boolean): MeshError {
    const code = transient ? 'ERR_MESH_STORE_UNAVAILABLE' : 'ERR_MESH_STORE_FAILED';
    return new MeshError(code, `JetStream did not accept event ${event.id}`, { cause: err, details: { eventId: event.id, type: event.type } });
  }
}

function unavailable(message: string, cause: unknown): MeshError {
  return new MeshError('ERR_MESH_STORE_UNAVAILABLE', message, { cause });
}

function isApiError(err: unknown, errCode: number): boolean {
  return (err as { api_error?: { err_code?: number } } | null)?.api_error?.err_code === errCode;
}

function atLeast(version: string | undefined, major: number, minor: number): boolean {
  const [a = 0, b = 0] = (version ?? '0.0').split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

function noop(): void {}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
