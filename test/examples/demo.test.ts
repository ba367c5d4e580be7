import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('npm run demo', () => {
  it('runs the shop demo to completion and exits by itself', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], { cwd: root, timeout: 30_000 });
    expect(stdout).toContain('worker-A bills order');
    expect(stdout).toContain('worker-B bills order');
    expect(stdout).toMatch(/order 4 dead-lettered after 3 attempts/);
    expect(stdout).toContain('request to nobody: ERR_MESH_NO_RESPONDER');
    expect(stdout).not.toContain('order 99');
    expect(stdout).toContain('done: mesh closed');
  });
});
