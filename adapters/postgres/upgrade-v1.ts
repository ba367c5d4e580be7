import type { Names } from './names.js';

/**
 * Schema version 1 to 2: rows were read in (xid, position) order below the server's
 * snapshot xmin; version 2 reads them in position order below the table's own horizon
 * (horizon.ts). Each durable's cursor becomes the position just before the first row
 * it had not passed (or the last row, if it passed them all): the rows after that
 * which it had passed already are delivered again (at least once), none is skipped.
 * A delivery row in flight (one event) becomes a range of one position. The xid
 * columns go (the events table's primary key with them; position becomes the key).
 *
 * The tables are locked first, in one statement, so the cursors are computed once no
 * version-1 append can still commit. Instances of the previous version must be stopped
 * before: their statements name the columns dropped here. Skipped when another process
 * upgraded meanwhile (it ran under the same advisory lock, this one read version 1
 * before waiting on it).
 */
export function upgradeFrom1Sql(n: Names): string {
  return `
DO $up$ BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns
      WHERE table_schema = '${n.schema}' AND table_name = '${n.eventsTable}' AND column_name = 'xid') THEN
    LOCK TABLE ${n.events}, ${n.durables}, ${n.deliveries} IN ACCESS EXCLUSIVE MODE;
    UPDATE ${n.durables} d SET cursor_position = COALESCE(
      (SELECT min(e.position) - 1 FROM ${n.events} e WHERE (e.xid, e.position) > (d.cursor_xid, d.cursor_position)),
      (SELECT max(e.position) FROM ${n.events} e),
      d.cursor_position);
    ALTER TABLE ${n.durables} DROP COLUMN cursor_xid;
    ALTER TABLE ${n.deliveries} DROP COLUMN xid;
    ALTER TABLE ${n.deliveries} RENAME COLUMN position TO hi;
    ALTER TABLE ${n.deliveries} ADD COLUMN lo bigint;
    UPDATE ${n.deliveries} SET lo = hi - 1;
    ALTER TABLE ${n.deliveries} ALTER COLUMN lo SET NOT NULL;
    ALTER TABLE ${n.events} DROP COLUMN xid;
    ALTER TABLE ${n.events} ADD PRIMARY KEY (position);
  END IF;
END $up$;`;
}
