import type { Pool, PoolClient } from 'pg';
import type { MeshError } from '../../src/index.js';
import { storeFailure } from './connection.js';

export interface ListenerSetup {
  readonly pool: Pool;
  readonly channel: string;
  /** Notifications with this payload come from this store instance's own appends, already woken for: skipped. */
  readonly self: string | undefined;
  /** Something may have been appended: a notification, or the connection is back (notifications were missed). */
  readonly wake: () => void;
  readonly report: (error: MeshError) => void;
  readonly reconnected: () => void;
}

const REDIAL_FIRST = 100;
const REDIAL_MAX = 2000;

/**
 * The store instance's one LISTEN connection, held out of the pool for as long as
 * the store is open. A lost connection is reported once (ERR_MESH_STORE_UNAVAILABLE)
 * and redialed with a capped backoff, forever; once back, LISTEN again and wake
 * every reader, since whatever was notified meanwhile is lost. The readers' poll
 * covers the outage itself.
 */
export class Listener {
  private client: PoolClient | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private delay = REDIAL_FIRST;

  constructor(private readonly setup: ListenerSetup) {}

  /** The first connect: its failure is the caller's (open rejects), not a report. */
  async start(): Promise<void> {
    await this.dial();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    // Destroyed, never returned to a pool that may be the caller's: it is LISTENing.
    client?.release(true);
    await Promise.resolve();
  }

  private async dial(): Promise<void> {
    const client = await this.setup.pool.connect();
    const lost = (err?: unknown): void => this.lost(client, err);
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (m) => {
      if (m.channel === this.setup.channel && m.payload !== this.setup.self) this.setup.wake();
    });
    try {
      await client.query(`LISTEN "${this.setup.channel}"`);
    } catch (err) {
      client.release(true);
      throw err;
    }
    if (this.stopped) {
      client.release(true);
      return;
    }
    this.client = client;
  }

  private lost(client: PoolClient, err: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.release(true);
    if (this.stopped) return;
    this.setup.report(storeFailure(err ?? new Error('connection ended'), 'the LISTEN connection was lost', { channel: this.setup.channel }));
    this.redial();
  }

  private redial(): void {
    this.timer = setTimeout(() => {
      this.dial().then(() => {
        this.delay = REDIAL_FIRST;
        if (this.stopped) return;
        this.setup.reconnected();
        this.setup.wake();
      }, () => {
        this.delay = Math.min(this.delay * 2, REDIAL_MAX);
        if (!this.stopped) this.redial();
      });
    }, this.delay);
  }
}
