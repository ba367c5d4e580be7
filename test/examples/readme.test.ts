import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('README example', () => {
  it('runs as written (against the sources) and closes cleanly', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toContain("from 'evmesh'");
    const dir = join(root, '.tmp');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `readme-example-${process.pid}.mts`);
    // The same program, importing the kernel from source instead of the published name.
    writeFileSync(file, `${(example as string).replace("from 'evmesh'", "from '../src/index.js'")}\nconsole.log('README-EXAMPLE-DONE', JSON.stringify(reply.data));\n`);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: 30_000 });
    expect(stdout).toContain('com.shop.order.* com.shop.order.created { id: 1 }');
    expect(stdout).toContain('README-EXAMPLE-DONE {"reserved":true}');
  });
});
