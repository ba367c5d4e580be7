// Loads the built `evmesh` and `evmesh/express` through the package's `exports`, from
// real node processes (ESM and CommonJS), with `express` made unresolvable: the
// kernel and the router must both work for an app that has no Express installed.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

// ESM: a resolve hook (module.register); CommonJS: the resolver require() uses.
const esmHooks = `export async function resolve(specifier, context, next) {
  if (specifier === 'express' || specifier.startsWith('express/')) {
    throw Object.assign(new Error('Cannot find package express (blocked by the test)'), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return next(specifier, context);
}
`;
const esmBlock = `import { register } from 'node:module';
register('./hooks.mjs', import.meta.url);
`;
const cjsBlock = `const Module = require('node:module');
const original = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'express' || request.startsWith('express/')) {
    throw Object.assign(new Error('Cannot find module express (blocked by the test)'), { code: 'MODULE_NOT_FOUND' });
  }
  return original.call(this, request, ...rest);
};
`;

const body = `
const http = require('node:http');
async function main() {
  let expressLoads = true;
  try { await loadExpress(); } catch { expressLoads = false; }
  const mesh = createMesh({ source: '/pkg' });
  const got = [];
  mesh.subscribe('pkg.#', (event) => { got.push(event.data); });
  const server = http.createServer(meshRouter(mesh));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'p-1', 'ce-source': '/client', 'ce-type': 'pkg.created' },
    body: JSON.stringify({ n: 1 }),
  });
  const answer = await res.json();
  server.close();
  await mesh.close();
  console.log(JSON.stringify({ format, expressLoads, status: res.status, answer, got, router: typeof meshRouter, sink: typeof webhookSink }));
}
main().catch((err) => { console.error(err); process.exitCode = 1; });
`;

const esmConsumer = `import { createRequire } from 'node:module';
import { createMesh } from 'evmesh';
import { meshRouter, webhookSink } from 'evmesh/express';
const require = createRequire(import.meta.url);
const format = 'esm';
const loadExpress = () => import('express');
${body}`;

const cjsConsumer = `'use strict';
const { createMesh } = require('evmesh');
const { meshRouter, webhookSink } = require('evmesh/express');
const format = 'cjs';
const loadExpress = async () => require('express');
${body}`;

let dir = '';

beforeAll(async () => {
  // `npm test` builds before vitest runs; build here only when run on its own.
  if (!existsSync(join(root, 'dist', 'cjs', 'express', 'index.js')) || !existsSync(join(root, 'dist', 'esm', 'express', 'index.js'))) {
    await run(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
  }
  mkdirSync(join(root, '.tmp'), { recursive: true });
  dir = mkdtempSync(join(root, '.tmp', 'express-consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  // The package as an app sees it: by name, through its exports map.
  symlinkSync(root, join(dir, 'node_modules', 'evmesh'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "name": "evmesh-express-consumer", "private": true }\n');
  writeFileSync(join(dir, 'hooks.mjs'), esmHooks);
  writeFileSync(join(dir, 'block-express.mjs'), esmBlock);
  writeFileSync(join(dir, 'block-express.cjs'), cjsBlock);
  writeFileSync(join(dir, 'index.mjs'), esmConsumer);
  writeFileSync(join(dir, 'index.cjs'), cjsConsumer);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the built evmesh/express entry', () => {
  it.each([
    ['esm', ['--import', './block-express.mjs', 'index.mjs']],
    ['cjs', ['--require', './block-express.cjs', 'index.cjs']],
  ])('loads and serves a POST without express installed (%s)', async (format, args) => {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: dir, timeout: 30_000 });
    expect(stderr).toBe('');
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({
      format, expressLoads: false, status: 202, answer: { ids: ['p-1'] }, got: [{ n: 1 }], router: 'function', sink: 'function',
    });
  });
});
