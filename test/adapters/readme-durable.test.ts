import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../../adapters/sqlite/index.js';
import { until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';
import { readmeExample, root } from '../examples/readme-example.js';

const mesh = closedAfterEach();

describe('README durable example', () => {
  it('runs as written: the durable gets the event published right after subscribe, the process stays up for more, and ends on SIGTERM', async () => {
    const example = readmeExample('## Durable stores');
    expect(example).toContain("durable: 'billing-orders'");
    const dir = mkdtempSync(join(tmpdir(), 'evmesh-readme-durable-'));
    const path = join(dir, 'billing.db');
    const file = join(root, '.tmp', `readme-durable-${process.pid}.mts`);
    mkdirSync(join(root, '.tmp'), { recursive: true });
    // The same program, importing from source and on a file of its own.
    writeFileSync(file, example
      .replace("from 'evmesh'", "from '../src/index.js'")
      .replace("from 'evmesh/adapters/sqlite'", "from '../adapters/sqlite/index.js'")
      .replace("'./billing.db'", JSON.stringify(path)));
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let exit: number | null | undefined;
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    child.on('exit', (code) => void (exit = code));
    const running = (): boolean => {
      if (exit !== undefined) throw new Error(`the example ended by itself (code ${exit})`);
      return true;
    };
    try {
      await until(() => running() && stdout.includes('billed { id: 1 }'), 30_000);
      // Another process publishes into the file: the example, still up, gets it too.
      await mesh({ store: sqliteStore({ path, pollInterval: 0 }) }).publish('com.shop.order.paid', { id: 2 });
      await until(() => running() && stdout.includes('billed { id: 2 }'), 30_000);
      child.kill('SIGTERM');
      await until(() => exit !== undefined, 30_000);
      expect(exit).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(file, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
