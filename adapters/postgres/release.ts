import type { Names } from './names.js';

/**
 * release(durable, owner, his, freed, kept, lease_ms, channel): a reader hands back
 * part of what it holds. Its ranges `his` go, replaced by single-position ranges: the
 * `freed` positions expired at once (any consumer of the durable takes them at its next
 * claim, woken by the NOTIFY), the `kept` ones still its own, under a fresh lease (still
 * in a handler here). The positions of those ranges in neither list were acknowledged:
 * they do not come back. One statement, so a crash leaves either the ranges or the
 * singles, never a gap. Rare (a consumer leaving, the store closing): the hot path
 * holds one row per claimed batch.
 */
export function releaseFunctionSql(n: Names): string {
  return `
CREATE OR REPLACE FUNCTION ${n.release}(p_durable text, p_owner text, p_his bigint[], p_freed bigint[], p_kept bigint[], p_lease_ms int, p_channel text)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE g_lo bigint[]; g_hi bigint[];
BEGIN
  -- Only ranges still this reader's (one whose lease ran out may be another's now).
  WITH gone AS (DELETE FROM ${n.deliveries} WHERE durable = p_durable AND owner = p_owner AND hi = ANY(p_his) RETURNING lo, hi)
    SELECT array_agg(lo), array_agg(hi) INTO g_lo, g_hi FROM gone;
  IF g_hi IS NULL THEN RETURN; END IF;
  INSERT INTO ${n.deliveries} (durable, lo, hi, owner, lease_until)
    SELECT p_durable, x.p - 1, x.p, x.o, x.l FROM (
      SELECT f.p, NULL::text AS o, '-infinity'::timestamptz AS l FROM unnest(p_freed) AS f(p)
      UNION ALL
      SELECT k.p, p_owner, clock_timestamp() + p_lease_ms * interval '1 millisecond' FROM unnest(p_kept) AS k(p)) x
    WHERE EXISTS (SELECT 1 FROM unnest(g_lo, g_hi) AS g(lo, hi) WHERE x.p > g.lo AND x.p <= g.hi);
  IF cardinality(p_freed) > 0 THEN PERFORM pg_notify(p_channel, ''); END IF;
END $fn$;`;
}
