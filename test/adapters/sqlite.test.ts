import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../adapters/sqlite/index.js';
import type { MeshError } from '../../src/index.js';
import { storeConformance } from '../../src/testing/index.js';
import { expectThrowCode, until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';

const dir = mkdtempSync(join(tmpdir(), 'evmesh-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'conformance.db');

storeConformance({ describe, it }, 'sqlite', () => sqliteStore({ path: file }), {
  unreachable: () => sqliteStore({ path: join(dir, 'no-such-dir', 'x.db') }),
});

const mesh = closedAfterEach();
const run = promisify(execFile);

describe('sqliteStore', () => {
  it('keeps events a process published and exited for a durable consumed in another process', async () => {
    const path = join(dir, 'two-processes.db');
    const store = sqliteStore({ path });
    const first = mesh({ store });
    await first.subscribe('proc.#', () => undefined, { durable: 'proc' }).ready;
    await first.close();
    const fixture = join(import.meta.dirname, 'fixtures', 'sqlite-publisher.mts');
    await run(process.execPath, ['--import', 'tsx', fixture, path, '5'], { timeout: 60_000 });
    const got: unknown[] = [];
    const back = mesh({ store: sqliteStore({ path }) });
    await back.subscribe('proc.#', (e) => void got.push(e.data), { durable: 'proc' }).ready;
    await until(() => got.length === 5, 10_000);
    expect(got).toEqual([0, 1, 2, 3, 4]);
  }, 90_000);

  it('delivers events another store instance (another process) appended to the file, found by polling', async () => {
    const path = join(dir, 'poll.db');
    const consumer = mesh({ store: sqliteStore({ path, pollInterval: 50 }) });
    const got: unknown[] = [];
    await consumer.subscribe('poll.*', (e) => void got.push(e.data), { durable: 'poll' }).ready;
    const writer = mesh({ store: sqliteStore({ path, pollInterval: 0 }) });
    await writer.publish('poll.a', 1);
    await writer.publish('poll.b', 2);
    await until(() => got.length === 2, 10_000);
    expect(got).toEqual([1, 2]);
  });

  it('stores binary data and extension attributes as they were published', async () => {
    const path = join(dir, 'binary.db');
    const m = mesh({ store: sqliteStore({ path }) });
    const got: unknown[] = [];
    await m.subscribe('bin', (e) => void got.push([e.data, e['traceparent'], e.subject]), { durable: 'bin' }).ready;
    await m.publish('bin', new Uint8Array([1, 2, 255]), { subject: 's', traceparent: 'abc' });
    await until(() => got.length === 1, 10_000);
    expect(got).toEqual([[Buffer.from([1, 2, 255]), 'abc', 's']]);
  });

  it('commits a burst of publishes together, failing only an event that cannot be stored', async () => {
    const m = mesh({ store: sqliteStore({ path: join(dir, 'burst.db') }) });
    const got: unknown[] = [];
    await m.subscribe('burst.*', (e) => void got.push(e.data), { durable: 'burst' }).ready;
    const results = await Promise.allSettled([
      m.publish('burst.a', 1), m.publish('burst.b', { n: 10n }), m.publish('burst.c', 3),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_MESH_STORE_FAILED' });
    await until(() => got.length === 2, 10_000);
    expect(got).toEqual([1, 3]);
  });

  it('reports a stored row that is not an event through onError and delivers what follows it', async () => {
    const path = join(dir, 'corrupt.db');
    const errors: MeshError[] = [];
    const m = mesh({ store: sqliteStore({ path, onError: (e) => void errors.push(e) }) });
    const got: unknown[] = [];
    await m.subscribe('bad.*', (e) => void got.push(e.data), { durable: 'bad' }).ready;
    const db = new Database(path);
    db.prepare('INSERT INTO evmesh_events (id, type, stored_at, body) VALUES (?, ?, ?, ?)').run('x', 'bad.row', Date.now(), '{not json');
    db.close();
    await m.publish('bad.next', 'after');
    await until(() => got.length === 1, 10_000);
    expect(got).toEqual(['after']);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_STORE_FAILED']);
  });

  it('reports a stored row that is not an event to mesh.on(\'error\') of every mesh sharing the store, with no onError given', async () => {
    const path = join(dir, 'corrupt-mesh.db');
    const store = sqliteStore({ path });
    const a = mesh({ store });
    const b = mesh({ store });
    // A throw inside an 'error' listener is swallowed: collect, assert outside.
    const errors = { a: [] as MeshError[], b: [] as MeshError[] };
    a.on('error', (e) => void errors.a.push(e));
    b.on('error', (e) => void errors.b.push(e));
    const got: unknown[] = [];
    await a.subscribe('bad.*', (e) => void got.push(e.data), { durable: 'bad' }).ready;
    await b.start();
    const db = new Database(path);
    db.prepare('INSERT INTO evmesh_events (id, type, stored_at, body) VALUES (?, ?, ?, ?)').run('x', 'bad.row', Date.now(), '{not json');
    db.close();
    await a.publish('bad.next', 'after');
    await until(() => got.length === 1 && errors.a.length > 0 && errors.b.length > 0, 10_000);
    expect(got).toEqual(['after']);
    expect(errors.a.map((e) => e.code)).toEqual(['ERR_MESH_STORE_FAILED']);
    expect(errors.b.map((e) => e.code)).toEqual(['ERR_MESH_STORE_FAILED']);
  });

  it('keeps an instance two meshes share open after the first close, and closes the file at the last', async () => {
    const store = sqliteStore({ path: join(dir, 'shared.db') });
    const a = mesh({ store });
    const b = mesh({ store });
    await a.start();
    const got: unknown[] = [];
    await b.subscribe('rc.*', (e) => void got.push(e.data), { durable: 'refcount' }).ready;
    await a.close();
    const event = await b.publish('rc.x', 'after the first close');
    await until(() => got.length === 1, 10_000);
    await b.close();
    await expect(store.append(event)).rejects.toMatchObject({ code: 'ERR_MESH_STORE_FAILED' });
  });

  it('refuses a durable name reused with another pattern with ERR_MESH_INVALID_OPTIONS', async () => {
    const m = mesh({ store: sqliteStore({ path: join(dir, 'clash.db') }) });
    m.on('error', () => undefined);
    await m.subscribe('a.*', () => undefined, { durable: 'same' }).ready;
    await expect(m.subscribe('b.*', () => undefined, { durable: 'same' }).ready).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_OPTIONS' });
  });

  it.each([
    ['no path', {}],
    ['an empty path', { path: '' }],
    ['an unknown synchronous mode', { path: 'x.db', synchronous: 'off' }],
    ['a negative busyTimeout', { path: 'x.db', busyTimeout: -1 }],
    ['a fractional pollInterval', { path: 'x.db', pollInterval: 0.5 }],
  ])('throws ERR_MESH_INVALID_OPTIONS for %s', (_name, options) => {
    expectThrowCode(() => sqliteStore(options as never), 'ERR_MESH_INVALID_OPTIONS');
  });
});
