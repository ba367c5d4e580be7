import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeExample, runProgram } from './readme-example.js';

describe('README NestJS example', () => {
  it('runs as written (against the sources), exchanges events and a request, and exits', async () => {
    const example = readmeExample('## NestJS');
    expect(example).toContain("from 'evmesh/nest'");
    // Next to this test, not in .tmp: tsx applies the tsconfig (experimentalDecorators,
    // which parameter decorators need) only to files the tsconfig includes.
    const file = join(import.meta.dirname, `readme-nest-${process.pid}.tmp.mts`);
    const program = example.replace("from 'evmesh'", "from '../../src/index.js'").replace("from 'evmesh/nest'", "from '../../nest/index.js'")
      // Nest's startup logs would bury the example's own lines.
      .replace('NestFactory.create(AppModule)', "NestFactory.create(AppModule, { logger: ['error'] })");
    const stdout = await runProgram(file, program);
    expect(stdout).toContain("com.shop.invoice.created matched com.shop.invoice.* { order: 1, total: 30 }");
    expect(stdout).toContain("{ sku: 'kettle', left: 7 }");
  });
});
