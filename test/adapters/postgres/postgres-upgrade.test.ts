// A schema of version 1 (rows ordered by (xid, position), one delivery row per event)
// is brought to the current version when a store opens it: every durable gets what it
// had not read (some of what it had read again, at least once), and its delivery in
// flight comes back once its lease ran out.
import { describe, expect, it } from 'vitest';
import { until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';
import { serviceAvailable } from '../../support/services.js';
import { pgStores } from './pg-fixture.js';

const up = await serviceAvailable('postgres');

/** The version-1 tables, as version 1 created them (its trigger and function are replaced on upgrade). */
function version1(s: string): string {
  return `
CREATE SCHEMA "${s}";
CREATE TABLE "${s}".evmesh_versions (events_table text PRIMARY KEY, version int NOT NULL);
CREATE TABLE "${s}".events (position bigserial NOT NULL, xid xid8 NOT NULL DEFAULT pg_current_xact_id(), id text NOT NULL,
  source text NOT NULL, type text NOT NULL, stored_at timestamptz NOT NULL DEFAULT now(), event json NOT NULL,
  PRIMARY KEY (xid, position), UNIQUE (id, source));
CREATE TABLE "${s}".durables (name text PRIMARY KEY, pattern text NOT NULL, match_exact text, match_regex text,
  cursor_xid xid8 NOT NULL, cursor_position bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE "${s}".deliveries (durable text NOT NULL, position bigint NOT NULL, xid xid8 NOT NULL, owner text,
  lease_until timestamptz NOT NULL, attempts int NOT NULL DEFAULT 1, PRIMARY KEY (durable, position));
INSERT INTO "${s}".evmesh_versions VALUES ('events', 1);`;
}

function row(s: string, i: number): string {
  const event = JSON.stringify({ specversion: '1.0', id: `e${i}`, source: '/t', type: 'up.x', data: i });
  return `INSERT INTO "${s}".events (id, source, type, event) VALUES ('e${i}', '/t', 'up.x', '${event}')`;
}

describe.runIf(up)('postgresStore schema upgrade', () => {
  const fixture = pgStores();
  const mesh = closedAfterEach();

  it('from version 1: cursors moved back to the first unread row, deliveries in flight kept', async () => {
    const s = fixture.schema;
    const admin = fixture.admin();
    await admin.query(version1(s));
    const early = await admin.connect();
    const late = await admin.connect();
    try {
      // e3 has the oldest xid but the last position of the three: (xid, position) order is e3, e1, e2.
      await early.query('BEGIN');
      await early.query('SELECT pg_current_xact_id()');
      await late.query(`BEGIN; ${row(s, 1)}; ${row(s, 2)}; COMMIT`);
      await early.query(`${row(s, 3)}; COMMIT`);
    } finally {
      early.release();
      late.release();
    }
    for (let i = 4; i <= 6; i++) await admin.query(row(s, i));
    const cursorAt = (name: string, id: string): string => `INSERT INTO "${s}".durables (name, pattern, match_exact, cursor_xid, cursor_position)
      SELECT '${name}', 'up.x', 'up.x', xid, position FROM "${s}".events WHERE id = '${id}'`;
    // 'first' read e3 only (the first in its order); 'most' read up to e5 and holds e4, its holder gone.
    await admin.query(cursorAt('first', 'e3'));
    await admin.query(cursorAt('most', 'e5'));
    await admin.query(`INSERT INTO "${s}".deliveries (durable, position, xid, owner, lease_until)
      SELECT 'most', position, xid, 'gone', now() - interval '1 second' FROM "${s}".events WHERE id = 'e4'`);

    const m = mesh({ store: fixture.store({ pollInterval: 50 }) });
    const got: Record<string, unknown[]> = { first: [], most: [] };
    for (const name of ['first', 'most']) await m.subscribe('up.x', (e) => void got[name]?.push(e.data), { durable: name }).ready;
    await until(() => got['first']?.length === 6 && got['most']?.length === 2, 10_000);
    expect(got['first']).toEqual([1, 2, 3, 4, 5, 6]);
    expect(got['most']).toEqual([4, 6]);
    expect((await admin.query(`SELECT version FROM "${s}".evmesh_versions`)).rows).toEqual([{ version: 2 }]);
  });
});
