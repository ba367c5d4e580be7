import { holdTriggerSql, horizonPlpgsql } from './horizon.js';
import type { Names } from './names.js';
import { upgradeFrom1Sql } from './upgrade-v1.js';

/** Bumped whenever the DDL below changes; `migrate` runs it when the stored version differs. */
export const SCHEMA_VERSION = 2;

/**
 * The tables, the triggers and the claim function, run as one simple-protocol query
 * (one implicit transaction) under an advisory lock, so meshes opening at once do not
 * race on CREATE. `from` is the stored version when there is one (the upgrade from it
 * runs first). Needs PostgreSQL >= 13.
 *
 * Rows are read in position order, below the table's horizon (horizon.ts): that is
 * what lets a caller insert events inside a transaction of its own (the outbox)
 * without a lock on the table, and what keeps transactions on other tables from
 * holding delivery back.
 */
export function schemaSql(n: Names, from?: number): string {
  const lock = `pg_advisory_xact_lock(hashtext(${literal(`evmesh:${n.channel}`)}))`;
  return `
SELECT ${lock};
${from === 1 ? upgradeFrom1Sql(n) : ''}
CREATE SCHEMA IF NOT EXISTS "${n.schema}";
CREATE TABLE IF NOT EXISTS "${n.schema}".evmesh_versions (events_table text PRIMARY KEY, version int NOT NULL);
CREATE TABLE IF NOT EXISTS ${n.events} (
  position bigserial PRIMARY KEY,
  id text NOT NULL,
  source text NOT NULL,
  type text NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now(),
  event json NOT NULL,
  UNIQUE (id, source)
);
CREATE TABLE IF NOT EXISTS ${n.durables} (
  name text PRIMARY KEY,
  pattern text NOT NULL,
  match_exact text,
  match_regex text,
  cursor_position bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${n.deliveries} (
  durable text NOT NULL,
  position bigint NOT NULL,
  owner text,
  lease_until timestamptz NOT NULL,
  attempts int NOT NULL DEFAULT 1,
  PRIMARY KEY (durable, position)
);
CREATE OR REPLACE FUNCTION "${n.schema}"."${n.eventsTable}_notify"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- The payload names the appending connection's application: a store instance skips its own
  -- (it wakes its readers when the insert returns), others hear it.
  PERFORM pg_notify(${literal(n.channel)}, current_setting('application_name'));
  RETURN NULL;
END $fn$;
DROP TRIGGER IF EXISTS "${n.eventsTable}_notify" ON ${n.events};
CREATE TRIGGER "${n.eventsTable}_notify" AFTER INSERT ON ${n.events} FOR EACH STATEMENT EXECUTE FUNCTION "${n.schema}"."${n.eventsTable}_notify"();
${holdTriggerSql(n)}
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
 * wake-up writes nothing. One call looks at SCAN rows at most (a rare pattern over a
 * long log moves the cursor a window at a time). Marker rows (pos NULL) say
 * 'more': the window ended before `limit` matched, claim again; 'held': rows committed
 * past the horizon exist (a transaction inserting into the table still runs), look again soon.
 *
 * The plans are pinned to index scans (no bitmap, no sequential scan): without
 * statistics the planner would sort every row after the cursor, and plain index scans
 * also mark the deleted delivery rows dead in the index as they pass them.
 */
function claimFunction(n: Names): string {
  return `
CREATE OR REPLACE FUNCTION ${n.claim}(p_durable text, p_owner text, p_limit int, p_lease_ms int)
RETURNS TABLE (pos bigint, event text) LANGUAGE plpgsql
SET enable_bitmapscan = off SET enable_seqscan = off SET enable_sort = off AS $fn$
#variable_conflict use_column
DECLARE
  horizon bigint; last bigint;
  lease timestamptz := clock_timestamp() + p_lease_ms * interval '1 millisecond';
  taken int := 0; want int; scanned int := 0;
  c_pos bigint; d_exact text; d_regex text; l_pos bigint;
  ps bigint[] := '{}'; bs text[] := '{}';
  r record;
BEGIN
${claimExpired(n)}
  GET DIAGNOSTICS taken = ROW_COUNT;
  want := p_limit - taken;
  IF want <= 0 THEN RETURN; END IF;
  SELECT d.cursor_position, d.match_exact, d.match_regex INTO c_pos, d_exact, d_regex
    FROM ${n.durables} d WHERE d.name = p_durable;
  IF NOT FOUND THEN RETURN; END IF;
  -- After the statements above: the horizon's reads come before the snapshots of the reads below.
${horizonPlpgsql(n)}
  IF NOT EXISTS (SELECT 1 FROM ${n.events} e WHERE e.position > c_pos AND e.position < horizon ORDER BY e.position LIMIT 1) THEN
    IF EXISTS (SELECT 1 FROM ${n.events} e WHERE e.position >= horizon AND e.position > c_pos ORDER BY e.position LIMIT 1) THEN
      RETURN QUERY SELECT NULL::bigint, 'held'::text;
    END IF;
    RETURN;
  END IF;
  -- Another consumer of the durable may have moved the cursor meanwhile: read it again, locked.
  SELECT d.cursor_position INTO c_pos FROM ${n.durables} d WHERE d.name = p_durable FOR UPDATE;
  FOR r IN SELECT e.position, e.type, e.event FROM ${n.events} e
      WHERE e.position > c_pos AND e.position < horizon ORDER BY e.position LIMIT ${SCAN} LOOP
    scanned := scanned + 1;
    l_pos := r.position;
    IF (d_exact IS NULL OR r.type = d_exact) AND (d_regex IS NULL OR ('.' || r.type) ~ d_regex) THEN
      ps := ps || r.position;
      bs := bs || r.event::text;
      EXIT WHEN cardinality(ps) >= want;
    END IF;
  END LOOP;
${claimTail(n)}
END $fn$;`;
}

/** Rows one claim looks at, at most. */
const SCAN = 1000;

/** The start of claim(): expired leases, oldest first, taken over by `owner`. */
function claimExpired(n: Names): string {
  return `  RETURN QUERY
    WITH again AS (
      UPDATE ${n.deliveries} d SET owner = p_owner, lease_until = lease, attempts = d.attempts + 1
      WHERE d.durable = p_durable AND d.position IN (
        SELECT q.position FROM ${n.deliveries} q WHERE q.durable = p_durable AND q.lease_until < clock_timestamp()
        ORDER BY q.durable, q.position LIMIT p_limit FOR UPDATE SKIP LOCKED)
      RETURNING d.position)
    SELECT e.position, e.event::text FROM again a JOIN ${n.events} e ON e.position = a.position;`;
}

/** The end of claim(): records what was taken, returns it, moves the cursor, says whether to look again. */
function claimTail(n: Names): string {
  return `  IF cardinality(ps) > 0 THEN
    INSERT INTO ${n.deliveries} (durable, position, owner, lease_until)
      SELECT p_durable, u.p, p_owner, lease FROM unnest(ps) AS u(p);
    RETURN QUERY SELECT u.p, u.b FROM unnest(ps, bs) AS u(p, b);
  END IF;
  -- Matched enough: the cursor stops at the last one taken. Otherwise it passes every row
  -- looked at; a full window may have more after it, a short one reached the safe end.
  IF cardinality(ps) < want THEN
    IF scanned >= ${SCAN} THEN
      RETURN QUERY SELECT NULL::bigint, 'more'::text;
    ELSIF EXISTS (SELECT 1 FROM ${n.events} e WHERE e.position >= horizon AND e.position > l_pos ORDER BY e.position LIMIT 1) THEN
      RETURN QUERY SELECT NULL::bigint, 'held'::text;
    END IF;
  END IF;
  UPDATE ${n.durables} SET cursor_position = l_pos WHERE name = p_durable AND cursor_position < l_pos;`;
}

/** A SQL string literal (standard_conforming_strings: only quotes to double). */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

