import { claimFunctionSql } from './claim.js';
import { holdTriggerSql } from './horizon.js';
import type { Names } from './names.js';
import { releaseFunctionSql } from './release.js';
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
  lo bigint NOT NULL,
  hi bigint NOT NULL,
  owner text,
  lease_until timestamptz NOT NULL,
  attempts int NOT NULL DEFAULT 1,
  PRIMARY KEY (durable, hi)
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
${claimFunctionSql(n)}
${releaseFunctionSql(n)}
INSERT INTO "${n.schema}".evmesh_versions VALUES (${literal(n.eventsTable)}, ${SCHEMA_VERSION})
  ON CONFLICT (events_table) DO UPDATE SET version = EXCLUDED.version;
`;
}

/** The stored version of the schema for these names, undefined when it was never created. */
export function versionSql(n: Names): string {
  return `SELECT version FROM "${n.schema}".evmesh_versions WHERE events_table = ${literal(n.eventsTable)}`;
}

/** A SQL string literal (standard_conforming_strings: only quotes to double). */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

