import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('README NestJS example', () => {
  it('runs as written (against the sources), exchanges events and a request, and exits', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## NestJS'));
    const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    expect(example).toContain("from 'evmesh/nest'");
    // Next to this test, not in .tmp: tsx applies the tsconfig (experimentalDecorators,
    // which parameter decorators need) only to files the tsconfig includes.
    const file = join(import.meta.dirname, `readme-nest-${process.pid}.tmp.mts`);
    const program = example.replace("from 'evmesh'", "from '../../src/index.js'").replace("from 'evmesh/nest'", "from '../../nest/index.js'")
      // Nest's startup logs would bury the example's own lines.
      .replace('NestFactory.create(AppModule)', "NestFactory.create(AppModule, { logger: ['error'] })");
    writeFileSync(file, program);
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: 30_000 });
      expect(stdout).toContain("com.shop.invoice.created matched com.shop.invoice.* { order: 1, total: 30 }");
      expect(stdout).toContain("{ sku: 'kettle', left: 7 }");
    } finally {
      rmSync(file, { force: true });
    }
  });
});
