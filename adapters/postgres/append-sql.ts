import type { MeshEvent } from '../../src/index.js';
import { encodeStoredEvent } from '../../src/internal.js';
import type { Names } from './names.js';

/**
 * How one event becomes one row of the events table: the parameters of one VALUES
 * tuple, in the order `insertSql` names the columns. The store's appends and a
 * caller's own transaction (the outbox, to come) insert exactly this row with
 * exactly this statement; `position` and `stored_at` come from their defaults, the
 * table's BEFORE statement trigger takes the transaction's hold on the read horizon
 * (horizon.ts), and its AFTER statement trigger sends the NOTIFY, which PostgreSQL
 * delivers only if the inserting transaction commits.
 */
export function eventRow(event: MeshEvent): [id: string, source: string, type: string, json: string] {
  return [event.id, event.source, event.type, encodeStoredEvent(event)];
}

/** Parameters per row of `insertSql`. */
export const ROW_PARAMS = 4;

const cache = new WeakMap<Names, string[]>();

/**
 * INSERT of `rows` events in one statement (the appends of one tick, or one outbox
 * event). `ON CONFLICT DO NOTHING` on (id, source), the CloudEvents identity: a batch
 * sent again after a connection dropped before its answer stores nothing twice.
 * The texts are cached per size, so a steady batch size reuses one statement text.
 */
export function insertSql(n: Names, rows: number): string {
  let texts = cache.get(n);
  if (texts === undefined) cache.set(n, (texts = []));
  let text = texts[rows];
  if (text === undefined) {
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const b = r * ROW_PARAMS;
      tuples.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4})`);
    }
    text = `INSERT INTO ${n.events} (id, source, type, event) VALUES ${tuples.join(', ')} ON CONFLICT (id, source) DO NOTHING`;
    texts[rows] = text;
  }
  return text;
}
