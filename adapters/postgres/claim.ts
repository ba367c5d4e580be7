import { horizonPlpgsql } from './horizon.js';
import type { Names } from './names.js';

/**
 * claim(durable, owner, limit, lease_ms, done): up to `limit` deliveries for one
 * consumer, in one round trip. First the ranges `done` go (every event of them was
 * acknowledged: the reader's acknowledgements ride on its next claim when one is due,
 * one commit instead of two), then the durable's leased ranges that ran out (a consumer
 * died or handed them back), then events after the durable's cursor that match its
 * pattern.
 *
 * What is leased is a RANGE of positions, (lo, hi], one deliveries row per claimed
 * batch: the events of the range that match the durable's pattern. The reader deletes
 * the row once every event of it was acknowledged; one it hands back is split into
 * single-position ranges first (release.ts), so what was acknowledged does not come
 * back. A range whose holder died comes back whole (at least once). The ranges of a
 * durable never overlap: a new one starts at the cursor, which it moves to its end.
 *
 * Rows: (pos, event, rng) with rng the range's hi, which the reader acknowledges.
 * The durable's row is locked only when there is something new to take, so an idle
 * wake-up writes nothing. One call looks at SCAN rows at most (a rare pattern over a
 * long log moves the cursor a window at a time). Marker rows (pos NULL) say 'more': the
 * window ended before `limit` matched, claim again; 'held': rows committed past the
 * horizon exist (a transaction inserting into the table still runs), look again soon.
 *
 * The plans are pinned to index scans (no bitmap, no sequential scan): without
 * statistics the planner would sort every row after the cursor.
 */
export function claimFunctionSql(n: Names): string {
  return `
DROP FUNCTION IF EXISTS ${n.claim}(text, text, int, int);
DROP FUNCTION IF EXISTS ${n.claim}(text, text, int, int, bigint[]);
CREATE FUNCTION ${n.claim}(p_durable text, p_owner text, p_limit int, p_lease_ms int, p_done bigint[])
RETURNS TABLE (pos bigint, event text, rng bigint) LANGUAGE plpgsql
SET enable_bitmapscan = off SET enable_seqscan = off SET enable_sort = off AS $fn$
#variable_conflict use_column
DECLARE
  horizon bigint; last bigint;
  lease timestamptz := clock_timestamp() + p_lease_ms * interval '1 millisecond';
  taken int := 0; want int; scanned int := 0;
  c_pos bigint; d_exact text; d_regex text; l_pos bigint; m_pos bigint; got int := 0; his bigint[];
  r record;
BEGIN
  -- What a claim writes (a range, the cursor, ranges acknowledged) may be lost by a server
  -- crash without losing an event: together (one transaction), so the events come back.
  -- Not waiting for the WAL flush takes the disk's fsync off every batch's path.
  PERFORM set_config('synchronous_commit', 'off', true);
  IF cardinality(p_done) > 0 THEN
    DELETE FROM ${n.deliveries} d WHERE d.durable = p_durable AND d.hi = ANY(p_done);
  END IF;
  SELECT d.cursor_position, d.match_exact, d.match_regex INTO c_pos, d_exact, d_regex
    FROM ${n.durables} d WHERE d.name = p_durable;
  IF NOT FOUND THEN RETURN; END IF;
${claimExpired(n)}
  want := p_limit - taken;
  IF want <= 0 THEN RETURN; END IF;
  -- After the statements above: the horizon's reads come before the snapshots of the reads below.
${horizonPlpgsql(n)}
  IF NOT EXISTS (SELECT 1 FROM ${n.events} e WHERE e.position > c_pos AND e.position < horizon ORDER BY e.position LIMIT 1) THEN
    IF EXISTS (SELECT 1 FROM ${n.events} e WHERE e.position >= horizon AND e.position > c_pos ORDER BY e.position LIMIT 1) THEN
      RETURN QUERY SELECT NULL::bigint, 'held'::text, NULL::bigint;
    END IF;
    RETURN;
  END IF;
${claimScan(n)}
${claimTail(n)}
END $fn$;`;
}

/** The new events: from the cursor (locked), the matching ones up to `want`, SCAN rows at most. */
function claimScan(n: Names): string {
  return `  -- Another consumer of the durable may have moved the cursor meanwhile: read it again, locked.
  SELECT d.cursor_position INTO c_pos FROM ${n.durables} d WHERE d.name = p_durable FOR UPDATE;
  -- Positions and types only: the events are read once, by the range (claimTail).
  FOR r IN SELECT e.position, e.type FROM ${n.events} e
      WHERE e.position > c_pos AND e.position < horizon ORDER BY e.position LIMIT ${SCAN} LOOP
    scanned := scanned + 1;
    l_pos := r.position;
    IF (d_exact IS NULL OR r.type = d_exact) AND (d_regex IS NULL OR ('.' || r.type) ~ d_regex) THEN
      got := got + 1;
      m_pos := r.position;
      EXIT WHEN got >= want;
    END IF;
  END LOOP;`;
}

/** Rows one claim looks at, at most. */
const SCAN = 1000;

/** An event row `e` matches the durable's pattern (the claim's variables). */
const MATCHES = `(d_exact IS NULL OR e.type = d_exact) AND (d_regex IS NULL OR ('.' || e.type) ~ d_regex)`;

/** The durable's ranges whose lease ran out, oldest first, taken over by `owner`; a range with nothing left in it goes. */
function claimExpired(n: Names): string {
  const matches = MATCHES;
  return `  SELECT array_agg(q.hi) INTO his FROM (
    SELECT q.hi FROM ${n.deliveries} q WHERE q.durable = p_durable AND q.lease_until < clock_timestamp()
    ORDER BY q.durable, q.hi LIMIT p_limit FOR UPDATE SKIP LOCKED) q;
  IF his IS NOT NULL THEN
    UPDATE ${n.deliveries} d SET owner = p_owner, lease_until = lease, attempts = d.attempts + 1
      WHERE d.durable = p_durable AND d.hi = ANY(his);
    RETURN QUERY SELECT e.position, e.event::text, d.hi FROM ${n.deliveries} d
      JOIN ${n.events} e ON e.position > d.lo AND e.position <= d.hi
      WHERE d.durable = p_durable AND d.hi = ANY(his) AND ${matches} ORDER BY e.position;
    GET DIAGNOSTICS taken = ROW_COUNT;
    -- Retention deleted every event of these: nobody can be given them again.
    DELETE FROM ${n.deliveries} d WHERE d.durable = p_durable AND d.hi = ANY(his)
      AND NOT EXISTS (SELECT 1 FROM ${n.events} e WHERE e.position > d.lo AND e.position <= d.hi AND ${matches});
  END IF;`;
}

/** The end of claim(): records the range taken, returns it, moves the cursor, says whether to look again. */
function claimTail(n: Names): string {
  // Every matching row of (c_pos, m_pos] was taken, and all are below the horizon: settled,
  // so this later snapshot reads exactly them.
  return `  IF got > 0 THEN
    INSERT INTO ${n.deliveries} (durable, lo, hi, owner, lease_until) VALUES (p_durable, c_pos, m_pos, p_owner, lease);
    RETURN QUERY SELECT e.position, e.event::text, m_pos FROM ${n.events} e
      WHERE e.position > c_pos AND e.position <= m_pos AND ${MATCHES} ORDER BY e.position;
  END IF;
  -- Matched enough: the cursor stops at the last one taken. Otherwise it passes every row
  -- looked at; a full window may have more after it, a short one reached the safe end.
  IF got < want THEN
    IF scanned >= ${SCAN} THEN
      RETURN QUERY SELECT NULL::bigint, 'more'::text, NULL::bigint;
    ELSIF EXISTS (SELECT 1 FROM ${n.events} e WHERE e.position >= horizon AND e.position > l_pos ORDER BY e.position LIMIT 1) THEN
      RETURN QUERY SELECT NULL::bigint, 'held'::text, NULL::bigint;
    END IF;
  END IF;
  UPDATE ${n.durables} SET cursor_position = l_pos WHERE name = p_durable AND cursor_position < l_pos;`;
}
