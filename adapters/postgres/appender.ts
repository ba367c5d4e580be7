import type { Pool } from 'pg';
import { MeshError, type MeshEvent } from '../../src/index.js';
import { eventRow, insertSql, ROW_PARAMS } from './append-sql.js';
import { isConnectionError } from './connection.js';
import type { Names } from './names.js';

interface Pending {
  readonly event: MeshEvent;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/** Rows per INSERT: a statement has at most 65535 parameters, and huge texts help nobody. */
const MAX_ROWS = 1000;

/**
 * Group commit, one batch in flight: appends made while an INSERT is out (or in one
 * tick) go together in the next one, each promise resolving once the row committed.
 * One batch at a time also keeps one instance's appends in order: a batch's
 * positions are drawn after the previous one committed, and readers follow position.
 * A batch that meets a lost connection is sent again (the insert is idempotent by
 * event id and source) until `retryFor` ms passed, then rejected:
 * nothing is ever resolved that was not stored.
 */
export class Appender {
  private pending: Pending[] = [];
  private sending = false;

  constructor(
    private readonly pool: () => Pool | undefined,
    private readonly names: Names,
    private readonly retryFor: number,
    private readonly stored: (events: readonly MeshEvent[]) => void,
  ) {}

  append(event: MeshEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ event, resolve, reject }) === 1 && !this.sending) queueMicrotask(() => void this.flush());
    });
  }

  /** Resolves once nothing is pending or in flight (the store closing). */
  async drain(): Promise<void> {
    while (this.sending || this.pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private async flush(): Promise<void> {
    if (this.sending || this.pending.length === 0) return;
    this.sending = true;
    const batch = this.pending.length <= MAX_ROWS ? this.pending : this.pending.slice(0, MAX_ROWS);
    this.pending = batch === this.pending ? [] : this.pending.slice(MAX_ROWS);
    try {
      const values = this.values(batch);
      if (values.length > 0) await this.insert(values.length / ROW_PARAMS, values);
      for (const p of batch) p.resolve();
      this.stored(batch.map((p) => p.event));
    } catch (err) {
      for (const p of batch) {
        p.reject(new MeshError('ERR_MESH_STORE_FAILED', `postgres: could not store ${p.event.id}`, { cause: err, details: { eventId: p.event.id } }));
      }
    } finally {
      this.sending = false;
      if (this.pending.length > 0) void this.flush();
    }
  }

  /** The batch's parameters; an event that cannot be serialized is rejected alone, not its batch. */
  private values(batch: Pending[]): string[] {
    const values: string[] = [];
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i] as Pending;
      try {
        values.push(...eventRow(p.event));
      } catch (err) {
        p.reject(new MeshError('ERR_MESH_STORE_FAILED', `postgres: cannot serialize ${p.event.id}`, { cause: err, details: { eventId: p.event.id } }));
        batch.splice(i--, 1);
      }
    }
    return values;
  }

  private async insert(rows: number, values: string[]): Promise<void> {
    const deadline = Date.now() + this.retryFor;
    for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
      const pool = this.pool();
      if (pool === undefined) throw new Error('the store is not open');
      try {
        await pool.query(insertSql(this.names, rows), values);
        return;
      } catch (err) {
        if (!isConnectionError(err) || Date.now() + delay > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
