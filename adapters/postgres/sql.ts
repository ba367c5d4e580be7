import type { Names } from './names.js';

/** The statements a store instance runs besides appends (append-sql.ts) and the DDL (schema.ts). */
export function statements(n: Names) {
  return {
    claim: `SELECT pos, event, rng FROM ${n.claim}($1, $2, $3, $4, $5::bigint[])`,
    /** Ranges whose every event was acknowledged, by their hi. */
    ack: `DELETE FROM ${n.deliveries} WHERE durable = $1 AND hi = ANY($2::bigint[])`,
    renew: `UPDATE ${n.deliveries} SET lease_until = clock_timestamp() + $3 * interval '1 millisecond' WHERE durable = $1 AND owner = $2`,
    /** Hands deliveries back (release.ts): ranges $3 become singles, $4 expired at once (and the readers woken), $5 kept. */
    release: `SELECT ${n.release}($1, $2, $3::bigint[], $4::bigint[], $5::bigint[], $6, $7)`,
    durable: `SELECT pattern FROM ${n.durables} WHERE name = $1`,
    createDurable: `INSERT INTO ${n.durables} (name, pattern, match_exact, match_regex, cursor_position)
      SELECT $1, $2, $3, $4, COALESCE(c.position, 0)
      FROM (SELECT NULL) one LEFT JOIN (SELECT position FROM ${n.events} WHERE %WHERE% ORDER BY position DESC LIMIT 1) c ON true
      ON CONFLICT (name) DO NOTHING`,
    /** Where a new durable starts: the last event stored (none: the log's end), at or before the cut. */
    startAtEnd: 'true',
    startAfterId: 'id = $5',
    startBeforeTime: 'stored_at < to_timestamp($5::double precision / 1000)',
    hasId: `SELECT 1 FROM ${n.events} WHERE id = $1 LIMIT 1`,
    deleteDurable: `WITH d AS (DELETE FROM ${n.deliveries} WHERE durable = $1) DELETE FROM ${n.durables} WHERE name = $1`,
    backlog: `SELECT (SELECT count(*) FROM ${n.deliveries} q JOIN ${n.events} e ON e.position > q.lo AND e.position <= q.hi
            WHERE q.durable = d.name AND ${MATCHES})
        + (SELECT count(*) FROM ${n.events} e WHERE e.position > d.cursor_position AND ${MATCHES}) AS backlog
      FROM ${n.durables} d WHERE d.name = $1`,
    /** Retention: among the oldest rows (the first RETENTION_BATCH in log order), those past either bound. */
    trim: `DELETE FROM ${n.events} WHERE position IN (
        SELECT f.position FROM (SELECT position, stored_at FROM ${n.events} ORDER BY position LIMIT $3) f
        WHERE ($1::bigint IS NOT NULL AND f.stored_at < now() - $1 * interval '1 millisecond')
           OR ($2::bigint IS NOT NULL AND f.position <= pg_sequence_last_value(pg_get_serial_sequence(${quoteLiteral(n.events)}, 'position')) - $2))`,
    /** Deliveries whose event retention deleted: nobody can be given them again. */
    orphans: `DELETE FROM ${n.deliveries} d WHERE NOT EXISTS (SELECT 1 FROM ${n.events} e WHERE e.position > d.lo AND e.position <= d.hi)`,
  } as const;
}

export type Statements = ReturnType<typeof statements>;

/** An event row `e` matches the pattern of the durable row `d`. */
const MATCHES = `(d.match_exact IS NULL OR e.type = d.match_exact) AND (d.match_regex IS NULL OR ('.' || e.type) ~ d.match_regex)`;

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
