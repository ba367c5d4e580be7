import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('README federation example', () => {
  it('runs as written: two nodes over TCP, an event and a request across the link', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Federation'));
    const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1] as string;
    expect(example).toContain("listen: { port: 10001 }");
    const dir = join(root, '.tmp');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `readme-federation-${process.pid}.mts`);
    // The same program on a free port, importing the kernel from source.
    const port = String(await freePort());
    writeFileSync(file, example.replace("from 'evmesh'", "from '../src/index.js'").replaceAll('10001', port));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: 30_000 });
    expect(stdout).toContain('linked to billing');
    expect(stdout).toContain('total { total: 42, order: 1 }');
    // The event was emitted before the request on the same link, so it was delivered first.
    expect(stdout.indexOf('billed { id: 1 }')).toBeGreaterThan(-1);
    expect(stdout.indexOf('billed { id: 1 }')).toBeLessThan(stdout.indexOf('total'));
  });
});
