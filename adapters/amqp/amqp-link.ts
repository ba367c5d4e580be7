import type * as AmqpModule from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { MeshError } from '../../src/index.js';
import type { ResolvedAmqpOptions } from './options.js';

type Amqp = typeof AmqpModule;

/** Something re-created on every new connection: a durable's channel and consumer. */
export interface Reattachable {
  attach(conn: ChannelModel): Promise<void>;
  detached(): void;
}

/**
 * One connection to the broker that comes back by itself: on loss it redials with
 * backoff (100 ms doubling to 5 s, forever), re-declares the exchange, opens a new
 * confirm channel and re-attaches every registered durable. Callers wait for it
 * through `connection(deadline)`, which fails with `ERR_MESH_STORE_UNAVAILABLE`
 * past the deadline rather than hanging.
 */
export class AmqpLink {
  readonly attached = new Set<Reattachable>();
  private conn: ChannelModel | undefined;
  private publisher: Promise<ConfirmChannel> | undefined;
  /** The confirm channel once open, for the publish fast path (no await per event). */
  private openPublisher: ConfirmChannel | undefined;
  /** A plain channel for queries (ping, backlog), apart from publishing and consuming. */
  private inspector: Promise<Channel> | undefined;
  private waiters: (() => void)[] = [];
  private closing = false;

  /** `report` takes the failures met outside any call (the store's report fan-out); `reconnected` hears the connection is back after a loss. */
  constructor(
    private readonly amqp: Amqp,
    private readonly options: ResolvedAmqpOptions,
    private readonly report: (error: MeshError) => void,
    private readonly reconnected: (details: Readonly<Record<string, unknown>>) => void = () => undefined,
  ) {}

  /** First connect: bounded by connectTimeout, no retry (the broker is down: say so now). */
  async start(): Promise<void> {
    const conn = await this.dial();
    try {
      await this.setup(conn);
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw err;
    }
  }

  /** The live connection, waiting for a reconnect until `deadline` (epoch ms). */
  async connection(deadline: number): Promise<ChannelModel> {
    while (this.conn === undefined) {
      if (this.closing) throw new MeshError('ERR_MESH_STORE_FAILED', 'amqpStore is closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new MeshError('ERR_MESH_STORE_UNAVAILABLE', `RabbitMQ at ${redact(this.options.url)} is not reachable`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.conn;
  }

  /** The confirm channel for publishing, re-opened if the broker closed it. */
  async confirmChannel(deadline: number): Promise<ConfirmChannel> {
    const conn = await this.connection(deadline);
    if (this.publisher === undefined) {
      const opening = conn.createConfirmChannel().then((ch) => {
        ch.on('error', () => undefined);
        ch.once('close', () => {
          if (this.openPublisher === ch) this.openPublisher = undefined;
          if (this.publisher === opening) this.publisher = undefined;
        });
        if (this.publisher === opening) this.openPublisher = ch;
        return ch;
      });
      this.publisher = opening;
      opening.catch(() => {
        if (this.publisher === opening) this.publisher = undefined;
      });
    }
    return this.publisher;
  }

  /**
   * Runs `query` on the query channel, opened on first use. A failed passive check (a
   * queue that does not exist) makes the broker close that channel: the next query
   * opens another; publishing and consuming, on channels of their own, never notice.
   */
  async inspect<T>(deadline: number, query: (ch: Channel) => Promise<T>): Promise<T> {
    const conn = await this.connection(deadline);
    let opening = this.inspector;
    if (opening === undefined) {
      const fresh = conn.createChannel().then((ch) => {
        ch.on('error', () => undefined);
        ch.once('close', () => {
          if (this.inspector === fresh) this.inspector = undefined;
        });
        return ch;
      });
      opening = this.inspector = fresh;
      fresh.catch(() => {
        if (this.inspector === fresh) this.inspector = undefined;
      });
    }
    return query(await opening);
  }

  /** The open confirm channel, if there is one right now. */
  get currentPublisher(): ConfirmChannel | undefined {
    return this.openPublisher;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.openPublisher = undefined;
    const conn = this.conn;
    this.conn = undefined;
    this.wake();
    if (conn !== undefined) await conn.close().catch(() => undefined);
  }

  private async dial(): Promise<ChannelModel> {
    const { url, connectTimeout, heartbeat } = this.options;
    let timer: NodeJS.Timeout | undefined;
    const dialing = this.amqp.connect(withHeartbeat(url, heartbeat), { timeout: connectTimeout });
    // The socket timeout covers TCP only; a peer that accepts and never speaks AMQP
    // would hold the handshake open, so the whole connect is bounded here too.
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no AMQP handshake within ${connectTimeout} ms`)), connectTimeout);
    });
    try {
      return await Promise.race([dialing, late]);
    } catch (err) {
      dialing.then((c) => c.close(), () => undefined).catch(() => undefined);
      throw new MeshError('ERR_MESH_STORE_UNAVAILABLE', `cannot connect to RabbitMQ at ${redact(url)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  private async setup(conn: ChannelModel): Promise<void> {
    let gone = false;
    conn.on('error', () => undefined);
    conn.once('close', () => {
      gone = true;
      this.lost(conn);
    });
    const ch = await conn.createChannel();
    await ch.assertExchange(this.options.exchange, 'topic', { durable: true });
    await ch.close();
    for (const a of this.attached) {
      try {
        await a.attach(conn);
      } catch (err) {
        // The connection went away again: the next redial starts over. A durable the
        // broker refuses on a live connection must not keep the others detached.
        if (gone) throw err;
        this.report(new MeshError('ERR_MESH_STORE_FAILED', 'a durable could not be re-attached after a reconnect', { cause: err }));
      }
    }
    if (gone) throw new Error('connection closed during setup');
    this.conn = conn;
    this.publisher = undefined;
    this.inspector = undefined;
    this.openPublisher = undefined;
    this.wake();
  }

  private lost(conn: ChannelModel): void {
    // A connection lost during setup is retried by whoever was setting it up.
    if (this.conn !== conn) return;
    this.conn = undefined;
    this.publisher = undefined;
    this.inspector = undefined;
    this.openPublisher = undefined;
    for (const a of this.attached) a.detached();
    if (this.closing) return;
    // Once per loss: the redials that fail while the broker is away are not reported again.
    this.report(new MeshError('ERR_MESH_STORE_UNAVAILABLE', `lost the connection to RabbitMQ at ${redact(this.options.url)}; reconnecting`, {
      details: { url: redact(this.options.url) },
    }));
    void this.redial(this.options.reconnectDelay);
  }

  private async redial(delay: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (this.closing) return;
    let conn: ChannelModel | undefined;
    try {
      conn = await this.dial();
      await this.setup(conn);
      this.reconnected({ url: redact(this.options.url) });
    } catch (err) {
      if (conn !== undefined) await conn.close().catch(() => undefined);
      if (this.closing) return;
      if (!(err instanceof MeshError && err.code === 'ERR_MESH_STORE_UNAVAILABLE')) {
        this.report(new MeshError('ERR_MESH_STORE_FAILED', 're-declaring after a reconnect failed; retrying', { cause: err }));
      }
      void this.redial(Math.min(delay * 2, 5000));
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** amqplib reads the heartbeat from the URL; one given there by the caller wins. */
function withHeartbeat(url: string, heartbeat: number): string {
  if (/[?&]heartbeat=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}heartbeat=${heartbeat}`;
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
