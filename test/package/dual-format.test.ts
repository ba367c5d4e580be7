// Installs the built package the way a user gets it (npm pack -> node_modules/evmesh)
// and loads it from real `node` processes, once with `import` and once with `require`.
import { execFile } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, installPacked, packedTarball, root } from './packed.js';

const run = promisify(execFile);

/** What each consumer script prints as its last stdout line. */
interface ConsumerReport {
  format: 'esm' | 'cjs';
  received: { type: string; data: unknown }[];
  captured: string[];
  invalidTopic: { rejected: boolean; threwSynchronously?: boolean; code?: unknown; isMeshError?: boolean };
  captureEvents: string;
  otherFormatIsSeparateCopy: boolean;
  otherFormatErrorIsMeshError: boolean;
  resolved: { main: string; testing: string; packageJson: string };
  sqlite: { received: unknown[]; driverLoadedBeforeOpen: boolean; driverLoadedAfterOpen: boolean; storeName: string };
}

interface ConsumerRun {
  report: ConsumerReport;
  stderr: string;
}

// The part both consumer scripts share; each one defines `format`, `createMesh`,
// `MeshError`, `captureEvents`, `resolve`, `loadOtherFormat`, `loadSqlite` and
// `requireCache` before it.
const consumerBody = `
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(what + ' did not happen within ' + ms + ' ms')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
  const mesh = createMesh({ source: '/consumer/' + format });
  const received = [];
  let handled;
  const delivered = new Promise((resolve) => { handled = resolve; });
  mesh.subscribe('com.shop.order.*', (event) => {
    received.push({ type: event.type, data: event.data });
    handled();
  });
  const capture = captureEvents(mesh, 'com.shop.order.*');

  mesh.emit('com.shop.order.created', { id: 1 });
  await within(delivered, 2000, 'delivery to the handler');
  const captured = await capture.waitFor(1, 2000);

  let invalidTopic;
  try {
    const pending = mesh.publish('bad topic');
    invalidTopic = await pending.then(
      () => ({ rejected: false }),
      (err) => ({ rejected: true, code: err.code, isMeshError: err instanceof MeshError }),
    );
  } catch (err) {
    invalidTopic = { rejected: false, threwSynchronously: true, code: err && err.code };
  }
  await mesh.close();

  const other = await loadOtherFormat();
  const sqlite = await sqliteRoundTrip();
  return {
    format,
    received,
    captured: captured.map((event) => event.type),
    invalidTopic,
    captureEvents: typeof captureEvents,
    otherFormatIsSeparateCopy: other.MeshError !== MeshError,
    otherFormatErrorIsMeshError: new other.MeshError('ERR_MESH_CLOSED', 'from the other build') instanceof MeshError,
    resolved: {
      main: resolve('evmesh'),
      testing: resolve('evmesh/testing'),
      packageJson: resolve('evmesh/package.json'),
    },
    sqlite,
  };
}

const driverLoaded = () => Object.keys(requireCache).some((file) => file.includes('/node_modules/better-sqlite3/'));

// The adapter entry loads its driver (an optional peer) only when a mesh opens the store.
async function sqliteRoundTrip() {
  const { sqliteStore } = await loadSqlite();
  const path = require('node:path').join(require('node:os').tmpdir(), 'evmesh-pkg-' + format + '-' + process.pid + '.db');
  const store = sqliteStore({ path });
  const driverLoadedBeforeOpen = driverLoaded();
  const mesh = createMesh({ store });
  const received = [];
  let handled;
  const delivered = new Promise((resolve) => { handled = resolve; });
  await mesh.subscribe('com.shop.#', (event) => { received.push(event.data); handled(); }, { durable: 'pkg' }).ready;
  await mesh.publish('com.shop.order.created', { id: 7 });
  await within(delivered, 5000, 'delivery from the sqlite store');
  await mesh.close();
  for (const suffix of ['', '-wal', '-shm']) require('node:fs').rmSync(path + suffix, { force: true });
  return { received, driverLoadedBeforeOpen, driverLoadedAfterOpen: driverLoaded(), storeName: store.name };
}

main().then(
  (report) => console.log(JSON.stringify(report)),
  (err) => { console.error(err); process.exitCode = 1; },
);
`;

const esmConsumer = `import { createMesh, MeshError } from 'evmesh';
import { captureEvents } from 'evmesh/testing';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const format = 'esm';
const require = createRequire(import.meta.url);
const requireCache = require.cache;
const resolve = (specifier) => fileURLToPath(import.meta.resolve(specifier));
const loadOtherFormat = async () => require('evmesh');
const loadSqlite = () => import('evmesh/adapters/sqlite');
${consumerBody}`;

const cjsConsumer = `'use strict';
const { createMesh, MeshError } = require('evmesh');
const { captureEvents } = require('evmesh/testing');

const format = 'cjs';
const requireCache = require.cache;
const resolve = (specifier) => require.resolve(specifier);
const loadOtherFormat = () => import('evmesh');
const loadSqlite = async () => require('evmesh/adapters/sqlite');
${consumerBody}`;

let consumerDir = '';
let tarballEntries: string[] = [];
let esm: ConsumerRun;
let cjs: ConsumerRun;

async function runConsumer(file: string): Promise<ConsumerRun> {
  const { stdout, stderr } = await run(process.execPath, [file], { cwd: consumerDir, timeout: 30_000 });
  const lastLine = stdout.trim().split('\n').at(-1) ?? '';
  return { report: JSON.parse(lastLine) as ConsumerReport, stderr };
}

beforeAll(async () => {
  const entries = ['dist/esm/src/index.js', 'dist/cjs/src/index.js', 'dist/cjs/package.json'];
  await ensureBuilt(entries);
  for (const entry of entries) expect(existsSync(join(root, entry)), `${entry} is built`).toBe(true);

  // One tarball for all of test/package (see packed.ts).
  const tarball = await packedTarball();
  const listing = await run('tar', ['-tzf', tarball]);
  tarballEntries = listing.stdout.split('\n').filter(Boolean);

  consumerDir = await installPacked(tarball, 'consumer-');
  writeFileSync(join(consumerDir, 'index.mjs'), esmConsumer);
  writeFileSync(join(consumerDir, 'index.cjs'), cjsConsumer);

  [esm, cjs] = await Promise.all([runConsumer('index.mjs'), runConsumer('index.cjs')]);
}, 180_000);

afterAll(() => {
  if (consumerDir) rmSync(consumerDir, { recursive: true, force: true });
});

describe('the published evmesh package', () => {
  it('ships the ESM and CommonJS builds but no sources, tests or benchmarks', () => {
    expect(tarballEntries).toContain('package/package.json');
    expect(tarballEntries).toContain('package/dist/esm/src/index.js');
    expect(tarballEntries).toContain('package/dist/cjs/src/index.js');
    expect(tarballEntries).toContain('package/dist/cjs/package.json');
    const unwanted = tarballEntries.filter((entry) =>
      /^package\/(src|test|benchmarks)\//.test(entry) || /\/(test|benchmarks)\/|\.test\.[cm]?[jt]s$/.test(entry));
    expect(unwanted).toEqual([]);
  });

  it.each(['esm', 'cjs'] as const)('delivers an emitted event to a wildcard subscriber when loaded as %s', (format) => {
    const { report } = format === 'esm' ? esm : cjs;
    expect(report.format).toBe(format);
    expect(report.received).toEqual([{ type: 'com.shop.order.created', data: { id: 1 } }]);
  });

  it.each(['esm', 'cjs'] as const)('rejects an invalid topic with a MeshError when loaded as %s', (format) => {
    const { report } = format === 'esm' ? esm : cjs;
    expect(report.invalidTopic).toEqual({ rejected: true, code: 'ERR_MESH_INVALID_TOPIC', isMeshError: true });
  });

  it.each(['esm', 'cjs'] as const)('serves evmesh/testing with a working captureEvents when loaded as %s', (format) => {
    const { report } = format === 'esm' ? esm : cjs;
    expect(report.captureEvents).toBe('function');
    expect(report.captured).toEqual(['com.shop.order.created']);
  });

  it('resolves import to dist/esm and require to dist/cjs of the installed copy', () => {
    const installed = join(consumerDir, 'node_modules', 'evmesh');
    expect(esm.report.resolved).toEqual({
      main: join(installed, 'dist', 'esm', 'src', 'index.js'),
      testing: join(installed, 'dist', 'esm', 'src', 'testing', 'index.js'),
      packageJson: join(installed, 'package.json'),
    });
    expect(cjs.report.resolved).toEqual({
      main: join(installed, 'dist', 'cjs', 'src', 'index.js'),
      testing: join(installed, 'dist', 'cjs', 'src', 'testing', 'index.js'),
      packageJson: join(installed, 'package.json'),
    });
  });

  it.each(['esm', 'cjs'] as const)('serves evmesh/adapters/sqlite, loading better-sqlite3 only when the store opens, as %s', (format) => {
    const { report } = format === 'esm' ? esm : cjs;
    expect(report.sqlite).toEqual({ received: [{ id: 7 }], driverLoadedBeforeOpen: false, driverLoadedAfterOpen: true, storeName: 'sqlite' });
  });

  it('ships the adapter entries in both builds', () => {
    for (const build of ['esm', 'cjs']) {
      for (const adapter of ['sqlite', 'redis', 'nats', 'amqp']) expect(tarballEntries).toContain(`package/dist/${build}/adapters/${adapter}/index.js`);
    }
  });

  it('recognises a MeshError from the other format\'s build as a MeshError', () => {
    for (const { report } of [esm, cjs]) {
      expect(report.otherFormatIsSeparateCopy).toBe(true);
      expect(report.otherFormatErrorIsMeshError).toBe(true);
    }
  });

  it('loads in both formats without Node printing warnings', () => {
    expect(esm.stderr).toBe('');
    expect(cjs.stderr).toBe('');
  });
});
