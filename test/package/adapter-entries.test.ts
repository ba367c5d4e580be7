// The five adapter entries (`evmesh/adapters/sqlite|redis|nats|amqp|postgres`) from the packed
// tarball, in real node processes (ESM and CommonJS): each loads from the installed copy,
// and where the app has not installed the driver (an optional peer), opening the store
// rejects with ERR_MESH_ADAPTER_MISSING_DEP naming that package.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, installPacked, packedTarball, root } from './packed.js';

const run = promisify(execFile);

const ADAPTERS = {
  sqlite: { factory: 'sqliteStore', driver: 'better-sqlite3' },
  redis: { factory: 'redisStore', driver: 'ioredis' },
  nats: { factory: 'natsStore', driver: 'nats' },
  amqp: { factory: 'amqpStore', driver: 'amqplib' },
  postgres: { factory: 'postgresStore', driver: 'pg' },
} as const;
type Adapter = keyof typeof ADAPTERS;
const NAMES = Object.keys(ADAPTERS) as Adapter[];

interface EntryReport { factory: string; name: string; resolved: string }
interface OpenReport { rejected: boolean; code?: unknown; isMeshError?: boolean; details?: unknown; driverResolvable: boolean }
interface Report { format: 'esm' | 'cjs'; entries: Record<string, EntryReport>; opened: Record<string, OpenReport> }

// Port 1 answers nothing: if a driver did load, open would fail as unavailable, not hang.
const body = `
const adapters = ${JSON.stringify(ADAPTERS)};
const options = {
  sqlite: () => ({ path: require('node:path').join(require('node:os').tmpdir(), 'evmesh-pkg-missing-' + process.pid + '.db') }),
  redis: () => ({ url: 'redis://127.0.0.1:1', connectTimeout: 500 }),
  nats: () => ({ servers: 'nats://127.0.0.1:1', connectTimeout: 500 }),
  amqp: () => ({ url: 'amqp://127.0.0.1:1', connectTimeout: 500 }),
  postgres: () => ({ connectionString: 'postgres://127.0.0.1:1/x', connectTimeout: 500 }),
};
function resolvable(name) {
  try { require.resolve(name); return true; } catch { return false; }
}
async function main() {
  const entries = {};
  const opened = {};
  for (const [adapter, { factory, driver }] of Object.entries(adapters)) {
    const mod = await load(adapter);
    const store = mod[factory](options[adapter]());
    entries[adapter] = { factory: typeof mod[factory], name: store.name, resolved: resolve('evmesh/adapters/' + adapter) };
    if (!OPEN) continue;
    opened[adapter] = await store.open().then(
      () => ({ rejected: false, driverResolvable: resolvable(driver) }),
      (err) => ({ rejected: true, code: err.code, isMeshError: err instanceof MeshError, details: err.details, driverResolvable: resolvable(driver) }),
    );
    await store.close().catch(() => undefined);
  }
  return { format, entries, opened };
}
main().then(
  (report) => console.log(JSON.stringify(report)),
  (err) => { console.error(err); process.exitCode = 1; },
);
`;

const esm = (open: boolean): string => `import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MeshError } from 'evmesh';
const require = createRequire(import.meta.url);
const format = 'esm';
const OPEN = ${open};
const load = (adapter) => import('evmesh/adapters/' + adapter);
const resolve = (specifier) => fileURLToPath(import.meta.resolve(specifier));
${body}`;

const cjs = (open: boolean): string => `'use strict';
const { MeshError } = require('evmesh');
const format = 'cjs';
const OPEN = ${open};
const load = async (adapter) => require('evmesh/adapters/' + adapter);
const resolve = (specifier) => require.resolve(specifier);
${body}`;

let withDrivers = '';
let withoutDrivers = '';
const reports: Record<string, Report> = {};

async function consume(dir: string, file: string, source: string): Promise<Report> {
  writeFileSync(join(dir, file), source);
  const { stdout, stderr } = await run(process.execPath, [file], { cwd: dir, timeout: 30_000 });
  expect(stderr).toBe('');
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Report;
}

beforeAll(async () => {
  await ensureBuilt(['dist/esm/adapters/postgres/index.js', 'dist/cjs/adapters/postgres/index.js', 'dist/cjs/package.json']);
  const tarball = await packedTarball();
  // With the drivers: under the repo, where its node_modules has all four.
  withDrivers = await installPacked(tarball, 'consumer-adapters-');
  // Without: outside the repo, with only evmesh's own dependencies linked in, so no
  // driver is resolvable from the consumer, as for an app that never installed one.
  withoutDrivers = await installPacked(tarball, 'evmesh-consumer-nodrivers-', tmpdir());
  const pkg = JSON.parse(readFileSync(join(withoutDrivers, 'node_modules', 'evmesh', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    const link = join(withoutDrivers, 'node_modules', dep);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), link, 'dir');
  }
  const runs = await Promise.all([
    consume(withDrivers, 'index.mjs', esm(false)), consume(withDrivers, 'index.cjs', cjs(false)),
    consume(withoutDrivers, 'index.mjs', esm(true)), consume(withoutDrivers, 'index.cjs', cjs(true)),
  ]);
  for (const [i, key] of ['esm', 'cjs', 'esm-missing', 'cjs-missing'].entries()) reports[key] = runs[i]!;
}, 180_000);

afterAll(() => {
  for (const dir of [withDrivers, withoutDrivers]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the adapter entries of the published package', () => {
  it.each(['esm', 'cjs'] as const)('load every adapter from the installed copy as %s', (format) => {
    const report = reports[format]!;
    expect(report.format).toBe(format);
    for (const adapter of NAMES) {
      expect(report.entries[adapter]).toEqual({
        factory: 'function',
        name: adapter,
        resolved: join(withDrivers, 'node_modules', 'evmesh', 'dist', format, 'adapters', adapter, 'index.js'),
      });
    }
  });

  it.each(NAMES.flatMap((adapter) => (['esm', 'cjs'] as const).map((format) => [adapter, format] as const)))(
    '%s: opening the store without its driver installed rejects with ERR_MESH_ADAPTER_MISSING_DEP naming it (%s)',
    (adapter, format) => {
      const report = reports[`${format}-missing`]!;
      const { driver, factory } = ADAPTERS[adapter];
      // The entry itself still loads: the driver is only imported when the store opens.
      expect(report.entries[adapter]?.factory).toBe('function');
      expect(report.opened[adapter]).toEqual({
        rejected: true,
        code: 'ERR_MESH_ADAPTER_MISSING_DEP',
        isMeshError: true,
        details: { package: driver, neededBy: factory },
        driverResolvable: false,
      });
    },
  );
});
