// A TypeScript consumer still on `"moduleResolution": "node"` (node10, the classic setting),
// which reads `types` and `typesVersions` but not `exports`: compiled against the packed
// tarball, every entry must resolve (no TS2307) and to one set of declarations (a Mesh
// from `evmesh` is the Mesh `evmesh/nest` and `evmesh/express` take).
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, installPacked, packedTarball, root } from './packed.js';

const run = promisify(execFile);

const consumer = `
import { createMesh, type Mesh } from 'evmesh';
import { captureEvents } from 'evmesh/testing';
import { MeshClient, MeshModule, MeshServer, type MeshContext } from 'evmesh/nest';
import { meshRouter, webhookSink, type MeshRouterOptions } from 'evmesh/express';
import { sqliteStore } from 'evmesh/adapters/sqlite';
import { redisStore } from 'evmesh/adapters/redis';
import { natsStore } from 'evmesh/adapters/nats';
import { amqpStore } from 'evmesh/adapters/amqp';

const mesh: Mesh = createMesh({ store: sqliteStore({ path: ':memory:' }) });
const options: MeshRouterOptions = { limit: 1024 };
export const made = {
  server: new MeshServer({ mesh }),
  client: new MeshClient({ mesh }),
  router: meshRouter(mesh, options),
  captured: captureEvents(mesh, 'a.#'),
  stores: [redisStore({ url: 'redis://127.0.0.1:1' }), natsStore({ servers: 'nats://127.0.0.1:1' }), amqpStore({ url: 'amqp://127.0.0.1:1' })],
  module: MeshModule,
  sink: webhookSink,
};
export type Context = MeshContext;
`;

const tsconfig = {
  compilerOptions: {
    module: 'commonjs', moduleResolution: 'node', target: 'ES2022', strict: true, noEmit: true,
    esModuleInterop: true, experimentalDecorators: true, skipLibCheck: true, types: ['node'],
  },
  files: ['index.ts'],
};

let consumerDir = '';

beforeAll(async () => {
  await ensureBuilt(['dist/esm/src/index.d.ts', 'dist/esm/nest/index.d.ts', 'dist/esm/express/index.d.ts']);
  // Under the repo's .tmp: the types evmesh's declarations import (Nest, express, drivers) resolve from its node_modules.
  consumerDir = await installPacked(await packedTarball(), 'node10-consumer-');
  writeFileSync(join(consumerDir, 'index.ts'), consumer);
  writeFileSync(join(consumerDir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
}, 180_000);

afterAll(() => {
  if (consumerDir) rmSync(consumerDir, { recursive: true, force: true });
});

describe('the packed package under "moduleResolution": "node"', () => {
  it('type-checks imports of evmesh, evmesh/testing, evmesh/nest, evmesh/express and evmesh/adapters/*', async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', consumerDir], { cwd: consumerDir, timeout: 120_000 }).then(
      ({ stdout }) => ({ ok: true, output: stdout }),
      (err: { stdout?: string }) => ({ ok: false, output: err.stdout ?? String(err) }),
    );
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  }, 120_000);
});
