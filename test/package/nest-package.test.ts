// `evmesh/nest` from the packed tarball, in real `node` processes (ESM and CJS): the
// built entry imports the kernel by relative path, so `OnEvent`/`Publish` from
// `evmesh` and the loader in `evmesh/nest` share one copy and one set of metadata keys.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, installPacked, packedTarball, root } from './packed.js';

const run = promisify(execFile);

interface Report {
  format: string;
  seen: string[];
  invoices: unknown[];
  crossFormatSeen: string[];
  resolvedNest: string;
  nestLoadedByKernel: boolean | null;
  terminusLoaded: boolean | null;
  nestVersion: string;
}

/** The NestJS major under test: 12 in the nest12 vitest project (test/nest/v12), else the root's 11. */
const NEST = process.env['EVMESH_TEST_NEST'] ?? '11';

// Plain JavaScript: decorators applied with Reflect.decorate, as compiled TS would.
const body = `
function decorate(decorators, proto, key) {
  const descriptor = Reflect.decorate(decorators, proto, key, Object.getOwnPropertyDescriptor(proto, key));
  Object.defineProperty(proto, key, descriptor);
}

class Billing {
  constructor() { this.seen = []; this.crossFormatSeen = []; }
  onOrder(event) { this.seen.push(event.type); return this.invoice(event.data); }
  async invoice(order) { return { total: order.qty * 2 }; }
  onRefund(event) { this.crossFormatSeen.push(event.type); }
}
decorate([OnEvent('com.shop.order.*')], Billing.prototype, 'onOrder');
decorate([Publish('com.shop.invoice.created')], Billing.prototype, 'invoice');
// The other format's OnEvent: still bound, since the metadata keys are plain strings.
decorate([otherOnEvent('com.shop.refund.*')], Billing.prototype, 'onRefund');
Injectable()(Billing);

class AppModule {}
Module({ imports: [MeshModule.forRoot({ id: 'pkg-' + format })], providers: [Billing] })(AppModule);

async function main() {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const mesh = app.get(MESH);
  const invoices = [];
  const invoiced = new Promise((resolve) => mesh.subscribe('com.shop.invoice.created', (event) => { invoices.push(event.data); resolve(); }));
  mesh.emit('com.shop.order.created', { qty: 21 });
  mesh.emit('com.shop.refund.issued', {});
  // Waits for the invoice itself; the timer is only a deadline (the test then reports none).
  await Promise.race([invoiced, new Promise((r) => setTimeout(r, 2000).unref())]);
  const billing = app.get(Billing);
  await app.close();
  return { format, seen: billing.seen, invoices, crossFormatSeen: billing.crossFormatSeen, resolvedNest, nestLoadedByKernel, terminusLoaded, nestVersion };
}
main().then((r) => console.log(JSON.stringify(r)), (err) => { console.error(err); process.exitCode = 1; });
`;

const esm = `import 'reflect-metadata';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
const nestLoadedByKernel = null; // only observable in CommonJS (require.cache)
const terminusLoaded = null;
const { OnEvent, Publish } = await import('evmesh');
const { Injectable, Module } = await import('@nestjs/common');
const { NestFactory } = await import('@nestjs/core');
const { MeshModule, MESH } = await import('evmesh/nest');
const otherOnEvent = require('evmesh').OnEvent;
const format = 'esm';
const resolvedNest = fileURLToPath(import.meta.resolve('evmesh/nest'));
const nestVersion = JSON.parse(readFileSync(new URL('./package.json', import.meta.resolve('@nestjs/core')), 'utf8')).version;
${body}`;

const cjs = `'use strict';
require('reflect-metadata');
const { OnEvent, Publish } = require('evmesh');
// Loading the kernel alone pulls in no @nestjs module: it works where Nest is not installed.
const nestLoadedByKernel = Object.keys(require.cache).some((file) => file.includes('@nestjs'));
const { Injectable, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { MeshModule, MESH } = require('evmesh/nest');
// MeshHealthIndicator is provided without loading @nestjs/terminus (an optional peer).
const terminusLoaded = Object.keys(require.cache).some((file) => file.includes('@nestjs/terminus'));
let otherOnEvent;
const format = 'cjs';
const resolvedNest = require.resolve('evmesh/nest');
// The Nest that evmesh/nest itself loaded (Nest 12 is ESM only: require(esm), Node >= 20.19).
const nestVersion = require(require.resolve('@nestjs/core', { paths: [require.resolve('evmesh/nest')] }).replace(/index\\.js$/, 'package.json')).version;
import('evmesh').then((other) => { otherOnEvent = other.OnEvent; start(); });
function start() {
${body}
}`;

let consumerDir = '';
const reports: Record<string, Report> = {};

beforeAll(async () => {
  await ensureBuilt(['dist/esm/nest/index.js', 'dist/cjs/nest/index.js']);
  // One tarball for all of test/package (see packed.ts); the consumer sits under the repo
  // so Nest and evmesh's dependencies resolve from its node_modules; for Nest 12, under
  // test/nest/v12, whose node_modules has it (for require() too, which no hook redirects).
  const parent = NEST === '12' ? join(root, 'test', 'nest', 'v12', '.tmp') : undefined;
  consumerDir = await installPacked(await packedTarball(), 'nest-consumer-', parent);
  writeFileSync(join(consumerDir, 'index.mjs'), esm);
  writeFileSync(join(consumerDir, 'index.cjs'), cjs);
  for (const file of ['index.mjs', 'index.cjs']) {
    const { stdout } = await run(process.execPath, [file], { cwd: consumerDir, timeout: 60_000 });
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Report;
    reports[report.format] = report;
  }
}, 180_000);

afterAll(() => {
  if (consumerDir) rmSync(consumerDir, { recursive: true, force: true });
});

describe(`evmesh/nest from the published package, on NestJS ${NEST}`, () => {
  it.each(['esm', 'cjs'])('runs on the NestJS major under test (%s)', (format) => {
    expect(reports[format]?.nestVersion.split('.')[0]).toBe(NEST);
  });

  it.each(['esm', 'cjs'])('binds a provider\'s @OnEvent and @Publish from evmesh when loaded as %s', (format) => {
    const report = reports[format];
    expect(report?.seen).toEqual(['com.shop.order.created']);
    expect(report?.invoices).toEqual([{ total: 42 }]);
  });

  it.each(['esm', 'cjs'])('binds @OnEvent written by the other format\'s build (%s loader)', (format) => {
    expect(reports[format]?.crossFormatSeen).toEqual(['com.shop.refund.issued']);
  });

  it('resolves evmesh/nest to dist/esm/nest and dist/cjs/nest of the installed copy', () => {
    const installed = join(consumerDir, 'node_modules', 'evmesh', 'dist');
    expect(reports.esm?.resolvedNest).toBe(join(installed, 'esm', 'nest', 'index.js'));
    expect(reports.cjs?.resolvedNest).toBe(join(installed, 'cjs', 'nest', 'index.js'));
  });

  it('reaches the kernel by relative path (no second copy of it), and the kernel loads no @nestjs module', () => {
    for (const format of ['esm', 'cjs']) {
      const dir = join(consumerDir, 'node_modules', 'evmesh', 'dist', format, 'nest');
      const sources = readdirSync(dir).filter((file) => file.endsWith('.js')).map((file) => readFileSync(join(dir, file), 'utf8'));
      const kernelImports = sources.flatMap((source) => [...source.matchAll(/(?:from |require\()['"]([^'"]*src\/[^'"]*)['"]/g)].map((m) => m[1]));
      expect(kernelImports.length).toBeGreaterThan(0);
      expect(new Set(kernelImports)).toEqual(new Set(['../src/index.js', '../src/internal.js']));
      expect(sources.some((source) => /['"]evmesh['"]/.test(source))).toBe(false);
    }
    expect(reports.cjs?.nestLoadedByKernel).toBe(false);
  });

  it('imports nothing of @nestjs/terminus (an optional peer), types included, and loads none of it', () => {
    for (const format of ['esm', 'cjs']) {
      const dir = join(consumerDir, 'node_modules', 'evmesh', 'dist', format, 'nest');
      const files = readdirSync(dir).filter((file) => file.endsWith('.js') || file.endsWith('.d.ts'));
      expect(files).toContain('mesh-health.indicator.js');
      const importsTerminus = (file: string): boolean => /(?:from |require\(|import\()['"]@nestjs\/terminus/.test(readFileSync(join(dir, file), 'utf8'));
      expect(files.filter(importsTerminus)).toEqual([]);
    }
    expect(reports.cjs?.terminusLoaded).toBe(false);
  });
});
