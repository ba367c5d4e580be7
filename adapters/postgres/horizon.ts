import type { Names } from './names.js';

/**
 * The read horizon of one events table: a position below which no row can still
 * appear. A bigserial is taken at insert time but the row becomes visible at commit,
 * so a reader that moved past 105 while 104 was uncommitted would skip 104 for ever;
 * readers only take rows below the horizon, and a cursor that only moves through such
 * rows never has a row land behind it.
 *
 * Only transactions that insert into THIS table hold it back (a long report, an idle
 * transaction on another table or in another database do not). Every INSERT statement
 * on the table runs a BEFORE STATEMENT trigger (so: the store's appends, the outbox's
 * insert in the caller's transaction, anyone's raw INSERT or COPY) which, once per
 * transaction:
 *   1. reads the position sequence's last value t (no value is consumed);
 *   2. takes the shared transaction-level advisory lock (holdKey, t mod 2^32), which
 *      pg_locks shows with objsubid 2, classid holdKey, objid t mod 2^32.
 * The statement's own positions are drawn after that (the trigger fires before its
 * VALUES and defaults are evaluated), so every row the transaction ever inserts has a
 * position > t. The lock goes at COMMIT or ROLLBACK, after the transaction became
 * visible (PostgreSQL releases locks after ProcArrayEndTransaction), and cannot be let
 * go earlier (pg_advisory_unlock_all is for session locks). A savepoint rolled back
 * releases its locks and resets the transaction-local flag together, so the next insert
 * takes them again. PREPARE TRANSACTION (2PC) cannot happen: the table's notify trigger
 * makes every inserting transaction one that executed NOTIFY, which PREPARE refuses.
 *
 * The reader (the claim function) reads the sequence's last value L, then pg_locks, and
 * sets horizon = min(L + 1, t of every holder). Proof that a row at position p < horizon
 * is visible to the claim's next statement (its snapshot is taken after both reads): the
 * row's transaction W either held its lock when pg_locks was read (then horizon <= t < p),
 * or took it after (then p was drawn after L was read, so p > L, p >= horizon), or had
 * ended, visibly, before pg_locks was read. Transactions that never insert here, xids,
 * snapshots and isolation levels play no part (pg_sequence_last_value reads the
 * sequence as it is now, even in REPEATABLE READ). pg_lock_status copies the main lock
 * table under all its partition locks at once, where advisory locks live (never
 * fast-path): one consistent picture.
 *
 * t is kept modulo 2^32 (an int4 key); the reader restores it as the value within 2^31
 * of L, which is exact while fewer than 2^31 positions are drawn between a holder's
 * first insert and a claim. Another application's two-key advisory lock that happens to
 * use holdKey can only lower the horizon (a stall while it is held), never raise it.
 */
export function holdTriggerSql(n: Names): string {
  const fn = `"${n.schema}"."${n.eventsTable}_hold"`;
  return `
CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE t bigint;
BEGIN
  IF current_setting(${literal(n.heldFlag)}, true) IS DISTINCT FROM '1' THEN
    t := ${lastPosition(n)} % 4294967296;
    PERFORM pg_advisory_xact_lock_shared(${n.holdKey}, (CASE WHEN t >= 2147483648 THEN t - 4294967296 ELSE t END)::int);
    PERFORM set_config(${literal(n.heldFlag)}, '1', true);
  END IF;
  RETURN NULL;
END $fn$;
DROP TRIGGER IF EXISTS "${n.eventsTable}_hold" ON ${n.events};
CREATE TRIGGER "${n.eventsTable}_hold" BEFORE INSERT ON ${n.events} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();`;
}

/**
 * PL/pgSQL statements setting the bigint variable `horizon` (and using the bigint
 * `last`), in this order: the sequence first, pg_locks second (see above).
 */
export function horizonPlpgsql(n: Names): string {
  return `  last := ${lastPosition(n)};
  SELECT least(last + 1, min(last + (((l.objid::bigint - last) % 4294967296 + 6442450944) % 4294967296) - 2147483648)) INTO horizon
    FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.classid = ${n.holdKey}
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database());
  horizon := COALESCE(horizon, last + 1);`;
}

/** The position sequence's last value (0 before the first row): current, whatever the snapshot. */
function lastPosition(n: Names): string {
  return `COALESCE(pg_sequence_last_value(pg_get_serial_sequence(${literal(n.events)}, 'position')), 0)`;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
