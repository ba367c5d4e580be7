// The ORM outbox examples, run as `npx tsx` would: a commit is seen once, a rollback never.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceAvailable } from '../support/services.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const up = await serviceAvailable('postgres');
const schemas: string[] = [];

afterAll(async () => {
  if (!up) return;
  const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 1 });
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe.runIf(up).each(['outbox-drizzle', 'outbox-kysely', 'outbox-typeorm'])('examples/%s.ts', (name) => {
  it('a committed transaction is seen once, a rolled-back one never', async () => {
    const schema = `evmesh_t_${randomBytes(5).toString('hex')}`;
    schemas.push(schema);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${name}.ts`], {
      cwd: root, timeout: 60_000, env: { ...process.env, EVMESH_PG_SCHEMA: schema },
    });
    expect(stdout.match(/^subscriber sees .*$/gm)).toEqual([
      'subscriber sees com.shop.order.paid for order 1',
      'subscriber sees com.shop.order.paid for order 3',
    ]);
    expect(stdout).toContain('order 2: rolled back (payment 2 failed after publishing)');
    expect(stdout).toContain('paid orders in the table: 1, 3; nobody saw order 2');
  });
});
