import type { Pool } from 'pg';
import type { Statements } from './sql.js';

/** Rows looked at per DELETE: the oldest ones in log order, so a sweep never scans the whole table. */
const BATCH = 5000;
/** Sweeps stop after this many batches; the next sweep goes on. */
const MAX_BATCHES = 20;

/**
 * `maxAge` / `maxEvents`: every `every` ms, deletes from the front of the log the
 * events past either bound, read or not, in batches; then the deliveries whose event
 * is gone. Each store instance sweeps; concurrent sweeps delete the same rows once.
 */
export class Retention {
  private readonly timer: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly pool: () => Pool | undefined,
    private readonly sql: Statements,
    private readonly bounds: { readonly maxAge: number | undefined; readonly maxEvents: number | undefined },
    every: number,
    private readonly report: (err: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  /** One sweep now (also what the timer runs); resolves with how many events it deleted. */
  async sweep(): Promise<number> {
    const pool = this.pool();
    if (pool === undefined || this.running) return 0;
    this.running = true;
    let deleted = 0;
    try {
      for (let i = 0; i < MAX_BATCHES; i++) {
        const { rowCount } = await pool.query(this.sql.trim, [this.bounds.maxAge ?? null, this.bounds.maxEvents ?? null, BATCH]);
        deleted += rowCount ?? 0;
        if ((rowCount ?? 0) < BATCH) break;
      }
      if (deleted > 0) await pool.query(this.sql.orphans);
    } catch (err) {
      this.report(err);
    } finally {
      this.running = false;
    }
    return deleted;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
