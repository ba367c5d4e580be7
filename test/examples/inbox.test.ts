// The consumer-side inbox example: an event delivered twice has its effect once.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { handleOnce, inboxTableSql } from '../../examples/inbox.js';
import type { MeshEvent } from '../../src/index.js';
import { serviceAvailable } from '../support/services.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const up = await serviceAvailable('postgres');
const schema = `evmesh_t_${randomBytes(5).toString('hex')}`;
const pool = up ? new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 4 }) : undefined;

afterAll(async () => {
  await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool?.end();
});

describe.runIf(up)('examples/inbox.ts', () => {
  it('a durable handler failing after its COMMIT is retried, and the retry skips the effect', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/inbox.ts'], {
      cwd: root, timeout: 60_000, env: { ...process.env, EVMESH_PG_SCHEMA: `${schema}_run` },
    });
    expect(stdout).toContain('attempt 1: credited 30');
    expect(stdout).toContain('attempt 2: already handled, skipped 30');
    expect(stdout).toContain('balance: 30 (credited once)');
    await pool?.query(`DROP SCHEMA IF EXISTS "${schema}_run" CASCADE`);
  });

  it('handleOnce: the same event twice, even at once, runs its effect once; a failed effect is not recorded', async () => {
    const db = pool as pg.Pool;
    await db.query(`CREATE SCHEMA "${schema}"`);
    const table = `"${schema}".inbox`;
    await db.query(inboxTableSql(table));
    await db.query(`CREATE TABLE "${schema}".hits (n int NOT NULL)`);
    const hit = async (client: pg.PoolClient): Promise<void> => void (await client.query(`INSERT INTO "${schema}".hits VALUES (1)`));
    // Only its identity (source, id) matters to the inbox.
    const event = { source: '/shop', id: 'paid-1', type: 'inbox.paid' } as MeshEvent;
    await expect(handleOnce(db, table, 'billing', event, async () => Promise.reject(new Error('effect failed')))).rejects.toThrow('effect failed');
    const results = await Promise.all([1, 2, 3].map(() => handleOnce(db, table, 'billing', event, hit)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await handleOnce(db, table, 'billing', event, hit)).toBe(false);
    // Another consumer has an inbox row of its own.
    expect(await handleOnce(db, table, 'audit', event, hit)).toBe(true);
    const { rows } = await db.query<{ count: string }>(`SELECT count(*) FROM "${schema}".hits`);
    expect(rows[0]?.count).toBe('2');
  });
});
