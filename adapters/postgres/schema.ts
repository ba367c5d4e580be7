import type { Names } from './names.js';

/** Bumped whenever the DDL below changes; `migrate` runs it when the stored version differs. */
export const SCHEMA_VERSION = 1;

/**
 * The tables, the notify trigger and the claim function, run as one simple-protocol
 * query (one implicit transaction) under an advisory lock, so meshes opening at once
 * do not race on CREATE. Needs PostgreSQL >= 13 (xid8).
 *
 * Why (xid, position) and not position alone: a bigserial is taken at insert time
 * but rows become visible at commit, so a reader that moved past position 105 while
 * 104 was still uncommitted would skip 104 for ever. Readers only take rows whose
 * writing transaction is older than every transaction still running (the snapshot's
 * xmin), in (xid, position) order: no row can appear behind a cursor that only moves
 * through such rows. That is also what lets a caller insert events inside a
 * transaction of its own (the outbox) without a lock on the table.
 */
export function schemaSql(n: Names): string {
  const lock = `pg_advisory_xact_lock(hashtext(${literal(`evmesh:${n.channel}`)}))`;
  return `
SELECT ${lock};
CREATE SCHEMA IF NOT EXISTS "${n.schema}";
CREATE TABLE IF NOT EXISTS "${n.schema}".evmesh_versions (events_table text PRIMARY KEY, version int NOT NULL);
CREATE TABLE IF NOT EXISTS ${n.events} (
  position bigserial NOT NULL,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  id text NOT NULL,
  source text NOT NULL,
  type text NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now(),
  event json NOT NULL,
  PRIMARY KEY (xid, position),
  UNIQUE (id, source)
);
CREATE TABLE IF NOT EXISTS ${n.durables} (
  name text PRIMARY KEY,
  pattern text NOT NULL,
  match_exact text,
  match_regex text,
  cursor_xid xid8 NOT NULL,
  cursor_position bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${n.deliveries} (
  durable text NOT NULL,
  position bigint NOT NULL,
  xid xid8 NOT NULL,
  owner text,
  lease_until timestamptz NOT NULL,
  attempts int NOT NULL DEFAULT 1,
  PRIMARY KEY (durable, position)
);
CREATE OR REPLACE FUNCTION "${n.schema}"."${n.eventsTable}_notify"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_notify(${literal(n.channel)}, '');
  RETURN NULL;
END $fn$;
DROP TRIGGER IF EXISTS "${n.eventsTable}_notify" ON ${n.events};
CREATE TRIGGER "${n.eventsTable}_notify" AFTER INSERT ON ${n.events} FOR EACH STATEMENT EXECUTE FUNCTION "${n.schema}"."${n.eventsTable}_notify"();
${claimFunction(n)}
INSERT INTO "${n.schema}".evmesh_versions VALUES (${literal(n.eventsTable)}, ${SCHEMA_VERSION})
  ON CONFLICT (events_table) DO UPDATE SET version = EXCLUDED.version;
`;
}

/** The stored version of the schema for these names, undefined when it was never created. */
export function versionSql(n: Names): string {
  return `SELECT version FROM "${n.schema}".evmesh_versions WHERE events_table = ${literal(n.eventsTable)}`;
}

/**
 * claim(durable, owner, limit, lease_ms): up to `limit` deliveries for one consumer,
 * in one round trip. First the durable's deliveries whose lease ran out (a consumer
 * died or handed them back), then events after the durable's cursor that match its
 * pattern, each recorded in the deliveries table under `owner` with a lease. The
 * durable's row is locked only when there is something new to take, so an idle
 * wake-up writes nothing. A trailing row (NULL, NULL) says committed rows exist
 * past the horizon (an older transaction still runs): look again soon.
 */
function claimFunction(n: Names): string {
  const matches = '(d_exact IS NULL OR e.type = d_exact) AND (d_regex IS NULL OR (\'.\' || e.type) ~ d_regex)';
  return `
CREATE OR REPLACE FUNCTION ${n.claim}(p_durable text, p_owner text, p_limit int, p_lease_ms int)
RETURNS TABLE (pos bigint, event text) LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
  lease timestamptz := clock_timestamp() + p_lease_ms * interval '1 millisecond';
  taken int := 0;
  c_xid xid8; c_pos bigint; d_exact text; d_regex text; t_xid xid8; t_pos bigint;
  xs xid8[]; ps bigint[]; bs text[];
BEGIN
  RETURN QUERY
    WITH again AS (
      UPDATE ${n.deliveries} d SET owner = p_owner, lease_until = lease, attempts = d.attempts + 1
      WHERE d.durable = p_durable AND d.position IN (
        SELECT q.position FROM ${n.deliveries} q WHERE q.durable = p_durable AND q.lease_until < clock_timestamp()
        ORDER BY q.xid, q.position LIMIT p_limit FOR UPDATE SKIP LOCKED)
      RETURNING d.xid, d.position)
    SELECT e.position, e.event::text FROM again a JOIN ${n.events} e ON e.xid = a.xid AND e.position = a.position
    ORDER BY a.xid, a.position;
  GET DIAGNOSTICS taken = ROW_COUNT;
  IF taken >= p_limit THEN RETURN; END IF;
  SELECT d.cursor_xid, d.cursor_position, d.match_exact, d.match_regex INTO c_xid, c_pos, d_exact, d_regex
    FROM ${n.durables} d WHERE d.name = p_durable;
  IF NOT FOUND THEN RETURN; END IF;
  IF NOT EXISTS (SELECT 1 FROM ${n.events} e WHERE (e.xid, e.position) > (c_xid, c_pos) AND e.xid < horizon) THEN
    IF EXISTS (SELECT 1 FROM ${n.events} e WHERE (e.xid, e.position) > (c_xid, c_pos) AND e.xid >= horizon AND ${matches}) THEN
      RETURN QUERY SELECT NULL::bigint, NULL::text;
    END IF;
    RETURN;
  END IF;
  -- Another consumer of the durable may have moved the cursor meanwhile: read it again, locked.
  SELECT d.cursor_xid, d.cursor_position INTO c_xid, c_pos FROM ${n.durables} d WHERE d.name = p_durable FOR UPDATE;
  SELECT array_agg(r.xid ORDER BY r.xid, r.position), array_agg(r.position ORDER BY r.xid, r.position),
         array_agg(r.event ORDER BY r.xid, r.position)
    INTO xs, ps, bs FROM (
      SELECT e.xid, e.position, e.event::text AS event FROM ${n.events} e
      WHERE (e.xid, e.position) > (c_xid, c_pos) AND e.xid < horizon AND ${matches}
      ORDER BY e.xid, e.position LIMIT p_limit - taken) r;
${claimTail(n, matches)}
END $fn$;`;
}

/** A SQL string literal (standard_conforming_strings: only quotes to double). */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The end of claim(): records what was taken, returns it, and moves the durable's cursor. */
function claimTail(n: Names, matches: string): string {
  return `  IF ps IS NOT NULL THEN
    INSERT INTO ${n.deliveries} (durable, position, xid, owner, lease_until)
      SELECT p_durable, u.p, u.x, p_owner, lease FROM unnest(ps, xs) AS u(p, x);
    RETURN QUERY SELECT u.p, u.b FROM unnest(ps, bs) WITH ORDINALITY AS u(p, b, o) ORDER BY u.o;
  END IF;
  IF ps IS NOT NULL AND cardinality(ps) >= p_limit - taken THEN
    c_xid := xs[cardinality(xs)];
    c_pos := ps[cardinality(ps)];
  ELSE
    -- A short read went through every safe row: the cursor passes those that did not match.
    SELECT e.xid, e.position INTO t_xid, t_pos FROM ${n.events} e WHERE e.xid < horizon ORDER BY e.xid DESC, e.position DESC LIMIT 1;
    IF FOUND AND (t_xid, t_pos) > (c_xid, c_pos) THEN c_xid := t_xid; c_pos := t_pos; END IF;
    IF EXISTS (SELECT 1 FROM ${n.events} e WHERE (e.xid, e.position) > (c_xid, c_pos) AND e.xid >= horizon AND ${matches}) THEN
      RETURN QUERY SELECT NULL::bigint, NULL::text;
    END IF;
  END IF;
  UPDATE ${n.durables} SET cursor_xid = c_xid, cursor_position = c_pos
    WHERE name = p_durable AND (cursor_xid, cursor_position) < (c_xid, c_pos);`;
}
